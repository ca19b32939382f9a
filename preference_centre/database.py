"""Engine helpers: SQLite set-up (sqlite_writers), the person lock, PostgreSQL helpers."""

from __future__ import annotations

import select
from functools import partial
from typing import Any

from flask import Flask, Response, has_request_context
from sqlalchemy import Row, Update, bindparam, event, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError

from . import sqlite_writers
from .extensions import db
from .models import Person


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            sqlite_writers.install(engine, answering=has_request_context)
            app.after_request(_checkpoint_after_answering)
        elif engine.dialect.driver == "psycopg":
            event.listen(engine, "checkout", _drop_if_server_hung_up)


# TCP keepalives on PostgreSQL connections: an idle pooled connection sends a probe after
# 60 s, so a NAT or load balancer that silently forgets idle flows (AWS after 350 s, Azure
# after 240 s) keeps it, and a peer that has vanished errors the socket within 90 s, which
# the checkout poll then sees.
PSYCOPG_KEEPALIVES = {"keepalives": 1, "keepalives_idle": 60, "keepalives_interval": 10,
                      "keepalives_count": 3}


def engine_options(url: str, chosen: dict[str, Any]) -> dict[str, Any]:
    """SQLAlchemy engine options: the ones set in ``SQLALCHEMY_ENGINE_OPTIONS`` over these
    defaults. ``pool_pre_ping`` only where nothing cheaper checks connections: a SQLite file
    has none to lose, and on psycopg :func:`_drop_if_server_hung_up` does the job without a
    round trip (with keepalives, above)."""
    options = dict(chosen)
    psycopg = url.startswith("postgresql+psycopg:")
    options.setdefault("pool_pre_ping", not (psycopg or url.startswith("sqlite")))
    if psycopg:
        options["connect_args"] = {**PSYCOPG_KEEPALIVES, **options.get("connect_args", {})}
    return options


def _drop_if_server_hung_up(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """Pool checkout on psycopg: a pooled connection the server has closed (a restart,
    ``pg_terminate_backend``, an idle timeout) is replaced before use, as ``pool_pre_ping``
    would, without its ``SELECT 1`` round trip on every checkout. An idle connection has
    nothing to read unless the server hung up (it sends a FATAL notice, then closes; a
    stray notice only costs a reconnect). DisconnectionError makes the pool reconnect."""
    try:
        hung_up = dbapi_connection.closed or _has_data(dbapi_connection.pgconn.socket)
    except Exception as exc:  # noqa: BLE001 - a connection too broken to ask is gone too
        raise DisconnectionError("pooled connection unusable") from exc
    if hung_up:
        raise DisconnectionError("the server closed this pooled connection")


def _has_data(fd: int) -> bool:
    if hasattr(select, "poll"):  # select() cannot watch descriptors above 1023
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        return bool(poller.poll(0))
    return bool(select.select([fd], [], [], 0)[0])


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
