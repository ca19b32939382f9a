"""Marketing texts and "STOP" replies.

Texts are queued in the outbox (channel ``sms``) rather than sent on the spot: the worker
re-checks consent just before sending, retries a provider outage with back-off and records
the outcome, exactly as for email (see ``outbox.py`` here for the sender it uses).
"""

from __future__ import annotations

import uuid

from flask import current_app
from sqlalchemy import select

from .. import clock, crypto, links
from ..consent import (
    Actor,
    lift_suppression,
    marketing_purposes,
    purposes_from_config,
    record_changes,
)
from ..extensions import db
from ..models import OutboxMessage, Person, Suppression

# Replies that mean "stop all marketing texts" (the common UK/US provider keywords).
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
# Replies that end a STOP (the providers' own keywords for it).
START_WORDS = frozenset({"START", "UNSTOP"})


class TextRefused(ValueError):
    """The text cannot be queued (unknown topic, no phone number); the message says why."""


def compose_text(body: str, opt_out: str) -> str:
    """The text as sent: the body, then a short line with the signed opt-out link."""
    return f"{body.rstrip()}\nStop texts: {opt_out}"


def queue_text(person: Person, topic: str, body: str) -> OutboxMessage:
    """Queue a marketing text about ``topic`` (``offers``...) for ``person``; consent is
    checked when it is sent. The caller commits."""
    purpose = f"sms:{topic}"
    if purpose not in marketing_purposes(purposes_from_config(current_app.config), "sms"):
        raise TextRefused(f"{purpose} is not a text-message marketing purpose")
    if not person.phone:
        raise TextRefused("this person has no phone number")
    if not body.strip():
        raise TextRefused("the text is empty")
    row = OutboxMessage(
        person_id=person.id, channel="sms", purpose=purpose, kind="text",
        message_id=f"<sms-{uuid.uuid4().hex}@text>", status="queued",
        next_attempt_at=clock.utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    # The row id is the link's message reference: short, and ties an opt-out to this text.
    row.body_text = compose_text(body, links.one_click_link(person.id, "sms", topic, row.id))
    return row


def _keyword(text: str) -> str:
    return text.strip().strip(".!").strip().upper()


def is_stop_reply(text: str) -> bool:
    """The whole reply is one keyword ("Stop", " STOP. "), as providers match them: a reply
    such as "Stop by the shop?" is a conversation, not an opt-out."""
    return _keyword(text) in STOP_WORDS


def is_start_reply(text: str) -> bool:
    """The whole reply is START or UNSTOP."""
    return _keyword(text) in START_WORDS


def opt_out_number(number: str) -> int:
    """Stop all marketing texts to ``number``: everyone with it gets every ``sms:`` purpose
    refused (source ``sms_stop``), and the number goes on the suppression list, so no
    marketing text reaches it whoever holds it later and whoever asks, until START or the
    person's own tick (consent/rules.py). Returns how many people were opted out. The
    caller commits."""
    digits = crypto.normalise_phone(number)
    if not digits:
        raise ValueError("the sender's number is missing")
    value_hash = crypto.phone_hash(number)
    people = db.session.execute(
        select(Person.id).where(Person.phone_hash == value_hash).order_by(Person.id)
    ).scalars().all()
    keys = marketing_purposes(purposes_from_config(current_app.config), "sms")
    for person_id in people:
        actor = Actor(source="sms_stop", actor_type="person", actor_id=str(person_id))
        record_changes(person_id, {key: False for key in keys}, actor)
    if not _suppressed(value_hash):
        db.session.add(Suppression(kind="phone", value_hash=value_hash, reason="sms_stop",
                                   created_at=clock.utcnow()))
    return len(people)


def opt_in_number(number: str) -> bool:
    """A START (or UNSTOP) reply from ``number`` ends its STOP: the number leaves the
    suppression list (a ledger event for each person holding it). Consents refused by the
    STOP stay refused: each purpose is turned on again only by its own positive action.
    True when the number was on the list. The caller commits."""
    if not crypto.normalise_phone(number):
        raise ValueError("the sender's number is missing")
    value_hash = crypto.phone_hash(number)
    people = db.session.execute(
        select(Person.id).where(Person.phone_hash == value_hash).order_by(Person.id)
    ).scalars().all()
    return lift_suppression(people, "phone", value_hash, "sms_start")


def _suppressed(value_hash: str) -> bool:
    return db.session.execute(
        select(Suppression.id).where(Suppression.kind == "phone",
                                     Suppression.value_hash == value_hash)
    ).first() is not None
