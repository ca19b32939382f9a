"""What the outbox could not deliver, for staff: counts by status, the failed and dead
messages (never their address or content), and putting them back in the queue once the
cause is fixed. The command line uses this now; the console will show the same."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from .. import clock
from ..extensions import db
from ..models import OutboxMessage
from .outbox import OUTCOMES

# A row waits (queued), is claimed (sending), then ends as an outcome; "retry" is queued.
STATUSES = ("queued", "sending", *(outcome for outcome in OUTCOMES if outcome != "retry"))
UNDELIVERED = ("failed", "dead")
_table = OutboxMessage.__table__


@dataclass(frozen=True)
class Undelivered:
    """A message that gave up: what it was and why, nothing that names or reaches a person
    (the error text has addresses replaced when it is recorded)."""

    id: int
    status: str
    kind: str
    channel: str
    purpose: str
    campaign_id: int | None
    attempts: int
    created_at: datetime
    last_error: str | None


def counts() -> dict[str, int]:
    """Messages per status, every status listed (zero included)."""
    found = dict(db.session.execute(
        select(_table.c.status, func.count()).group_by(_table.c.status)).all())
    return {status: int(found.get(status, 0)) for status in STATUSES}


def undelivered(limit: int = 50) -> list[Undelivered]:
    """The newest ``limit`` failed or dead messages, newest first."""
    rows = db.session.execute(
        select(_table.c.id, _table.c.status, _table.c.kind, _table.c.channel,
               _table.c.purpose, _table.c.campaign_id, _table.c.attempts,
               _table.c.created_at, _table.c.last_error)
        .where(_table.c.status.in_(UNDELIVERED))
        .order_by(_table.c.created_at.desc(), _table.c.id.desc()).limit(limit)
    ).all()
    return [Undelivered(*row) for row in rows]


def requeue(ids: Sequence[int] = (), statuses: Sequence[str] = (), kind: str | None = None) -> int:
    """Put failed or dead messages back in the queue, due now, with their attempts reset:
    those with the given ids and every message in the given statuses, only of ``kind`` if
    given (a message keeps the body it was composed with, so an old sign-in link is better
    left than resent). Other messages are left alone (a sent one is never sent again).
    Consent is still checked when each one leaves. Returns how many were requeued; the
    caller commits."""
    wanted = [status for status in statuses if status in UNDELIVERED]
    chosen = []
    if ids:
        chosen.append(_table.c.id.in_(list(ids)))
    if wanted:
        chosen.append(_table.c.status.in_(wanted))
    if not chosen:
        return 0
    narrowed = [_table.c.kind == kind] if kind else []
    result = db.session.execute(
        update(_table)
        .where(_table.c.status.in_(UNDELIVERED), db.or_(*chosen), *narrowed)
        .values(status="queued", attempts=0, next_attempt_at=clock.utcnow(),
                last_error=None, claimed_by=None, claimed_at=None)
    )
    return result.rowcount or 0
