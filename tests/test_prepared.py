"""Prepared statements give what SQLAlchemy gives: typed values in and out, the statement's
own parameters, Python-side onupdate defaults, inside the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import bindparam, insert, select, update

from preference_centre import clock
from preference_centre.extensions import db
from preference_centre.models import ConsentEvent, Person
from preference_centre.prepared import Prepared

events, people = ConsentEvent.__table__, Person.__table__
WHEN = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
COLUMNS = ("person_id", "purpose", "old_value", "new_value", "occurred_at", "source",
           "actor_type")


def test_values_round_trip_with_their_types(app, make_person):
    person = make_person()
    add = Prepared(insert(events).returning(events.c.id, events.c.new_value,
                                            events.c.occurred_at), column_keys=COLUMNS)
    connection = db.session.connection()
    event_id, new_value, occurred_at = add.first(connection, {
        "person_id": person.id, "purpose": "email:offers", "old_value": None,
        "new_value": False, "occurred_at": WHEN, "source": "import", "actor_type": "system"})
    assert new_value is False  # SQLite keeps 0: the type's result processor makes it a bool
    assert occurred_at == WHEN and occurred_at.tzinfo is not None
    # The row is in the caller's transaction, and SQLAlchemy reads back the same values.
    read = Prepared(select(events.c.old_value, events.c.new_value, events.c.occurred_at)
                    .where(events.c.id == bindparam("id")).limit(1))
    assert read.first(connection, {"id": event_id}) == (None, False, WHEN)
    db.session.rollback()
    assert db.session.get(ConsentEvent, event_id) is None


def test_python_side_onupdate_is_filled_in_and_a_missing_row_gives_none(app, make_person,
                                                                         frozen_clock):
    person = make_person()
    frozen_clock.advance(days=3)
    bump = Prepared(update(people).where(people.c.id == bindparam("pid"))
                    .values(consent_version=people.c.consent_version + 1)
                    .returning(people.c.consent_version, people.c.updated_at))
    connection = db.session.connection()
    version, updated_at = bump.first(connection, {"pid": person.id})
    assert updated_at == clock.utcnow()
    assert bump.first(connection, {"pid": person.id})[0] == version + 1
    assert bump.first(connection, {"pid": person.id + 1000}) is None


def test_a_statement_derived_from_one_already_used_returns_its_own_columns(app, make_person):
    person = make_person()
    base = (update(people).where(people.c.id == bindparam("pid"))
            .values(consent_version=people.c.consent_version + 1)
            .returning(people.c.consent_version))
    connection = db.session.connection()
    Prepared(base).first(connection, {"pid": person.id})
    derived = Prepared(base.returning(people.c.updated_at))
    version, updated_at = derived.first(connection, {"pid": person.id})
    assert isinstance(version, int) and updated_at.tzinfo is not None
