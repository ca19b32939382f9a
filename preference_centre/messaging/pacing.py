"""The person's pace per email topic, enforced when a message is about to leave: a marketing
message of a topic set to "at most weekly" (or monthly) is not sent when another of that
topic left for the same person within the last 7 (or 30) days. It ends as ``capped``.

Read once per window of messages (one query), then kept up to date as the window's messages
leave, so two messages of one topic in the same window cannot both go.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, literal, select

from ..consent.pacing import PACE_DAYS, PACE_PREFIX, PACED_CHANNELS, PACES
from ..extensions import db
from ..models import OutboxMessage, PacingState

_outbox, _pacing = OutboxMessage.__table__, PacingState.__table__
_LONGEST = max(PACE_DAYS.values())


class Pacing:
    """The paces and last sends that matter for one window: ``(person, purpose)`` -> (pace,
    when the last message of that purpose left, or None)."""

    def __init__(self, rows: Iterable[Any], now: datetime) -> None:
        self.now = now
        wanted = {(row.person_id, row.purpose) for row in rows
                  if row.person_id is not None and row.channel in PACED_CHANNELS}
        self.found: dict[tuple[int, str], list[Any]] = _read(wanted, now) if wanted else {}

    def capped(self, row: Any) -> str | None:
        """Why ``row`` must not leave now (``at most weekly``), or None."""
        found = self.found.get((row.person_id, row.purpose))
        if found is None:
            return None
        pace, last = found
        if last is not None and last > self.now - timedelta(days=PACE_DAYS[pace]):
            return PACES[pace].lower()
        return None

    def sent(self, row: Any) -> None:
        """``row`` has left: the next message of its topic to its person waits its turn."""
        found = self.found.get((row.person_id, row.purpose))
        if found is not None:
            found[1] = self.now


# One prebuilt query for every window (the worker asks it once per window of messages).
_LAST_SENDS = (
    select(_pacing.c.person_id, _pacing.c.setting, _pacing.c.pace, func.max(_outbox.c.sent_at))
    .select_from(_pacing.outerjoin(_outbox, and_(
        _outbox.c.person_id == _pacing.c.person_id,
        literal(PACE_PREFIX) + _outbox.c.purpose == _pacing.c.setting,
        _outbox.c.status == "sent",
        _outbox.c.sent_at > bindparam("since", type_=_outbox.c.sent_at.type))))
    .where(_pacing.c.person_id.in_(bindparam("people", expanding=True)),
           _pacing.c.setting.in_(bindparam("settings", expanding=True)),
           _pacing.c.pace.in_(list(PACE_DAYS)))
    .group_by(_pacing.c.person_id, _pacing.c.setting, _pacing.c.pace)
)


def _read(wanted: set[tuple[int, str]], now: datetime) -> dict[tuple[int, str], list[Any]]:
    """One query: for each person and purpose of the window with a pace set, the pace and
    the last time a message of that purpose was sent to them (within the longest pace)."""
    found = db.session.execute(_LAST_SENDS, {
        "people": sorted({person for person, _ in wanted}),
        "settings": sorted({PACE_PREFIX + purpose for _, purpose in wanted}),
        "since": now - timedelta(days=_LONGEST),
    }).all()
    result = {}
    for person_id, setting, pace, last in found:
        key = (person_id, setting.removeprefix(PACE_PREFIX))
        if key in wanted:
            result[key] = [pace, last]
    return result
