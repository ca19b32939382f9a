"""PostgreSQL: connection keepalives, the check of pooled connections, and the guard that
only erasure may pseudonymise ledger rows."""

from __future__ import annotations

import select
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

from ..extensions import db

# TCP keepalives on PostgreSQL connections: an idle pooled connection sends a probe after
# 60 s, so a NAT or load balancer that silently forgets idle flows (AWS after 350 s, Azure
# after 240 s) keeps it, and a peer that has vanished errors the socket within 90 s, which
# the checkout poll then sees.
PSYCOPG_KEEPALIVES = {"keepalives": 1, "keepalives_idle": 60, "keepalives_interval": 10,
                      "keepalives_count": 3}
# Every time is stored and shown in UTC: a session in UTC hands times back in UTC whatever
# the server's own zone, so none needs converting as it is read (exports read one per row).
# No JIT compilation (a setting since PostgreSQL 11, the oldest server supported): it pays
# off on long analytic queries, and the app has none; on the streamed exports, the only
# queries costly enough to trigger it, compiling took as long as running.
PSYCOPG_SESSION = {"options": "-c TimeZone=UTC -c jit=off"}


def drop_if_server_hung_up(dbapi_connection: Any, record: Any, proxy: Any) -> None:
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


def is_postgresql(engine: Engine | None = None) -> bool:
    return (engine or db.engine).dialect.name == "postgresql"


def allow_ledger_pseudonymisation() -> None:
    """Let this transaction pseudonymise ledger rows (erasure only; PostgreSQL guard)."""
    if is_postgresql():
        db.session.execute(text("SELECT set_config('preference_centre.erasure', 'on', true)"))
