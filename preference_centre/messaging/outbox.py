"""The outbox worker: claim what is due, check consent again, send, record the outcome.

A claim (status ``sending``, who, when) is committed before anything is sent, so workers that
run at once never take the same row: on PostgreSQL the claim uses ``FOR UPDATE SKIP LOCKED``;
SQLite serialises writers, and runs one worker. A worker that dies mid-batch leaves rows in
``sending``; after ``OUTBOX_CLAIM_TIMEOUT_SECONDS`` another worker puts them back in the queue
(a message may then leave twice, never zero times).

A batch goes out in windows of ``WINDOW`` messages. Just before a window leaves, consent is
read for all of its marketing messages in one query (``consent.may_contact_many``, the same
rules as ``may_contact``); once it has left, its outcomes are written (the sent rows in one
statement) and committed. So a withdrawal committed before a window starts is always honoured,
and a worker that dies resends at most the windows it had not yet recorded.

Two of the person's own choices hold marketing back at that moment too: a pause (the decision
says "paused until ..."; the row ends ``paused`` and is never sent, then or later) and their
pace for the topic (messaging/pacing.py, read once per window; the row ends ``capped``).

The worker logs counts only: never addresses, bodies or links.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, select, update

from .. import clock
from ..extensions import db
from ..models import OutboxMessage
from .batch import Batch
from .senders import sender_factories

log = logging.getLogger(__name__)
OUTCOMES = ("sent", "retry", "failed", "dead", "suppressed", "cancelled", "paused", "capped")
_table = OutboxMessage.__table__
# Messages per consent query and per recorded outcome: at ~2 ms a message a window leaves
# within about 0.2 s of its consent check, and costs one query and one commit instead of 100.
WINDOW = 100
# What sending reads of a claimed row (not its timestamps, status or last error).
_COLUMNS = [_table.c[name] for name in (
    "id", "person_id", "campaign_id", "channel", "purpose", "recipient", "subject",
    "body_text", "body_html", "message_id", "attempts", "next_attempt_at",
)]


def worker_name() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{threading.get_ident() % 100000}"


def reclaim_stale() -> int:
    """Put rows claimed by a worker that stopped answering back in the queue."""
    timeout = float(current_app.config["OUTBOX_CLAIM_TIMEOUT_SECONDS"])
    result = db.session.execute(
        update(_table)
        .where(_table.c.status == "sending",
               _table.c.claimed_at < clock.utcnow() - timedelta(seconds=timeout))
        .values(status="queued", claimed_by=None, claimed_at=None)
    )
    return result.rowcount or 0


def claim_due(limit: int, worker: str) -> list[int]:
    """Mark up to ``limit`` due rows as ours (committed), oldest first; their ids."""
    now = clock.utcnow()
    due = (
        select(_table.c.id)
        .where(_table.c.status == "queued", _table.c.next_attempt_at <= now,
               _table.c.channel.in_(list(sender_factories())))
        .order_by(_table.c.next_attempt_at, _table.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = db.session.execute(
        update(_table)
        .where(_table.c.id.in_(due.scalar_subquery()), _table.c.status == "queued")
        .values(status="sending", claimed_by=worker, claimed_at=now)
        .returning(_table.c.id)
    ).scalars().all()
    db.session.commit()
    return sorted(ids)


def deliver_due(batch: int | None = None, worker: str | None = None) -> dict[str, int]:
    """Send up to ``batch`` due messages (one connection per channel); counts by outcome."""
    config = current_app.config
    counts = dict.fromkeys(OUTCOMES, 0)
    reclaim_stale()
    ids = claim_due(batch or int(config["OUTBOX_BATCH_SIZE"]), worker or worker_name())
    if not ids:
        return counts
    rows = db.session.execute(
        select(*_COLUMNS).where(_table.c.id.in_(ids)).order_by(_table.c.id)
    ).all()
    sending = Batch(config, rows)
    try:
        for start in range(0, len(rows), WINDOW):
            outcomes = sending.run(rows[start:start + WINDOW])
            _record(outcomes)
            # Committed per window: a worker killed now resends this window never again, and
            # SQLite's write lock is held for one statement, not for the whole batch.
            db.session.commit()
            for outcome in outcomes:
                counts[outcome["outcome"]] += 1
    finally:
        sending.close()
    log.info("outbox batch: %s", " ".join(f"{k}={v}" for k, v in counts.items() if v))
    return counts


def _record(outcomes: list[dict[str, Any]]) -> None:
    """Write one window's outcomes: the sent rows in one statement (normally the whole
    window), every other row with its own values."""
    sent = [outcome["_id"] for outcome in outcomes if outcome["outcome"] == "sent"]
    if sent:
        db.session.execute(
            update(_table).where(_table.c.id.in_(sent)).values(
                status="sent", attempts=_table.c.attempts + 1, sent_at=clock.utcnow(),
                last_error=None, claimed_by=None, claimed_at=None,
            )
        )
    others = [{k: v for k, v in outcome.items() if k != "outcome"}
              for outcome in outcomes if outcome["outcome"] != "sent"]
    if others:
        db.session.execute(
            update(_table).where(_table.c.id == bindparam("_id")).values(
                status=bindparam("_status"), attempts=bindparam("_attempts"),
                next_attempt_at=bindparam("_next"), last_error=bindparam("_error"),
                claimed_by=None, claimed_at=None,
            ),
            others,
        )
