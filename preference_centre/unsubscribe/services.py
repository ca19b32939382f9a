"""Unsubscribing from a signed link: what a link covers, recording the opt-out, undoing it
and the anonymous "why?".

The link itself is the authority: whoever holds it may stop the marketing it names for the
person it names, whoever is logged in, and undo that one unsubscribe straight after. Nothing
here reads the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from .. import tokens
from ..app_cache import cached
from ..consent import Actor, Purpose, UnknownPerson, purposes_from_config, record_changes
from ..consent.catalogue import CHANNELS, MARKETING_CHANNELS, TOPICS
from ..database.person_lock import lock_person
from ..extensions import db
from ..models import Person, UnsubscribeFeedback

# What the anonymous "why?" form offers; only the key is stored.
REASONS = {
    "too_many": "You sent too many messages",
    "not_relevant": "The messages were not relevant to me",
    "never_signed_up": "I never signed up for these",
    "other_way": "I prefer to hear from you another way",
    "other": "Another reason",
}
# How long the page after an unsubscribe may undo it or send a reason.
RECEIPT_LIFETIME = timedelta(days=7)
# Plural nouns for buttons: "Stop offers emails", "Stop offers text messages".
CHANNEL_NOUNS = {"email": "emails", "sms": "text messages", "phone": "calls", "post": "post"}
MESSAGE_REF_MAX = 64  # ConsentEvent.message_ref


class LinkInvalid(ValueError):
    """The link is malformed, tampered with, for another purpose or for nobody we know."""


class UndoUnavailable(LookupError):
    """The person's consent has been written since the unsubscribe (a choice they made since,
    from any path, or this undo already done): undoing now would overwrite a later choice."""


@dataclass(frozen=True)
class Receipt:
    """What one unsubscribe changed, as the forms on its page carry it back."""

    changed: list[str]
    everything: bool
    # The person's consent version just after the unsubscribe (every consent write bumps it
    # under the person lock); None when there is nothing to undo.
    version: int | None = None


@dataclass(frozen=True)
class UnsubscribeLink:
    person_id: int
    channel: str
    topic: str  # a topic key, or "*" for all marketing on the channel
    message_ref: str

    @property
    def topic_label(self) -> str:
        """``offers emails``, or ``marketing emails`` for the whole channel."""
        topic = "marketing" if self.topic == "*" else TOPICS.get(self.topic, self.topic).lower()
        return f"{topic} {CHANNEL_NOUNS.get(self.channel, self.channel)}"


def read_link(token: str) -> UnsubscribeLink:
    """The verified link, or :class:`LinkInvalid`. Checks signature, shape and that the
    channel and topic name marketing purposes of the catalogue; not that the person exists."""
    try:
        person_id, channel, topic, message_ref = tokens.read_unsubscribe_token(token)
    except tokens.TokenInvalid as exc:
        raise LinkInvalid(str(exc)) from exc
    link = UnsubscribeLink(person_id, channel, topic, message_ref[:MESSAGE_REF_MAX])
    if channel not in MARKETING_CHANNELS or not scope_purposes(link, everything=False):
        raise LinkInvalid("link names no marketing we send")
    return link


def scope_purposes(link: UnsubscribeLink, *, everything: bool) -> list[str]:
    """The purpose keys an unsubscribe stops: the link's topic, every marketing topic on its
    channel (``*``), or every marketing purpose on every channel (``everything``). Worked
    out once per app and scope: the catalogue is fixed when the app starts."""
    def build() -> tuple[str, ...]:
        purposes = purposes_from_config(current_app.config)
        return tuple(name for name, purpose in purposes.items()
                     if _in_scope(purpose, link, everything))

    name = f"unsubscribe.scope.{link.channel}.{link.topic}.{everything}"
    return list(cached(current_app, name, build))


def _in_scope(purpose: Purpose, link: UnsubscribeLink, everything: bool) -> bool:
    if not purpose.is_marketing:
        return False
    if everything:
        return True
    return purpose.channel == link.channel and link.topic in ("*", purpose.topic)


def describe_scope(link: UnsubscribeLink, *, everything: bool) -> list[str]:
    """Titles of what will stop, for the page."""
    purposes = purposes_from_config(current_app.config)
    return [purposes[key].title for key in scope_purposes(link, everything=everything)]


def channel_names() -> str:
    """"email, text message, phone and post" for the "all marketing" explanation."""
    names = [CHANNELS[c].lower() for c in MARKETING_CHANNELS]
    return ", ".join(names[:-1]) + " and " + names[-1]


def find_person(link: UnsubscribeLink) -> Person:
    person = db.session.get(Person, link.person_id)
    if person is None:
        raise LinkInvalid("the person this link was for is not on our records")
    return person


def unsubscribe(link: UnsubscribeLink, *, everything: bool, ip: str | None = None,
                user_agent: str | None = None, for_undo: bool = False) -> Receipt:
    """Stop the link's marketing (or all of it) for the link's person, source ``one_click``,
    in a transaction of its own, committed here. The receipt names the purposes that really
    changed (none on a repeat) and, ``for_undo`` (the page, not a mailbox provider), the
    person's consent version after the change. Mailbox providers post these in bursts and
    the write is all the request does, so it goes on a plain connection: no ORM session to
    set up and close."""
    actor = Actor(source="one_click", actor_type="person", actor_id=str(link.person_id),
                  ip=ip, user_agent=user_agent, message_ref=link.message_ref)
    version = None
    try:
        with db.engine.begin() as connection:
            events = record_changes(
                link.person_id, dict.fromkeys(scope_purposes(link, everything=everything), False),
                actor, connection=connection)
            if events and for_undo:  # still under the person lock taken for the change
                version = connection.scalar(
                    select(Person.consent_version).where(Person.id == link.person_id))
    except UnknownPerson as exc:
        raise LinkInvalid("the person this link was for is not on our records") from exc
    return Receipt([event.purpose for event in events], everything, version)


def make_receipt(link: UnsubscribeLink, receipt: Receipt) -> str:
    """The signed receipt for the undo and "why?" forms."""
    return tokens.make_token("unsubscribe_receipt",
                             {"p": link.person_id, "k": receipt.changed,
                              "all": receipt.everything, "v": receipt.version})


def read_receipt(link: UnsubscribeLink, receipt: str) -> Receipt:
    """The receipt, if it was made for this link's person, else :class:`LinkInvalid`."""
    try:
        data = tokens.read_token("unsubscribe_receipt", receipt, RECEIPT_LIFETIME)
    except tokens.TokenInvalid as exc:
        raise LinkInvalid("this form has expired; open the link in your message again") from exc
    if not isinstance(data, dict) or data.get("p") != link.person_id:
        raise LinkInvalid("this form does not belong to this link")
    keys = [str(key) for key in data.get("k") or []]
    version = data.get("v")
    return Receipt(keys, bool(data.get("all")), version if isinstance(version, int) else None)


