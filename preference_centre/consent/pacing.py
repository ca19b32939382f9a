"""Fewer messages without stopping them: a pause of all marketing for a while, and a pace
per email topic ("at most weekly").

Both are the person's choices, so both are ledger events (``pause:marketing`` with the end in
``paused_until``; ``pace:email:offers`` with the pace in ``pace``), from which the database
keeps ``pacing_state`` as it keeps consent_state from the purposes. A pause ends by itself:
the contact decision (consent/decisions.py) compares its end with the clock, so no job has
to end it. The pace is enforced by the outbox when a message is about to leave
(messaging/pacing.py).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import current_app
from sqlalchemy import insert, select

from .. import clock
from ..database.person_lock import lock_person
from ..extensions import db
from ..models import ConsentEvent, PacingState
from ..privacy.versions import ensure_first_version, latest_version
from ..requestinfo import device_family, truncate_ip
from .catalogue import purposes_from_config
from .ledger import SOURCES, Actor, LedgerEvent, UnknownPerson

PAUSE = "pause:marketing"
PAUSE_MONTHS = (1, 3, 6)
PACE_PREFIX = "pace:"
AS_IT_HAPPENS, WEEKLY, MONTHLY = "immediate", "weekly", "monthly"
PACES = {AS_IT_HAPPENS: "As it happens", WEEKLY: "At most weekly", MONTHLY: "At most monthly"}
# A message of a paced topic is held back when one of that topic left within these days.
PACE_DAYS = {WEEKLY: 7, MONTHLY: 30}
PACED_CHANNELS = ("email",)

_events, _pacing = ConsentEvent.__table__, PacingState.__table__


class BadChoice(ValueError):
    """A pause length or pace that is not offered, or a topic that cannot be paced."""


def pause_end(now: datetime, months: int) -> datetime:
    """Midnight (UTC) at the start of the day ``months`` calendar months after ``now``'s
    date: marketing starts again on that day (31 January + 1 month: 28 or 29 February)."""
    month0 = now.month - 1 + months
    year, month = now.year + month0 // 12, month0 % 12 + 1
    day = min(now.day, calendar.monthrange(year, month)[1])
    return datetime(year, month, day, tzinfo=UTC)


def paused_until(person_id: int) -> date | None:
    """The day marketing starts again for a person who has paused it, or None when it is
    not paused now (never paused, resumed, or the pause has ended by itself)."""
    end = db.session.execute(
        select(_pacing.c.paused_until).where(_pacing.c.person_id == person_id,
                                             _pacing.c.setting == PAUSE)
    ).scalar_one_or_none()
    return end.date() if end is not None and end > clock.utcnow() else None


def pace_key(purpose: str) -> str:
    return PACE_PREFIX + purpose


def paced_topics() -> list[str]:
    """The purpose keys a pace can be chosen for: every email marketing topic."""
    return [key for key, purpose in purposes_from_config(current_app.config).items()
            if purpose.is_marketing and purpose.channel in PACED_CHANNELS]


def paces(person_id: int) -> dict[str, str]:
    """Every paced topic's pace for the person (``as it happens`` when never chosen)."""
    stored = dict(db.session.execute(
        select(_pacing.c.setting, _pacing.c.pace).where(
            _pacing.c.person_id == person_id, _pacing.c.setting.like(PACE_PREFIX + "%"))
    ).all())
    return {key: stored.get(pace_key(key)) or AS_IT_HAPPENS for key in paced_topics()}


@dataclass(frozen=True)
class PacingChoices:
    """What a preference page shows: the day a running pause ends, and each paced topic's
    pace."""

    paused_until: date | None
    paces: dict[str, str]


def choices(person_id: int) -> PacingChoices:
    """The person's pause and paces, read in one query."""
    rows = db.session.execute(
        select(_pacing.c.setting, _pacing.c.paused_until, _pacing.c.pace)
        .where(_pacing.c.person_id == person_id)
    ).all()
    end = next((row.paused_until for row in rows if row.setting == PAUSE), None)
    stored = {row.setting: row.pace for row in rows}
    return PacingChoices(
        end.date() if end is not None and end > clock.utcnow() else None,
        {key: stored.get(pace_key(key)) or AS_IT_HAPPENS for key in paced_topics()})


def pause(person_id: int, months: int, actor: Actor) -> LedgerEvent:
    """Pause all marketing for ``months`` (1, 3 or 6) from today; a new pause replaces one
    running. In the caller's transaction (the caller commits)."""
    if months not in PAUSE_MONTHS:
        raise BadChoice(f"a pause lasts {', '.join(map(str, PAUSE_MONTHS))} months")
    end = pause_end(clock.utcnow(), months)
    was = _lock(person_id) is not None
    return _write(person_id, PAUSE, was, True, actor, paused_until=end)


def resume(person_id: int, actor: Actor) -> LedgerEvent | None:
    """End a running pause now; None (nothing written) when marketing was not paused."""
    if _lock(person_id) is None:
        return None
    return _write(person_id, PAUSE, True, False, actor)


def set_paces(person_id: int, chosen: dict[str, str], actor: Actor) -> list[LedgerEvent]:
    """Set the pace of each topic in ``chosen`` (purpose key -> pace): one event per topic
    whose pace really changes. ``BadChoice`` (and nothing written) for an unknown topic or
    pace."""
    topics = paced_topics()
    for key, pace in chosen.items():
        if key not in topics or pace not in PACES:
            raise BadChoice(f"no such pace {pace!r} for {key!r}")
    _lock(person_id)
    current = paces(person_id)
    events = []
    for key, pace in chosen.items():
        if current[key] != pace:
            events.append(_write(person_id, pace_key(key), current[key] != AS_IT_HAPPENS,
                                 pace != AS_IT_HAPPENS, actor, pace=pace))
    return events


def _lock(person_id: int) -> datetime | None:
    """Take the person's consent lock (changes queue up, as in the ledger); the end of the
    pause running now, or None."""
    if lock_person(person_id) is None:
        raise UnknownPerson(person_id)
    end = db.session.execute(
        select(_pacing.c.paused_until).where(_pacing.c.person_id == person_id,
                                             _pacing.c.setting == PAUSE)
    ).scalar_one_or_none()
    return end if end is not None and end > clock.utcnow() else None


def _write(person_id: int, setting: str, old: bool, new: bool, actor: Actor, *,
           paused_until: datetime | None = None, pace: str | None = None) -> LedgerEvent:
    if actor.source not in SOURCES:
        raise ValueError(f"unknown source {actor.source}")
    connection = db.session.connection()
    values = {
        "person_id": person_id, "purpose": setting, "old_value": old, "new_value": new,
        "occurred_at": clock.utcnow(), "source": actor.source, "actor_type": actor.actor_type,
        "actor_id": actor.actor_id,
        "notice_version": actor.notice_version or latest_version()
        or ensure_first_version(connection),
        "ip_prefix": truncate_ip(actor.ip), "ua_family": device_family(actor.user_agent),
        "message_ref": actor.message_ref,
    }
    event_id = connection.execute(
        insert(_events).values(**values, paused_until=paused_until, pace=pace)
        .returning(_events.c.id)
    ).scalar_one()
    return LedgerEvent(id=event_id, **values, paused_until=paused_until, pace=pace)
