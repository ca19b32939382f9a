"""Engine settings that are not SQLAlchemy options: SQLite pragmas and PostgreSQL helpers."""

from __future__ import annotations

import fcntl
import os
from functools import cache
from typing import Any

from flask import Flask
from sqlalchemy import Update, bindparam, event, text, update
from sqlalchemy.engine import Connection, Engine

from .extensions import db
from .prepared import Prepared


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
            if engine.url.database and engine.url.database != ":memory:":
                event.listen(engine, "checkin", _end_writer_turn)
                event.listen(engine, "close", _forget_writer_turn)


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


def lock_person(person_id: int, statement: Prepared | None = None, *,
                connection: Connection | None = None, **params: Any) -> tuple[Any, ...] | None:
    """Take the write lock for one person's consent (row lock on PostgreSQL, the database
    write lock on SQLite) and return the row of ``statement``, or None if no such person.
    The default statement returns just the new consent version; a caller may pass
    ``person_lock()`` with more in its RETURNING, prepared (and their ``params``), to read
    what it needs in the same round trip. Without ``connection`` this works in the session's
    transaction, flushing pending ORM changes first, so a person created in it exists."""
    if connection is None:
        db.session.flush()
        connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        _take_writer_turn(connection)
    return (statement or _default_lock()).first(connection, {"pid": person_id, **params})


@cache
def person_lock() -> Update:
    """``UPDATE people SET consent_version = consent_version + 1 WHERE id = :pid RETURNING
    consent_version``: built once (the models import this module, so not at import time)."""
    from .models import Person

    people = Person.__table__
    return (
        update(people).where(people.c.id == bindparam("pid"))
        .values(consent_version=people.c.consent_version + 1)
        .returning(people.c.consent_version)
    )


@cache
def _default_lock() -> Prepared:
    return Prepared(person_lock())


# SQLite lets one writer in at a time and makes the others poll: its busy handler sleeps 1,
# 2, 5, 10 ms... between tries, so two web workers writing at once spend much of their time
# asleep (one-click p99 went from 32 to 50 ms). Writers that lock a person therefore first
# queue on an flock of a file beside the database, which the kernel hands over the moment it
# is released. A connection already inside a write transaction skips the queue, so the
# holder of the flock never waits for someone who is waiting for it; whoever writes without
# lock_person (workers, CLI) still meets the busy handler as before.
_TURN_FILE, _TURN_HELD = "writer_turn_fd", "writer_turn_held"


def _take_writer_turn(connection: Any) -> None:
    driver = connection.connection.driver_connection
    info = connection.connection.info  # lives as long as the DBAPI connection
    database = connection.engine.url.database
    if driver.in_transaction or info.get(_TURN_HELD) or not database or database == ":memory:":
        return
    if _TURN_FILE not in info:
        # A descriptor per connection: flock then also queues threads of one process.
        info[_TURN_FILE] = os.open(database + ".writers", os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(info[_TURN_FILE], fcntl.LOCK_EX)
    info[_TURN_HELD] = True


def _end_writer_turn(_dbapi_connection: Any, record: Any) -> None:
    """Pool check-in: the session has committed or rolled back and let the connection go."""
    if record is not None and record.info.pop(_TURN_HELD, False):
        fcntl.flock(record.info[_TURN_FILE], fcntl.LOCK_UN)


def _forget_writer_turn(_dbapi_connection: Any, record: Any) -> None:
    """The DBAPI connection is closing: close its descriptor too (which drops any flock)."""
    if record is not None and _TURN_FILE in record.info:
        record.info.pop(_TURN_HELD, None)
        os.close(record.info.pop(_TURN_FILE))
