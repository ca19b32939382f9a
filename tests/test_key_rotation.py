"""`flask keys rotate-data`: after a new encryption key is put first, every stored personal
field is rewritten under it, so the old key can be removed."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Text, select, type_coerce, update

from preference_centre import crypto
from preference_centre.extensions import db
from preference_centre.key_rotation import encrypted_columns
from preference_centre.models import Order, Person

PERSON = {"name": "Ada Lovelace", "phone": "07700 900123", "gender": "female"}


def use_keys(app, *keys: str) -> None:
    """Restart the field encryption with ``keys`` (newest first), as a redeploy would."""
    app.config["DATA_ENCRYPTION_KEYS"] = list(keys)
    crypto.init_app(app)
    db.session.expire_all()


def stored_tokens() -> list[str]:
    """Every encrypted value as stored, from every encrypted column."""
    tokens = []
    for columns in encrypted_columns().values():
        for column in columns:
            tokens += db.session.scalars(select(type_coerce(column, Text()))
                                         .where(column.is_not(None))).all()
    return tokens


def people_with_orders(make_person, count: int) -> list[int]:
    ids = []
    for n in range(count):
        person = make_person(email=f"ada{n}@example.com", **PERSON)
        db.session.add(Order(person_id=person.id, reference=f"R{n}", product="Tea",
                             amount_pence=300, delivery_address="1 Dock Road"))
        ids.append(person.id)
    db.session.commit()
    return ids


def test_after_rotating_the_old_key_can_be_removed(app, runner, make_person):
    old_key, new_key = app.config["DATA_ENCRYPTION_KEYS"][0], Fernet.generate_key().decode()
    ids = people_with_orders(make_person, 5)

    use_keys(app, new_key, old_key)
    result = runner.invoke(args=["keys", "rotate-data", "--batch", "2"])
    assert result.exit_code == 0, result.output
    assert "people: 20 re-encrypted, 0 already under the newest key" in result.output
    assert "orders: 10 re-encrypted" in result.output  # product and delivery address

    use_keys(app, new_key)
    for n, person_id in enumerate(ids):
        person = db.session.get(Person, person_id)
        assert (person.email, person.name, person.phone, person.gender) == (
            f"ada{n}@example.com", PERSON["name"], PERSON["phone"], PERSON["gender"])
    assert {order.delivery_address for order in db.session.scalars(select(Order))} == {
        "1 Dock Road"}
    assert all(crypto.field_crypto().is_newest(token) for token in stored_tokens())


def test_the_command_prints_counts_never_values(app, runner, make_person):
    people_with_orders(make_person, 1)
    use_keys(app, Fernet.generate_key().decode(), app.config["DATA_ENCRYPTION_KEYS"][0])
    result = runner.invoke(args=["keys", "rotate-data"])
    assert result.exit_code == 0
    output = result.output
    assert "total: 6 re-encrypted" in output  # four person fields, the product, the address
    for value in ("ada0@example.com", *PERSON.values(), "1 Dock Road", "Tea"):
        assert value not in output


def test_a_second_run_finds_everything_already_rotated(app, runner, make_person):
    people_with_orders(make_person, 3)
    use_keys(app, Fernet.generate_key().decode(), app.config["DATA_ENCRYPTION_KEYS"][0])
    runner.invoke(args=["keys", "rotate-data", "--batch", "1"])
    again = runner.invoke(args=["keys", "rotate-data", "--batch", "1"])
    assert again.exit_code == 0
    assert "total: 0 re-encrypted" in again.output


def test_a_value_no_key_reads_stops_the_run_with_a_clear_error(app, runner, make_person):
    [person_id] = people_with_orders(make_person, 1)
    stranger = Fernet(Fernet.generate_key()).encrypt(b"someone else's").decode()
    db.session.execute(update(Person.__table__).where(Person.id == person_id)
                       .values(name=type_coerce(stranger, Text())))
    db.session.commit()
    use_keys(app, Fernet.generate_key().decode(), app.config["DATA_ENCRYPTION_KEYS"][0])
    result = runner.invoke(args=["keys", "rotate-data"])
    assert result.exit_code == 1
    assert f"people.name of row {person_id} cannot be decrypted" in result.output
    assert "someone else's" not in result.output


def test_values_written_in_the_old_fernet_form_still_read_and_rotate_to_the_new_one(
        app, runner, make_person):
    [person_id] = people_with_orders(make_person, 1)
    key = app.config["DATA_ENCRYPTION_KEYS"][0]
    old_form = Fernet(key.encode()).encrypt(b"Grace Hopper").decode()
    db.session.execute(update(Person.__table__).where(Person.id == person_id)
                       .values(name=type_coerce(old_form, Text())))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Person, person_id).name == "Grace Hopper"

    result = runner.invoke(args=["keys", "rotate-data"])
    assert result.exit_code == 0, result.output
    assert "total: 1 re-encrypted" in result.output
    assert old_form not in stored_tokens()
    db.session.expire_all()
    assert db.session.get(Person, person_id).name == "Grace Hopper"


def test_the_same_value_is_stored_differently_each_time_and_an_altered_one_is_refused(app):
    first, second = crypto.encrypt("Ada Lovelace"), crypto.encrypt("Ada Lovelace")
    assert first != second  # a fresh nonce per value: equal values do not show as equal
    assert crypto.decrypt(first) == crypto.decrypt(second) == "Ada Lovelace"
    middle = len(first) // 2 + 6  # inside the ciphertext, clear of the key id and padding
    flipped = first[:middle] + ("A" if first[middle] != "A" else "B") + first[middle + 1:]
    with pytest.raises(RuntimeError, match="could not be decrypted"):
        crypto.decrypt(flipped)
    use_keys(app, Fernet.generate_key().decode())  # the key that wrote it is gone
    with pytest.raises(RuntimeError, match="could not be decrypted"):
        crypto.decrypt(first)
