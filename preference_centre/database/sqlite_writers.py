"""SQLite's one writer at a time, made cheap: connection pragmas, a queue for writers, and
checkpoints that happen outside that queue."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from functools import partial
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine


def install(engine: Engine, answering: Callable[[], bool]) -> None:
    """Set ``engine`` up. ``answering()`` says whether a request is being answered now: its
    checkpoints then wait until the response has gone (:func:`run_due_checkpoint`)."""
    event.listen(engine, "connect", _pragmas)
    if engine.url.database and engine.url.database != ":memory:":
        event.listen(engine, "checkin", partial(_end_turn, engine, answering))
        event.listen(engine, "close", _forget_turn)


def _pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; NORMAL is durable at each checkpoint and
    # much faster than FULL in WAL mode; the busy timeout makes writers queue, not fail.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Erased rows must not stay readable in free pages of the file (GDPR erasure): deleted
    # content is overwritten with zeros.
    cursor.execute("PRAGMA secure_delete=ON")
    # Checkpoints are run at check-in, after the writer queue is released (see below).
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()


# SQLite lets one writer in at a time and makes the others poll: its busy handler sleeps 1,
# 2, 5, 10 ms... between tries, so two web workers writing at once spend much of their time
# asleep (one-click p99 went from 32 to 50 ms). Writers that lock a person therefore first
# queue on an flock of a file beside the database, which the kernel hands over the moment it
# is released. A connection already inside a write transaction skips the queue, so the
# holder of the flock never waits for someone who is waiting for it; whoever writes without
# lock_person (workers, CLI) still meets the busy handler as before.
_TURN_FILE, _TURN_HELD = "writer_turn_fd", "writer_turn_held"


def take_turn(connection: Connection) -> None:
    """Queue for the write lock (lock_person calls this before its UPDATE)."""
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


# SQLite's own checkpoint runs inside the commit that crosses its threshold, so the writer
# doing it kept the queue for the whole copy and its fsyncs (one-click p99 40-60 ms). A
# connection that has changed CHECKPOINT_EVERY rows since its last checkpoint asks for one
# at check-in, after the queue is released; PASSIVE never blocks writers. During a request
# it runs once the response has gone, so no one waits for it. A checkpoint's fsyncs cost
# the same however much it copies, and the worker that runs one serves nobody meanwhile,
# so they are better few and large: this many rows is a few megabytes of log, of the order
# of SQLite's own 1,000 pages.
CHECKPOINT_EVERY = 2000
_CHANGES = "changes_at_checkpoint"
_due: set[Engine] = set()


def checkpoint_due(engine: Engine) -> bool:
    return engine in _due


def run_due_checkpoint(engine: Engine) -> None:
    if engine in _due:
        _due.discard(engine)
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")


def empty_log(engine: Engine) -> None:
    """Copy the whole write-ahead log into the database file and truncate it to nothing.
    After an erasure the log still holds the erased rows as they were (until the next
    checkpoint rewrites it): this leaves no trace of them in either file."""
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _end_turn(engine: Engine, answering: Callable[[], bool], dbapi_connection: Any,
              record: Any) -> None:
    """Pool check-in: the session has committed or rolled back and let the connection go."""
    if record is None:
        return
    if record.info.pop(_TURN_HELD, False):
        fcntl.flock(record.info[_TURN_FILE], fcntl.LOCK_UN)
    if dbapi_connection is None:  # invalidated
        return
    changes = dbapi_connection.total_changes
    if changes - record.info.get(_CHANGES, 0) >= CHECKPOINT_EVERY:
        record.info[_CHANGES] = changes
        if answering():
            _due.add(engine)
        else:
            dbapi_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").close()


def _forget_turn(_dbapi_connection: Any, record: Any) -> None:
    """The DBAPI connection is closing: close its descriptor too (which drops any flock)."""
    if record is not None and _TURN_FILE in record.info:
        record.info.pop(_TURN_HELD, None)
        os.close(record.info.pop(_TURN_FILE))
