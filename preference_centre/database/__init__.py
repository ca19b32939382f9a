"""The database engine: its options and what each engine needs when the app starts (SQLite's
writer queue and checkpoints in ``sqlite_writers``, PostgreSQL's check of pooled connections
in ``postgresql``). The person lock is in ``person_lock``."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Flask, Response, has_request_context
from sqlalchemy import event

from ..extensions import db
from . import sqlite_writers
from .postgresql import PSYCOPG_KEEPALIVES, PSYCOPG_SESSION, drop_if_server_hung_up


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            sqlite_writers.install(engine, answering=has_request_context)
            app.after_request(_checkpoint_after_answering)
        elif engine.dialect.driver == "psycopg":
            event.listen(engine, "checkout", drop_if_server_hung_up)


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
