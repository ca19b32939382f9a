"""Writing to the append-only consent ledger and keeping the current state in step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import Insert, Select, Update, bindparam, insert, select
from sqlalchemy.engine import Connection

from .. import clock
from ..database.person_lock import PERSON_LOCK, lock_person
from ..database.postgresql import is_postgresql
from ..extensions import db
from ..models import ConsentEvent, ConsentState
from ..privacy.versions import LATEST_VERSION, ensure_first_version, latest_version
from ..requestinfo import device_family, truncate_ip
from .catalogue import purposes_from_config
from .rules import OWN, Evidence, after_own_grants, check_grants

SOURCES = ("form", "signup", "email_link", "one_click", "staff", "api", "retention", "gpc",
           "sms_stop", "import", "cookie_banner", "register", "sms_start", "undo")
ACTOR_TYPES = ("person", "staff", "api", "system")
# The "staff on request" path (CONTRACT.md): how the person asked a colleague to record their
# choice, written into the event's collection_point as "staff on request: phone call", so
# the ledger itself says how the request came and the history can tell it.
ASKED_BY = {"phone": "phone call", "letter": "letter", "email": "email",
            "in_person": "in person"}
ON_REQUEST = "staff on request: "


def asked_by(collection_point: str | None) -> str | None:
    """How the person asked (``phone call``) when a colleague recorded a choice for them,
    read from the event's collection_point; None for any other event."""
    if collection_point and collection_point.startswith(ON_REQUEST):
        return collection_point.removeprefix(ON_REQUEST)
    return None


# What must stop at once when a person refuses a purpose, registered by the feature that
# does the processing (auth forgets sign-in networks when security monitoring is objected
# to). Each handler runs in the ledger's transaction, on its connection.
RefusalHandler = Callable[[int, Connection], None]
_ON_REFUSAL: dict[str, list[RefusalHandler]] = {}


def on_refusal(purpose: str, handler: RefusalHandler) -> None:
    """Call ``handler(person_id, connection)`` whenever ``purpose`` is set to refused."""
    if handler not in _ON_REFUSAL.setdefault(purpose, []):
        _ON_REFUSAL[purpose].append(handler)


class UnknownPurpose(ValueError):
    """The purpose key is not in the catalogue."""


class UnknownPerson(LookupError):
    """No person with that id."""


@dataclass(frozen=True)
class Actor:
    """Who made a change and through which path, with minimised request context."""

    source: str
    actor_type: str = "person"
    actor_id: str | None = None
    ip: str | None = None
    user_agent: str | None = None
    message_ref: str | None = None
    notice_version: str | None = None
    # What another system gave with a choice it captured (see consent/rules.py).
    evidence: Evidence | None = None


def current_notice_version() -> str | None:
    """The version of the notice in force, or None before any is published (read-only)."""
    return latest_version()


@dataclass(frozen=True, slots=True)
class LedgerEvent:
    """One event as written, with the attribute names of :class:`ConsentEvent`. Writers
    return these instead of ORM objects: the rows are written with Core statements, and
    loading them back as objects would cost more than writing them."""

    id: int
    person_id: int
    purpose: str
    old_value: bool | None
    new_value: bool
    occurred_at: datetime
    source: str
    actor_type: str
    actor_id: str | None
    notice_version: str | None
    ip_prefix: str | None
    ua_family: str | None
    message_ref: str | None
    captured_at: datetime | None = None
    collection_point: str | None = None
    wording: str | None = None
    paused_until: datetime | None = None  # pause events (consent/pacing.py)
    pace: str | None = None  # pace events


_events, _state = ConsentEvent.__table__, ConsentState.__table__
# Built once with bind parameters, so no request builds a statement and SQLAlchemy's
# compiled cache finds each one by its shape: on the one-click path building and compiling
# cost more than running them.
_STATE_OF = (
    select(_state.c.purpose, _state.c.allowed).where(_state.c.person_id == bindparam("pid"))
)
_ADD_EVENT: Insert = insert(_events).returning(_events.c.id)


@cache
def _lock_and_read(count: int) -> Update:
    """The person lock whose RETURNING also gives the notice version in force and the stored
    answer (or NULL) for ``count`` purposes bound as ``k0``, ``k1``...: one round trip where
    there were three, on the path every one-click takes. Only where the statement reads
    after it has the lock (SQLite); PostgreSQL reads with the snapshot the statement began
    with, before it waited, so there the answers need a statement of their own."""
    answers = [
        select(_state.c.allowed)
        .where(_state.c.person_id == bindparam("pid"), _state.c.purpose == bindparam(f"k{n}"))
        .scalar_subquery()
        for n in range(count)
    ]
    return PERSON_LOCK.returning(LATEST_VERSION.scalar_subquery(), *answers)


@cache
def _read_answers(count: int) -> Select:
    """The stored answers for ``count`` purposes bound as ``k0``, ``k1``... (PostgreSQL reads
    them after taking the lock)."""
    keys = [bindparam(f"k{n}") for n in range(count)]
    return _STATE_OF.where(_state.c.purpose.in_(keys))


def current_state(person_id: int) -> dict[str, bool]:
    """Every purpose of the catalogue with its current answer (defaults filled in)."""
    purposes = purposes_from_config(current_app.config)
    stored = stored_state(person_id)
    return {key: stored.get(key, p.default_allowed) for key, p in purposes.items()}


def stored_state(person_id: int) -> dict[str, bool]:
    """Only the answers a person (or someone for them) actually gave; defaults left out."""
    return dict(db.session.connection().execute(_STATE_OF, {"pid": person_id}).all())


