"""Engine settings that are not SQLAlchemy options: SQLite pragmas and PostgreSQL helpers."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import Flask
from sqlalchemy import Update, bindparam, event, text, update
from sqlalchemy.engine import Engine

from .extensions import db


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; NORMAL is durable at each checkpoint and
    # much faster than FULL in WAL mode; the busy timeout makes writers queue, not fail.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def is_postgresql(engine: Engine | None = None) -> bool:
    return (engine or db.engine).dialect.name == "postgresql"


def allow_ledger_pseudonymisation() -> None:
    """Let this transaction pseudonymise ledger rows (erasure only; PostgreSQL guard)."""
    if is_postgresql():
        db.session.execute(text("SELECT set_config('preference_centre.erasure', 'on', true)"))


def lock_person(person_id: int) -> int | None:
    """Take the write lock for one person's consent (row lock on PostgreSQL, the database
    write lock on SQLite) and return the new consent version, or None if no such person.
    Pending ORM changes are flushed first, so a person created in this transaction exists."""
    db.session.flush()
    return db.session.connection().execute(
        _lock_statement(), {"pid": person_id}
    ).scalar_one_or_none()


@cache
def _lock_statement() -> Update:
    # Built once (the models import this module, so not at import time).
    from .models import Person

    people = Person.__table__
    return (
        update(people).where(people.c.id == bindparam("pid"))
        .values(consent_version=people.c.consent_version + 1)
        .returning(people.c.consent_version)
    )

