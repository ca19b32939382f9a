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
import random
import socket
import threading
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, select, update

from .. import clock
from ..consent.decisions import Decision, may_contact_many
from ..extensions import db
from ..models import Campaign, OutboxMessage, Person
from .campaigns import CampaignRenderer
from .compose import SERVICE, Content, unsubscribe_topic
from .pacing import Pacing
from .senders import Contact, Sender, sender_factories
from .transport import DeliveryError

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


def retry_delay(attempts: int, config: Any) -> timedelta:
    """Exponential backoff with jitter: about base * 2^(attempts-1), capped; the random half
    keeps many failed messages from all coming back at the same second."""
    base = float(config.get("OUTBOX_RETRY_SECONDS", 60))
    ceiling = float(config.get("OUTBOX_RETRY_MAX_SECONDS", 6 * 3600))
    delay = min(base * 2 ** max(attempts - 1, 0), ceiling)
    return timedelta(seconds=delay / 2 + random.uniform(0, delay / 2))


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
    sending = _Batch(config, rows)
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


class _Batch:
    """What one batch shares: the people, compiled campaigns and senders.

    Each window is checked, then each of its messages composed and sent in turn on this
    thread. (Sending on a background thread while composing the next message was tried: with
    the GIL shared it gave nothing measurable in bench/outbox.py, with or without a shorter
    switch interval.)"""

    def __init__(self, config: Any, rows: list[Any]) -> None:
        self.config = config
        self.contacts = _contacts({row.person_id for row in rows if row.person_id})
        self.renderers = _renderers({row.campaign_id for row in rows if row.campaign_id})
        self.senders: dict[str, Sender] = {}
        # channel -> the error that lost its connection: the rest of the batch waits.
        self.broken: dict[str, DeliveryError] = {}

    def run(self, rows: list[Any]) -> list[dict[str, Any]]:
        """Check consent for ``rows`` (one window) now, then send them: each row's outcome,
        sent or why not (suppressed, cancelled, a failure)."""
        decisions = self._decisions(rows)
        pacing = Pacing([row for row in rows if row.purpose != SERVICE], clock.utcnow())
        outcomes = []
        for row in rows:
            capped = pacing.capped(row) if row.purpose != SERVICE else None
            outcome = self.send_safely(row, decisions.get(row.id), capped)
            if outcome["outcome"] == "sent":
                pacing.sent(row)
            outcomes.append(outcome)
        return outcomes

    def close(self) -> None:
        for sender in self.senders.values():
            sender.close()

    def _decisions(self, rows: list[Any]) -> dict[int, Decision]:
        """The consent decision for each marketing row whose person exists, by row id: one
        query per purpose (a window usually holds one campaign, so one query)."""
        wanted: dict[tuple[str, str], list[Any]] = {}
        for row in rows:
            if row.purpose != SERVICE and row.person_id in self.contacts:
                wanted.setdefault((row.channel, unsubscribe_topic(row.purpose)), []).append(row)
        decisions = {}
        for (channel, topic), group in wanted.items():
            by_person = may_contact_many([row.person_id for row in group], channel, topic)
            decisions.update((row.id, by_person[row.person_id]) for row in group)
        return decisions

    def send_safely(self, row: Any, decision: Decision | None,
                    capped: str | None = None) -> dict[str, Any]:
        """:meth:`send`, turning a surprise (a broken template, an unreadable DKIM key)
        into a retry for this row, so the rest of the batch still goes and is recorded."""
        try:
            return self.send(row, decision, capped)
        except Exception as exc:  # noqa: BLE001 - logged by type only: messages hold data
            log.error("outbox: %s while sending message %d", type(exc).__name__, row.id)
            return self._failure(row, DeliveryError(type(exc).__name__, temporary=True))

    def send(self, row: Any, decision: Decision | None,
             capped: str | None = None) -> dict[str, Any]:
        """Compose and send ``row``, a marketing row only if ``decision`` (its consent
        decision, read just before its window) allows it and its topic's pace is not
        ``capped`` (why, if so): its outcome."""
        contact = self.contacts.get(row.person_id)
        if contact is None:
            return _outcome(row, "cancelled", "person erased")
        if row.purpose != SERVICE and not decision:
            if decision is not None and decision.paused:
                return _outcome(row, "paused", decision.reason)
            return _outcome(row, "suppressed", decision.reason if decision else "no decision")
        if capped is not None:
            return _outcome(row, "capped", capped)
        if row.channel in self.broken:  # the connection failed earlier in this batch
            return self._failure(row, self.broken[row.channel])
        sender = self._sender(row.channel)
        try:
            sender.send(row, contact, self._content(row, contact))
        except DeliveryError as error:
            if error.connection_lost:
                self.broken[row.channel] = error
            return self._failure(row, error)
        return _outcome(row, "sent", None)

    def _content(self, row: Any, contact: Contact) -> Content:
        if row.campaign_id is not None:
            return self.renderers[row.campaign_id].render(contact)
        return Content(row.subject or "", row.body_text or "", row.body_html)

    def _sender(self, channel: str) -> Sender:
        if channel not in self.senders:
            self.senders[channel] = sender_factories()[channel](self.config)
        return self.senders[channel]

    def _failure(self, row: Any, error: DeliveryError) -> dict[str, Any]:
        attempts = row.attempts + 1
        if not error.temporary:
            return _outcome(row, "failed", error.reason, attempts=attempts)
        if attempts >= int(self.config["OUTBOX_MAX_ATTEMPTS"]):
            return _outcome(row, "dead", error.reason, attempts=attempts)
        return _outcome(row, "retry", error.reason, attempts=attempts,
                        next_at=clock.utcnow() + retry_delay(attempts, self.config))


def _outcome(row: Any, outcome: str, error: str | None, *, attempts: int | None = None,
             next_at: Any = None) -> dict[str, Any]:
    return {
        "outcome": outcome, "_id": row.id,
        "_status": "queued" if outcome == "retry" else outcome,
        "_attempts": row.attempts if attempts is None else attempts,
        "_next": next_at or row.next_attempt_at, "_error": error,
    }


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


def _contacts(person_ids: set[int]) -> dict[int, Contact]:
    """The batch's people in one Core query (an ORM load cost as much as the decryption): only
    the columns a message needs are read, so the other encrypted fields are never decrypted."""
    if not person_ids:
        return {}
    people = Person.__table__
    found = db.session.execute(
        select(people.c.id, people.c.email, people.c.name, people.c.phone)
        .where(people.c.id.in_(person_ids))
    )
    return {row.id: Contact(*row) for row in found}


def _renderers(campaign_ids: set[int]) -> dict[int, CampaignRenderer]:
    if not campaign_ids:
        return {}
    found = db.session.execute(
        select(Campaign.id, Campaign.subject, Campaign.body_text, Campaign.body_html)
        .where(Campaign.id.in_(campaign_ids))
    ).all()
    return {row.id: CampaignRenderer(row.subject, row.body_text, row.body_html)
            for row in found}
