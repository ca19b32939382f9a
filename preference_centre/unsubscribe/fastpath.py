"""The one-click hot path: withdrawing purposes with SQLAlchemy Core statements.

Mailbox providers POST one-click unsubscribes in bursts. ``consent.record_changes`` does the
same job through ORM objects and reaches about half the throughput (bench/unsubscribe.py), so
this module writes the same rows with Core statements. The semantics are the ledger's and a
test holds them equal (tests/test_unsubscribe_fastpath.py): the person's row is locked first,
one event per purpose whose value really changes, the state row updated in the same
transaction and pointing at its event, nothing written when the purpose is already off.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from sqlalchemy import bindparam, insert, select, update

from .. import clock
from ..consent import Actor, UnknownPerson, UnknownPurpose, purposes_from_config
from ..consent.ledger import ACTOR_TYPES, SOURCES
from ..consent.notices import ensure_current_notice
from ..extensions import db
from ..models import ConsentEvent, ConsentState, NoticeVersion, Person
from ..requestinfo import device_family, truncate_ip

_people = Person.__table__
_events = ConsentEvent.__table__
_state = ConsentState.__table__
_notices = NoticeVersion.__table__

# Built once with bind parameters: constructing statements costs more than running them.
_LOCK = (
    update(_people).where(_people.c.id == bindparam("pid"))
    .values(consent_version=_people.c.consent_version + 1)
    .returning(_people.c.consent_version)
)
_READ_STATE = (
    select(_state.c.purpose, _state.c.allowed)
    .where(_state.c.person_id == bindparam("pid"),
           _state.c.purpose.in_(bindparam("keys", expanding=True)))
)
_NOTICE = (
    select(_notices.c.version)
    .order_by(_notices.c.published_at.desc(), _notices.c.id.desc()).limit(1)
)
_ADD_EVENT = insert(_events).returning(_events.c.id)
_UPDATE_STATE = (
    update(_state)
    .where(_state.c.person_id == bindparam("pid"), _state.c.purpose == bindparam("key"))
    .values(allowed=bindparam("allowed"), updated_at=bindparam("updated_at"),
            last_event_id=bindparam("last_event_id"))
)
_ADD_STATE = insert(_state)


def withdraw(person_id: int, keys: list[str], actor: Actor) -> list[str]:
    """Set ``keys`` to refused for one person, as ``record_changes(person_id, {key: False})``
    would. Returns the keys that changed. The caller commits."""
    if actor.source not in SOURCES or actor.actor_type not in ACTOR_TYPES:
        raise ValueError(f"unknown source or actor: {actor.source}/{actor.actor_type}")
    purposes = purposes_from_config(current_app.config)
    unknown = [key for key in keys if key not in purposes]
    if unknown:
        raise UnknownPurpose(", ".join(sorted(unknown)))
    # The session's connection, so this shares the caller's transaction.
    connection = db.session.connection()
    # The person's row lock first (as database.lock_person): concurrent changes queue here.
    if connection.execute(_LOCK, {"pid": person_id}).scalar_one_or_none() is None:
        raise UnknownPerson(person_id)
    stored = dict(connection.execute(_READ_STATE, {"pid": person_id, "keys": keys}).all())
    changing = [key for key in keys if _changes(key, stored, purposes[key].default_allowed,
                                                 actor.source)]
    if not changing:
        return []
    now = clock.utcnow()
    notice = (actor.notice_version or connection.execute(_NOTICE).scalar_one_or_none()
              or ensure_current_notice().version)
    context = {
        "person_id": person_id, "new_value": False, "occurred_at": now,
        "source": actor.source, "actor_type": actor.actor_type, "actor_id": actor.actor_id,
        "notice_version": notice, "ip_prefix": truncate_ip(actor.ip),
        "ua_family": device_family(actor.user_agent), "message_ref": actor.message_ref,
    }
    for key in changing:
        event_id = connection.execute(
            _ADD_EVENT, {"purpose": key, "old_value": stored.get(key), **context}
        ).scalar_one()
        values = {"allowed": False, "updated_at": now, "last_event_id": event_id}
        if key in stored:
            connection.execute(_UPDATE_STATE, {"pid": person_id, "key": key, **values})
        else:
            connection.execute(_ADD_STATE, {"person_id": person_id, "purpose": key, **values})
    return changing


def _changes(key: str, stored: dict[str, bool], default: bool, source: str) -> bool:
    """Would refusing ``key`` be a ledger event? Mirrors ``record_changes``: not when it is
    already refused, nor when no row exists and refused is the default (except for GPC,
    which the ledger records once on purpose)."""
    if key not in stored:
        return default or source == "gpc"
    return bool(stored[key])


# (pid, path) -> open file: a lock file per process, never shared across a fork (flock locks
# belong to the open file, so a descriptor inherited from a parent would not exclude it).
_lock_files: dict[tuple[int, str], int] = {}


@contextmanager
def serialised_writes() -> Iterator[None]:
    """On SQLite, queue one-click write transactions of all worker processes on an OS file
    lock. SQLite's own busy handler polls with sleeps growing from 1 to 100 ms, so under a
    burst of one-click POSTs the waiting worker sleeps far longer than the work takes (p50
    50 ms at 2 workers in bench/unsubscribe.py); ``flock`` wakes the next writer at once.
    Other engines (PostgreSQL's row lock) need nothing."""
    engine = db.engine
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    key = (os.getpid(), database)
    if key not in _lock_files:
        _lock_files[key] = os.open(database + ".writers", os.O_RDWR | os.O_CREAT, 0o600)
    descriptor = _lock_files[key]
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