def undo_unsubscribe(link: UnsubscribeLink, receipt: Receipt, *, ip: str | None = None,
                     user_agent: str | None = None) -> list[str]:
    """Allow again exactly the purposes the receipt's unsubscribe stopped (each was allowed
    before it), source ``undo``, once, and only if nothing has written the person's
    consent since: a later choice of theirs, from any path, stands, and so does a first undo
    (a double submit, a replay). Raises :class:`UndoUnavailable` otherwise. Checked under
    the person lock, so of two concurrent undos the second sees the first. Returns the
    purposes restored. The caller commits (or rolls back on an error)."""
    locked = lock_person(link.person_id)
    if locked is None:
        raise LinkInvalid("the person this link was for is not on our records")
    # The lock has just bumped the version once more: equal means no write in between.
    if receipt.version is None or locked[0] != receipt.version + 1:
        raise UndoUnavailable(link.person_id)
    purposes = purposes_from_config(current_app.config)
    keys = [key for key in receipt.changed if key in purposes and purposes[key].is_marketing]
    # Its own source, so the person's history says "undo of an unsubscribe", not a link.
    actor = Actor(source="undo", actor_type="person", actor_id=str(link.person_id),
                  ip=ip, user_agent=user_agent, message_ref=link.message_ref)
    events = record_changes(link.person_id, {key: True for key in keys}, actor)
    return [event.purpose for event in events]


def record_reason(link: UnsubscribeLink, reason: str, *, everything: bool) -> UnsubscribeFeedback:
    """Store why, anonymously: channel, topic and reason, never the person. Caller commits."""
    if reason not in REASONS:
        raise ValueError("choose one of the reasons listed")
    row = UnsubscribeFeedback(channel=link.channel, topic="all" if everything else link.topic,
                              reason=reason)
    db.session.add(row)
    return row