def record_changes(person_id: int, changes: dict[str, bool], actor: Actor, *,
                   connection: Connection | None = None) -> list[LedgerEvent]:
    """Apply ``changes`` (purpose -> allowed) for one person: one ledger event for each value
    that really changes, state updated in the same transaction. The caller commits.
    Written in the session's transaction, or on ``connection`` for a caller that writes
    nothing else (one-click: a session costs more than the write). A grant by anyone but
    the person must pass ``rules.check_grants`` (else ``GrantRefused``, nothing written).

    The person's row is locked first, so concurrent changes queue up and each reads the
    state the previous one left: no event is lost and the state equals the last event.
    Rows are written with Core statements on the session's connection (same transaction);
    ORM ``ConsentState`` objects already loaded in the session are not refreshed.
    """
    if actor.source not in SOURCES or actor.actor_type not in ACTOR_TYPES:
        raise ValueError(f"unknown source or actor: {actor.source}/{actor.actor_type}")
    purposes = purposes_from_config(current_app.config)
    unknown = [key for key in changes if key not in purposes]
    if unknown:
        raise UnknownPurpose(", ".join(sorted(unknown)))
    keys = list(changes)
    named = {f"k{n}": key for n, key in enumerate(keys)}
    inline = 0 if is_postgresql() else len(keys)
    locked = lock_person(person_id, _lock_and_read(inline), connection=connection,
                         **(named if inline else {}))
    if locked is None:  # lock_person flushes pending ORM work first (a new person)
        raise UnknownPerson(person_id)
    connection = connection or db.session.connection()
    if inline:
        stored = {key: value for key, value in zip(keys, locked[2:], strict=True)
                  if value is not None}
    else:  # PostgreSQL, or nothing asked
        stored = dict(connection.execute(_read_answers(len(keys)), {"pid": person_id, **named})
                      .all() if keys else [])
    if actor.actor_type != OWN:  # the rule for grants by others, under the lock
        check_grants(person_id, changes, actor.actor_type, actor.evidence,
                     connection=connection)
    wanted = {key: bool(allowed) for key, allowed in changes.items()
              if _is_change(stored.get(key), bool(allowed), purposes[key].default_allowed,
                            actor.source)}
    if not wanted:
        return []
    now = clock.utcnow()
    evidence = actor.evidence
    if evidence is not None:  # another system's evidence names what the person was shown
        notice = evidence.notice_version
    else:  # every event names the notice shown; the first of a fresh install creates "1"
        notice = actor.notice_version or locked[1] or ensure_first_version(connection)
    context = {
        "person_id": person_id, "occurred_at": now, "source": actor.source,
        "actor_type": actor.actor_type, "actor_id": actor.actor_id, "notice_version": notice,
        "ip_prefix": truncate_ip(actor.ip), "ua_family": device_family(actor.user_agent),
        "message_ref": actor.message_ref,
        "captured_at": evidence.captured_at if evidence else None,
        "collection_point": evidence.collection_point if evidence else None,
        "wording": evidence.wording if evidence else None,
    }
    events = []
    for key, allowed in wanted.items():
        # The database sets consent_state from the new row (models/consent.py).
        values = {"purpose": key, "old_value": stored.get(key), "new_value": allowed, **context}
        event_id = connection.execute(_ADD_EVENT, values).scalar_one()
        events.append(LedgerEvent(id=event_id, **values))
        if not allowed:
            for handler in _ON_REFUSAL.get(key, ()):
                handler(person_id, connection)
    if actor.actor_type == OWN:
        after_own_grants(person_id, [key for key, allowed in wanted.items() if allowed],
                         actor.source, connection)
    return events


def _is_change(old: bool | None, allowed: bool, default: bool, source: str) -> bool:
    """Is setting a purpose to ``allowed`` a ledger event? Not when the stored answer is
    already so; with no stored answer, not when ``allowed`` is the default, except for GPC,
    which is recorded once on purpose."""
    if old is not None:
        return old != allowed
    return allowed != default or source == "gpc"


def record_change(person_id: int, purpose: str, allowed: bool, actor: Actor) -> LedgerEvent | None:
    """One purpose; the event, or None when the value was already so."""
    events = record_changes(person_id, {purpose: allowed}, actor)
    return events[0] if events else None


def history(person_id: int, limit: int | None = None) -> list[ConsentEvent]:
    """Every ledger event of a person (or the newest ``limit``), newest first."""
    query = (
        db.select(ConsentEvent).where(ConsentEvent.person_id == person_id)
        .order_by(ConsentEvent.occurred_at.desc(), ConsentEvent.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.execute(query).scalars())


def history_summary(person_id: int, limit: int) -> list[Any]:
    """The newest ``limit`` events as light rows (purpose, new_value, occurred_at, source,
    actor_type, notice_version, paused_until, pace, collection_point): enough to tell the
    story, cheaper than full objects."""
    return list(db.session.execute(
        db.select(ConsentEvent.purpose, ConsentEvent.new_value, ConsentEvent.occurred_at,
                  ConsentEvent.source, ConsentEvent.actor_type, ConsentEvent.notice_version,
                  ConsentEvent.paused_until, ConsentEvent.pace, ConsentEvent.collection_point)
        .where(ConsentEvent.person_id == person_id)
        .order_by(ConsentEvent.occurred_at.desc(), ConsentEvent.id.desc()).limit(limit)
    ).all())
