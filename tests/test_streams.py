"""Whole lists are streamed a batch at a time (database/streams.py): on PostgreSQL through
psycopg's chunked stream, elsewhere through ``yield_per``. Either way the rows are what the
same query returns, and a download broken off half way leaves nothing behind."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import Text, literal, null, select, type_coerce

from preference_centre import clock
from preference_centre.database.streams import stream_rows
from preference_centre.extensions import db
from preference_centre.models import ConsentState, Person


def _listing(since):
    # The raw (encrypted) address beside the name read through its column type, decrypted.
    return (select(Person.id, type_coerce(Person.email, Text()), Person.name,
                   Person.created_at, Person.restricted_at, literal("label"), null(),
                   Person.status)
            .where(Person.created_at >= since).order_by(Person.id))


def test_a_streamed_list_holds_the_same_rows_as_the_query(app, make_person):
    people = [make_person(email=f"list{n}@example.com", name=f"Person {n}") for n in range(7)]
    people[3].restricted_at = clock.utcnow()
    db.session.commit()
    statement = _listing(clock.utcnow() - timedelta(days=1))

    streamed = list(stream_rows(db.session.connection(), statement, batch=2))
    queried = [tuple(row) for row in db.session.execute(statement)]
    assert [tuple(row) for row in streamed] == queried
    assert [row[0] for row in streamed] == [person.id for person in people]
    assert [row[2] for row in streamed] == [f"Person {n}" for n in range(7)]
    assert all(row[3].tzinfo is not None and row[3].utcoffset() == timedelta(0)
               for row in streamed)  # aware UTC times, as from the ORM
    assert streamed[3][4].astimezone(UTC) == people[3].restricted_at


def test_a_list_broken_off_half_way_is_rolled_back_and_the_session_goes_on(
        app, make_person):
    for n in range(5):
        make_person(email=f"half{n}@example.com")
    db.session.commit()
    # One row per chunk: the rest is still on its way when the stream is closed.
    rows = stream_rows(db.session.connection(), _listing(clock.utcnow() - timedelta(days=1)),
                       batch=1)
    next(rows)
    rows.close()  # the visitor's connection dropped
    db.session.rollback()
    person = make_person(email="after@example.com")
    db.session.add(ConsentState(person_id=person.id, purpose="email:offers", allowed=True,
                                updated_at=clock.utcnow()))
    db.session.commit()
    assert db.session.scalar(select(ConsentState.allowed).where(
        ConsentState.person_id == person.id)) is True
