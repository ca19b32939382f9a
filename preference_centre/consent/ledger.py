"""Writing to the append-only consent ledger and keeping the current state in step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

from .. import clock
from ..database import lock_person
from ..extensions import db
from ..models import ConsentEvent, ConsentState
from ..requestinfo import device_family, truncate_ip
from .catalogue import purposes_from_config
from .notices import ensure_current_notice, latest_notice

SOURCES = ("form", "signup", "email_link", "one_click", "staff", "api", "retention", "gpc",
           "sms_stop", "import", "cookie_banner")
ACTOR_TYPES = ("person", "staff", "api", "system")


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


def current_notice_version() -> str | None:
    """The version of the notice in force, or None before any is published (read-only)."""
    latest = latest_notice()
    return latest.version if latest is not None else None


def current_state(person_id: int) -> dict[str, bool]:
    """Every purpose of the catalogue with its current answer (defaults filled in)."""
    purposes = purposes_from_config(current_app.config)
    stored = dict(db.session.execute(
        db.select(ConsentState.purpose, ConsentState.allowed)
        .where(ConsentState.person_id == person_id)
    ).all())
    return {key: stored.get(key, p.default_allowed) for key, p in purposes.items()}


def stored_state(person_id: int) -> dict[str, bool]:
    """Only the answers a person (or someone for them) actually gave; defaults left out."""
    return dict(db.session.execute(
        db.select(ConsentState.purpose, ConsentState.allowed)
        .where(ConsentState.person_id == person_id)
    ).all())


def record_changes(person_id: int, changes: dict[str, bool], actor: Actor) -> list[ConsentEvent]:
    """Apply ``changes`` (purpose -> allowed) for one person: one ledger event for each value
    that really changes, state updated in the same transaction. The caller commits.

    The person's row is locked first, so concurrent changes queue up and each reads the
    state the previous one left: no event is lost and the state equals the last event.
    """
    if actor.source not in SOURCES or actor.actor_type not in ACTOR_TYPES:
        raise ValueError(f"unknown source or actor: {actor.source}/{actor.actor_type}")
    purposes = purposes_from_config(current_app.config)
    unknown = [key for key in changes if key not in purposes]
    if unknown:
        raise UnknownPurpose(", ".join(sorted(unknown)))
    if lock_person(person_id) is None:
        raise UnknownPerson(person_id)
    stored = {
        row.purpose: row for row in db.session.execute(
            db.select(ConsentState).where(
                ConsentState.person_id == person_id, ConsentState.purpose.in_(list(changes))
            )
        ).scalars()
    }
    now = clock.utcnow()
    # Every event names the notice shown; the first event of a fresh install creates "1".
    notice = actor.notice_version or ensure_current_notice().version
    events = []
    for key, allowed in changes.items():
        row = stored.get(key)
        old = row.allowed if row is not None else None
        effective_old = old if old is not None else purposes[key].default_allowed
        if effective_old == bool(allowed) and row is not None:
            continue
        if row is None and effective_old == bool(allowed) and actor.source != "gpc":
            # Re-stating the default is not a change (GPC is recorded once on purpose).
            continue
        event = ConsentEvent(
            person_id=person_id, purpose=key, old_value=old, new_value=bool(allowed),
            occurred_at=now, source=actor.source, actor_type=actor.actor_type,
            actor_id=actor.actor_id, notice_version=notice, ip_prefix=truncate_ip(actor.ip),
            ua_family=device_family(actor.user_agent), message_ref=actor.message_ref,
        )
        db.session.add(event)
        db.session.flush()
        if row is None:
            row = ConsentState(person_id=person_id, purpose=key)
            db.session.add(row)
        row.allowed = bool(allowed)
        row.updated_at = now
        row.last_event_id = event.id
        events.append(event)
    return events


def record_change(person_id: int, purpose: str, allowed: bool, actor: Actor) -> ConsentEvent | None:
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
    actor_type, notice_version): enough to tell the story, cheaper than full objects."""
    return list(db.session.execute(
        db.select(ConsentEvent.purpose, ConsentEvent.new_value, ConsentEvent.occurred_at,
                  ConsentEvent.source, ConsentEvent.actor_type, ConsentEvent.notice_version)
        .where(ConsentEvent.person_id == person_id)
        .order_by(ConsentEvent.occurred_at.desc(), ConsentEvent.id.desc()).limit(limit)
    ).all())
