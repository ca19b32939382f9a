"""The database engine: its options and what each engine needs when the app starts (SQLite's
writer queue and checkpoints in ``sqlite_writers``, PostgreSQL's check of pooled connections
in ``postgresql``). The person lock is in ``person_lock``."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Flask, Response, has_request_context
from sqlalchemy import event, text

from ..extensions import db
from . import sqlite_writers
from .postgresql import (
    PSYCOPG_KEEPALIVES,
    PSYCOPG_SESSION,
    drop_if_server_hung_up,
    is_postgresql,
)

# SQLite's busy handler lets a waiting writer retry after 1, 2, 5, 10, 15, 20, 25, 25 ms...:
# a batch job that pauses this long after each batch guarantees that whoever waited gets the
# lock next, so one-click unsubscribes are never starved. PostgreSQL locks rows, not the
# database: no pause.
SQLITE_PAUSE_SECONDS = 0.025


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            sqlite_writers.install(engine, answering=has_request_context)
            app.after_request(_checkpoint_after_answering)
        elif engine.dialect.driver == "psycopg":
            event.listen(engine, "checkout", drop_if_server_hung_up)


def begin_write() -> None:
    """Start the session's transaction as a write transaction now (SQLite; PostgreSQL locks
    rows and needs nothing). A no-op write takes the database's write lock, so a second
    batch job waits and then sees what this one wrote; and savepoints taken afterwards nest
    inside this transaction (pysqlite begins one only before a write: a SAVEPOINT taken
    first would begin, and its RELEASE commit, a transaction of its own)."""
    if not is_postgresql():
        db.session.execute(text("UPDATE people SET id = id WHERE 0"))


def engine_options(url: str, chosen: dict[str, Any]) -> dict[str, Any]:
    """SQLAlchemy engine options: the ones set in ``SQLALCHEMY_ENGINE_OPTIONS`` over these
    defaults. ``pool_pre_ping`` only where nothing cheaper checks connections: a SQLite file
    has none to lose, and on psycopg :func:`postgresql.drop_if_server_hung_up` does the job
    without a round trip (with ``PSYCOPG_KEEPALIVES``)."""
    options = dict(chosen)
    psycopg = url.startswith("postgresql+psycopg:")
    options.setdefault("pool_pre_ping", not (psycopg or url.startswith("sqlite")))
    if psycopg:
        options["connect_args"] = {**PSYCOPG_KEEPALIVES, **PSYCOPG_SESSION,
                                   **options.get("connect_args", {})}
    return options


def _checkpoint_after_answering(response: Response) -> Response:
    """SQLite log checkpoints asked for while answering run once the response has gone."""
    engine = db.engine
    if sqlite_writers.checkpoint_due(engine):
        response.call_on_close(partial(sqlite_writers.run_due_checkpoint, engine))
    return response
