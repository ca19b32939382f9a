"""Looking a person up by exact email address for staff: their answer per purpose, since
when and how, and the whole ledger in plain words. Marketing staff see the email address and
no other contact detail (``PersonRecord.for_role``)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from ..consent import may_contact, purposes_from_config
from ..consent.catalogue import CONTRACT, LEGITIMATE_INTERESTS
from ..extensions import db
from ..models import ConsentEvent, ConsentState, Person
from ..people import find_person_by_email
from ..preferences.history import (
    SOURCE_WORDS,
    change_words,
    is_on_request,
    request_words,
    short_date,
)

# The customer's own history says "you"; staff read about the person.
STAFF_ACTOR_WORDS = {"person": "the person", "staff": "staff", "api": "our systems",
                     "system": "we"}
FULL_RECORD_ROLES = ("privacy", "admin")


@dataclass(frozen=True)
class PurposeAnswer:
    key: str
    title: str
    basis: str
    allowed: bool  # the stored answer, or the purpose's default
    stored: bool  # False: nobody has answered, the default applies
    may_contact_now: bool | None  # the contact decision (None: not a contact purpose)
    reason: str  # why, in the decision's words
    since: datetime | None  # when the stored answer was given (None: default)
    source: str | None  # the path, in words ("one-click unsubscribe")
    actor: str | None
    notice_version: str | None
    how: str | None = None  # source and actor in words, as the page's "How" column says


@dataclass(frozen=True)
class HistoryLine:
    occurred_at: datetime
    words: str  # "On 24 Nov 2026 the person turned on Offers by email (preference page, ...)"
    purpose: str
    new_value: bool
    source: str
    actor_type: str
    notice_version: str | None


@dataclass(frozen=True)
class PersonRecord:
    person_id: int
    email: str
    status: str
    created_at: datetime
    restricted_at: datetime | None
    answers: list[PurposeAnswer]
    history: list[HistoryLine]  # newest first
    name: str | None = None
    phone: str | None = None
    address: str | None = None

    def for_role(self, role: str) -> PersonRecord:
        """What a staff role may see: the privacy team (and admins) the whole record;
        marketing the email address and choices, no other contact detail."""
        if role in FULL_RECORD_ROLES:
            return self
        return dataclasses.replace(self, name=None, phone=None, address=None)


def staff_words(event: ConsentEvent, purposes: dict) -> str:
    """An event as the customer's history tells it, told about the person."""
    who = STAFF_ACTOR_WORDS.get(event.actor_type, "we")
    what = change_words(event.purpose, event.new_value, purposes,
                        paused_until=event.paused_until, pace=event.pace)
    if is_on_request(event):  # the person's choice, written down by a colleague
        what = what.replace("withdrew your objection", "withdrew their objection")
        notice = f" (privacy notice v{event.notice_version})" if event.notice_version else ""
        return (f"On {short_date(event.occurred_at)} staff recorded, at the person's request"
                f"{request_words(event)}, that the person {what}{notice}")
    what = what.replace("withdrew your objection", "withdrew the objection")
    how = SOURCE_WORDS.get(event.source, event.source)
    notice = f", privacy notice v{event.notice_version}" if event.notice_version else ""
    return f"On {short_date(event.occurred_at)} {who} {what} ({how}{notice})"


def how_words(event: ConsentEvent) -> str:
    """The "How" of the current answer: ``one-click unsubscribe, by the person`` or, for a
    choice staff recorded, ``by staff, at the person's request by phone call``."""
    if is_on_request(event):
        return f"by staff, at the person's request{request_words(event)}"
    source = SOURCE_WORDS.get(event.source, event.source)
    return f"{source}, by {STAFF_ACTOR_WORDS.get(event.actor_type, 'we')}"


def look_up_person(email: str, role: str = "marketing") -> PersonRecord | None:
    """The person with exactly this address (found by its keyed hash, as everywhere), seen
    as ``role`` sees them; None when nobody has it. The caller audits the look-up."""
    if not email or not email.strip():
        return None
    person = find_person_by_email(email)
    if person is None:
        return None
    return person_record(person, role)


def person_record(person: Person, role: str = "marketing") -> PersonRecord:
    """Everything the look-up shows of ``person``, seen as ``role`` sees them. The caller
    audits the look-up."""
    purposes = purposes_from_config(current_app.config)
    events = list(db.session.execute(
        select(ConsentEvent).where(ConsentEvent.person_id == person.id)
        .order_by(ConsentEvent.occurred_at.desc(), ConsentEvent.id.desc())).scalars())
    by_id = {event.id: event for event in events}
    states = {row.purpose: row for row in db.session.execute(
        select(ConsentState).where(ConsentState.person_id == person.id)).scalars()}
    answers = []
    for key, purpose in purposes.items():
        state = states.get(key)
        event = by_id.get(state.last_event_id) if state and state.last_event_id else None
        if purpose.channel and purpose.topic:
            decision = may_contact(person.id, purpose.channel, purpose.topic)
            now, reason = decision.allowed, decision.reason
        else:
            now, reason = None, _basis_words(purpose.basis, state)
        answers.append(PurposeAnswer(
            key=key, title=purpose.title, basis=purpose.basis,
            allowed=state.allowed if state else purpose.default_allowed,
            stored=state is not None, may_contact_now=now, reason=reason,
            since=state.updated_at if state else None,
            source=SOURCE_WORDS.get(event.source, event.source) if event else None,
            actor=STAFF_ACTOR_WORDS.get(event.actor_type) if event else None,
            notice_version=event.notice_version if event else None,
            how=how_words(event) if event else None,
        ))
    history = [HistoryLine(e.occurred_at, staff_words(e, purposes), e.purpose, e.new_value,
                           e.source, e.actor_type, e.notice_version) for e in events]
    record = PersonRecord(
        person_id=person.id, email=person.email, status=person.status,
        created_at=person.created_at, restricted_at=person.restricted_at, answers=answers,
        history=history, name=person.name, phone=person.phone, address=person.address)
    return record.for_role(role)


def _basis_words(basis: str, state: ConsentState | None) -> str:
    if basis == CONTRACT:
        return "needed for the service (contract)"
    if state is None:
        return "legitimate interests" if basis == LEGITIMATE_INTERESTS else "never asked"
    if state.allowed:
        return "consent given" if basis != LEGITIMATE_INTERESTS else "objection withdrawn"
    return "objected" if basis == LEGITIMATE_INTERESTS else "consent withdrawn"
