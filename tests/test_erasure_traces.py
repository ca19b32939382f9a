"""What a person ordered and what others told us about them is encrypted at rest; erasure
keeps of an order only what accounts need, and on SQLite leaves no trace of the erased rows
in the database file or its write-ahead log."""

from __future__ import annotations

import os
import sqlite3

import pytest
from sqlalchemy import create_engine, select, text

from preference_centre.database import sqlite_writers
from preference_centre.extensions import db
from preference_centre.models import ExternalRecord, Order, Person
from tests.helpers_accounts import DEFAULT_PASSWORD

PRODUCT = "Hearing aid batteries for Grandad Ulric"
DESCRIPTION = "Joined the group Coping With Debt Together"
EMAIL = "ulric.vanterpool@example.com"


def _customer(make_person) -> Person:
    person = make_person(email=EMAIL)
    db.session.add(Order(person_id=person.id, reference="ACC-1", product=PRODUCT,
                         amount_pence=1299, currency="GBP", status="delivered"))
    db.session.add(ExternalRecord(person_id=person.id, source="Facebook",
                                  description=DESCRIPTION, data="likes: budgeting"))
    db.session.commit()
    return person


def _raw(sql: str) -> list[str]:
    return [str(value) for value in db.session.execute(text(sql)).scalars()]


def _erase(client, auth, person) -> None:
    auth.login(person)
    response = client.post("/account/delete", data={"password": DEFAULT_PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    response.close()  # as a server does once the page has gone


def test_products_and_descriptions_are_encrypted_at_rest(app, make_person):
    person = _customer(make_person)
    assert PRODUCT not in _raw("SELECT product FROM orders")
    assert DESCRIPTION not in _raw("SELECT description FROM external_records")
    db.session.expire_all()
    assert db.session.get(Person, person.id).email == EMAIL
    assert db.session.execute(select(Order.product)).scalar_one() == PRODUCT
    assert db.session.execute(select(ExternalRecord.description)).scalar_one() == DESCRIPTION


@pytest.mark.app_config(KEEP_ORDERS_FOR_ACCOUNTING=True)
def test_an_order_kept_for_accounting_keeps_only_what_accounts_need(app, client, auth,
                                                                    make_person):
    _erase(client, auth, _customer(make_person))
    db.session.expire_all()
    order = db.session.execute(select(Order)).scalar_one()
    assert (order.reference, order.amount_pence, order.currency, order.status) == (
        "ACC-1", 1299, "GBP", "delivered")
    assert order.ordered_at is not None
    assert (order.person_id, order.delivery_address, order.product) == (None, None, "")
    assert db.session.execute(select(ExternalRecord)).first() is None


def _files(app) -> bytes:
    path = db.engine.url.database
    found = b""
    for name in (path, path + "-wal"):
        if os.path.exists(name):
            with open(name, "rb") as handle:
                found += handle.read()
    return found


@pytest.mark.app_config(KEEP_ORDERS_FOR_ACCOUNTING=True)
def test_after_erasure_the_sqlite_files_hold_no_trace(app, client, auth, make_person,
                                                      engine_name):
    if engine_name != "sqlite":
        pytest.skip("the database files are SQLite's")
    for n in range(3):  # others whose rows share the erased person's pages
        make_person(email=f"neighbour{n}@example.com")
    person = _customer(make_person)
    # What was stored for the person, encrypted: erased, it must not linger in free pages.
    stored = [*_raw(f"SELECT email FROM people WHERE id = {person.id}"),
              *_raw("SELECT data FROM external_records")]
    assert db.session.execute(text("PRAGMA secure_delete")).scalar() == 1

    _erase(client, auth, person)

    files = _files(app)
    assert os.path.getsize(db.engine.url.database + "-wal") == 0
    for needle in (PRODUCT, DESCRIPTION, EMAIL, *stored):
        assert needle.encode() not in files, needle[:30]


def test_every_sqlite_connection_zeroes_deleted_content(tmp_path):
    """Whatever the SQLite build's default (Debian's is on, others' off)."""
    def connect_with_it_off() -> sqlite3.Connection:
        connection = sqlite3.connect(tmp_path / "any.db")
        connection.execute("PRAGMA secure_delete=OFF")
        return connection

    engine = create_engine(f"sqlite:///{tmp_path / 'any.db'}", creator=connect_with_it_off)
    sqlite_writers.install(engine, answering=lambda: False)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    engine.dispose()
