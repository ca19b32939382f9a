"""The account overview and the profile: every contact field, corrected and audited."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from preference_centre import crypto
from preference_centre.extensions import db
from preference_centre.models import AuditEvent
from preference_centre.people import normalise_answer, verify_secret

FULL = {
    "name": "Ada Lovelace",
    "gender": "Prefer not to say",
    "address": "12 St James's Square\r\nLondon\r\nSW1Y 4JH",
    "phone": "07700 900123",
    "date_of_birth": "1985-12-10",
    "security_question": "First pet's name?",
    "security_answer": "  Mr  Whiskers ",
}


def test_account_pages_need_a_log_in(client):
    for path in ("/account", "/account/profile", "/account/password", "/account/email"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_overview_links_everything_and_masks_the_address(app, client, auth, make_person):
    person = make_person(email="ada@example.com", name="Ada")
    auth.login(person)
    page = client.get("/account").get_data(as_text=True)
    assert "a***@e***.com" in page and "ada@example.com" not in page
    for path in ("/account/profile", "/account/preferences", "/account/data",
                 "/account/password", "/account/email"):
        assert f'href="{path}"' in page
    assert "127.0.0.0/24" in page and "This device" in page


def test_profile_saves_every_field(app, client, auth, make_person, reload):
    person = make_person(email="bo@example.com")
    auth.login(person)
    page = client.get("/account/profile").get_data(as_text=True)
    assert "Prefer not to say" in page and 'type="date"' in page
    response = client.post("/account/profile", data=FULL)
    assert response.status_code == 302
    person = reload(person)
    assert person.name == "Ada Lovelace"
    assert person.gender == "Prefer not to say"
    assert person.address == "12 St James's Square\nLondon\nSW1Y 4JH"
    assert person.phone == "07700 900123"
    assert person.phone_hash == crypto.phone_hash("+44 7700 900123")
    assert person.date_of_birth == "1985-12-10"
    assert person.security_question == "First pet's name?"
    assert verify_secret(person.security_answer_hash, normalise_answer("mr whiskers"))
    shown = client.get("/account/profile").get_data(as_text=True)
    assert "Whiskers" not in shown and "An answer is saved" in shown


def test_contact_fields_are_encrypted_at_rest(app, client, auth, make_person, reload):
    person = make_person(email="cy@example.com")
    auth.login(person)
    client.post("/account/profile", data=FULL)
    row = db.session.execute(
        text("SELECT name, address, phone, date_of_birth, gender FROM people WHERE id = :id"),
        {"id": person.id},
    ).one()
    plain = ("Ada Lovelace", "St James", "SW1Y 4JH", "07700 900123", "1985-12-10",
             "Prefer not to say")
    for stored in row:
        # Fernet tokens: random-looking base64, so look for whole values, not short pieces
        # that random base64 could contain by chance.
        assert stored and stored.startswith("gAAAAA")
        assert not any(value in stored for value in plain)
    assert reload(person).name == "Ada Lovelace"


def test_corrections_are_audited_by_field_name_only(app, client, auth, make_person, reload):
    person = make_person(email="dee@example.com", name="Dee", phone="07700 900001")
    auth.login(person)
    client.post("/account/profile", data={"name": "Dee Dee", "phone": "07700 900002",
                                          "gender": ""})
    events = db.session.query(AuditEvent).filter_by(person_id=person.id).all()
    assert sorted(e.field for e in events) == ["name", "phone"]
    for event in events:
        assert event.action == "profile.update" and event.actor_type == "person"
        assert event.actor_id == str(person.id)
        values = [str(v) for v in vars(event).values()]
        assert not any("Dee" in v or "0770" in v for v in values)
    assert reload(person).phone_hash == crypto.phone_hash("07700 900002")

    client.post("/account/profile", data={"name": "Dee Dee", "phone": "", "gender": ""})
    assert reload(person).phone is None and reload(person).phone_hash is None
    assert db.session.query(AuditEvent).count() == 3


def test_saving_unchanged_details_records_nothing(app, client, auth, make_person):
    person = make_person(email="eve@example.com", name="Eve", gender="Female")
    auth.login(person)
    response = client.post("/account/profile", data={"name": "Eve", "gender": "Female"},
                           follow_redirects=True)
    assert b"Nothing was changed" in response.data
    assert db.session.query(AuditEvent).count() == 0


def test_clearing_the_question_removes_the_answer(app, client, auth, make_person, reload):
    person = make_person(email="fay@example.com")
    auth.login(person)
    client.post("/account/profile", data={**FULL})
    client.post("/account/profile", data={**FULL, "security_question": "",
                                          "security_answer": ""})
    person = reload(person)
    assert person.security_question is None and person.security_answer_hash is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "Ada\r\nBcc: x@example.com", "without line breaks"),
        ("name", "x" * 201, "at most 200"),
        ("address", "x" * 501, "at most 500"),
        ("phone", "call me maybe", "Enter a phone number"),
        ("phone", "123", "Enter a phone number"),
        ("date_of_birth", "2999-01-01", "cannot be in the future"),
        ("date_of_birth", "1850-01-01", "Enter a date after"),
        ("date_of_birth", "31/31/1990", "Not a valid date"),
        ("gender", "Wizard", "Not a valid choice"),
        ("security_question", "Pet?\nX", "without line breaks"),
        ("security_answer", "", "Give an answer"),
    ],
)
def test_bad_profile_input_is_refused_and_nothing_changes(
    app, client, auth, make_person, field, value, message, reload
):
    person = make_person(email="gil@example.com", name="Gil")
    auth.login(person)
    response = client.post("/account/profile", data={**FULL, field: value})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert reload(person).name == "Gil"
    assert db.session.query(AuditEvent).count() == 0


def test_a_gender_written_elsewhere_survives_a_save(app, client, auth, make_person, reload):
    person = make_person(email="hal@example.com", gender="Agender")
    auth.login(person)
    client.post("/account/profile", data={"name": "Hal", "gender": "Agender"})
    assert reload(person).gender == "Agender"
