"""Engine helpers: SQLite set-up (sqlite_writers), the person lock, PostgreSQL helpers."""

from __future__ import annotations

from functools import cache, partial
from typing import Any

from flask import Flask, Response, has_request_context
from sqlalchemy import Update, bindparam, text, update
from sqlalchemy.engine import Connection, Engine

from . import sqlite_writers
from .extensions import db
from .prepared import Prepared


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            sqlite_writers.install(engine, answering=has_request_context)
            app.after_request(_checkpoint_after_answering)


def _checkpoint_after_answering(response: Response) -> Response:
    """SQLite log checkpoints asked for while answering run once the response has gone."""
    engine = db.engine
    if sqlite_writers.checkpoint_due(engine):
        response.call_on_close(partial(sqlite_writers.run_due_checkpoint, engine))
    return response


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
        sqlite_writers.take_turn(connection)
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
