"""The write lock for one person's consent, on both engines."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, Update, bindparam, update
from sqlalchemy.engine import Connection

from ..extensions import db
from ..models import Person
from . import sqlite_writers


def lock_person(person_id: int, statement: Update | None = None, *,
                connection: Connection | None = None, **params: Any) -> Row[Any] | None:
    """Take the write lock for one person's consent (row lock on PostgreSQL, the database
    write lock on SQLite) and return the row of ``statement``, or None if no such person.
    The default statement returns just the new consent version; a caller may pass
    ``PERSON_LOCK`` with more in its RETURNING (and their ``params``), to read what it
    needs in the same round trip. Without ``connection`` this works in the session's
    transaction, flushing pending ORM changes first, so a person created in it exists."""
    if connection is None:
        db.session.flush()
        connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        sqlite_writers.take_turn(connection)
    return connection.execute(statement if statement is not None else PERSON_LOCK,
                              {"pid": person_id, **params}).first()


# UPDATE people SET consent_version = consent_version + 1 WHERE id = :pid
# RETURNING consent_version: every consent write bumps the version under this lock, so a
# version read under it tells whether anything has written since.
_people = Person.__table__
PERSON_LOCK: Update = (
    update(_people).where(_people.c.id == bindparam("pid"))
    .values(consent_version=_people.c.consent_version + 1)
    .returning(_people.c.consent_version)
)
