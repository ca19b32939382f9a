"""One outbox batch on its way: its messages checked a window at a time, composed, handed
to their channel's sender, and each one's outcome (see outbox.py for claims and records)."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from .. import clock
from ..consent.decisions import Decision, may_contact_many
from ..extensions import db
from ..models import Campaign, Person
from .campaigns import CampaignRenderer
from .compose import SERVICE, Content, unsubscribe_topic
from .pacing import Pacing
from .senders import Contact, Sender, sender_factories
from .transport import DeliveryError

log = logging.getLogger(__name__)


def retry_delay(attempts: int, config: Any) -> timedelta:
    """Exponential backoff with jitter: about base * 2^(attempts-1), capped; the random half
    keeps many failed messages from all coming back at the same second."""
    base = float(config.get("OUTBOX_RETRY_SECONDS", 60))
    ceiling = float(config.get("OUTBOX_RETRY_MAX_SECONDS", 6 * 3600))
    delay = min(base * 2 ** max(attempts - 1, 0), ceiling)
    return timedelta(seconds=delay / 2 + random.uniform(0, delay / 2))


class Batch:
    """What one batch shares: the people, compiled campaigns and senders.

    Each window is checked, then its messages go in turn on this thread: each is composed
    before the answer to the one before is read, so the server checks one message while the
    next is built. (Sending on a background thread instead was tried: with the GIL shared it
    gave nothing measurable in bench/outbox.py.)"""

    def __init__(self, config: Any, rows: list[Any]) -> None:
        self.config = config
        self.contacts = read_contacts({row.person_id for row in rows if row.person_id})
        self.renderers = _renderers({row.campaign_id for row in rows if row.campaign_id})
        self.senders: dict[str, Sender] = {}
        # channel -> the error that lost its connection: the rest of the batch waits.
        self.broken: dict[str, DeliveryError] = {}
        self.waiting: tuple[Any, Sender] | None = None  # started, its answer not read yet

    def run(self, rows: list[Any]) -> list[dict[str, Any]]:
        """Check consent for ``rows`` (one window) now, then send them: each row's outcome,
        sent or why not (suppressed, cancelled, a failure)."""
        decisions = self._decisions(rows)
        pacing = Pacing([row for row in rows if row.purpose != SERVICE], clock.utcnow())
        outcomes = []
        for row in rows:
            done, prepared = self.prepare(row, decisions.get(row.id))
            # Only now the answer to the message before: its server checked it meanwhile.
            # Pace and connection are judged after it, as if it had been read at once.
            outcomes += self.finish(pacing)
            if prepared is not None:
                done = self.start(row, prepared, pacing)
            if done is not None:
                outcomes.append(done)
        return outcomes + self.finish(pacing)

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

    def prepare(self, row: Any, decision: Decision | None,
                ) -> tuple[dict[str, Any] | None, tuple[Sender, Any] | None]:
        """``row`` composed by its channel's sender, or its outcome if it must not go: its
        person erased, a marketing row that ``decision`` (its consent decision, read just
        before its window) does not allow, its channel's connection lost earlier in the
        batch, or a message that cannot be composed."""
        contact = self.contacts.get(row.person_id)
        if contact is None:
            return _outcome(row, "cancelled", "person erased"), None
        if row.purpose != SERVICE and not decision:
            if decision is not None and decision.paused:
                return _outcome(row, "paused", decision.reason), None
            return _outcome(row, "suppressed", decision.reason if decision else "no decision"), None
        if row.channel in self.broken:  # not composed: it would wait anyway
            return self._failure(row, self.broken[row.channel]), None
        prepared, failed = self._attempt(row, lambda: self._composed(row, contact))
        return failed, prepared

    def start(self, row: Any, prepared: tuple[Sender, Any], pacing: Pacing,
              ) -> dict[str, Any] | None:
        """Hand ``row`` over unless its topic's pace is used up or its channel's connection
        was lost (by the answer read just before): None once started, or its outcome."""
        if row.purpose != SERVICE and (capped := pacing.capped(row)) is not None:
            return _outcome(row, "capped", capped)
        if row.channel in self.broken:
            return self._failure(row, self.broken[row.channel])
        sender, message = prepared
        _, failed = self._attempt(row, lambda: sender.start(message))
        if failed is None:
            self.waiting = (row, sender)
        return failed

    def finish(self, pacing: Pacing) -> list[dict[str, Any]]:
        """The outcome of the message started last, once its server has answered (none if
        no message is waiting)."""
        if self.waiting is None:
            return []
        row, sender = self.waiting
        self.waiting = None
        _, failed = self._attempt(row, sender.finish)
        if failed is not None:
            return [failed]
        pacing.sent(row)
        return [_outcome(row, "sent", None)]

    def _attempt(self, row: Any, action: Callable[[], Any]) -> tuple[Any, dict[str, Any] | None]:
        """``action()``'s result, or the row's outcome when it failed: a refusal as the
        sender reported it, a surprise (a broken template, an unreadable DKIM key) as a
        retry for this row, so the rest of the batch still goes and is recorded."""
        try:
            return action(), None
        except DeliveryError as error:
            if error.connection_lost:
                self.broken[row.channel] = error
            return None, self._failure(row, error)
        except Exception as exc:  # noqa: BLE001 - logged by type only: messages hold data
            log.error("outbox: %s while sending message %d", type(exc).__name__, row.id)
            return None, self._failure(row, DeliveryError(type(exc).__name__, temporary=True))

    def _composed(self, row: Any, contact: Contact) -> tuple[Sender, Any]:
        sender = self._sender(row.channel)
        return sender, sender.prepare(row, contact, self._content(row, contact))

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


def read_contacts(person_ids: set[int]) -> dict[int, Contact]:
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
