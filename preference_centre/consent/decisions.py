"""The one answer everyone asks: may we contact this person for this purpose now?

Messaging, campaigns, the API and the console call these functions; nobody else reads the
consent tables to decide whether to contact someone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, not_, or_, select

from .. import clock
from ..extensions import db
from ..models import ConsentState, PacingState, Person, Suppression
from .catalogue import CONTRACT, purposes_from_config
from .pacing import PAUSE

PAUSED = "paused until "


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def paused(self) -> bool:
        """Refused only because the person has paused marketing for now."""
        return self.reason.startswith(PAUSED)


_people, _state = Person.__table__, ConsentState.__table__
_suppressions, _pacing = Suppression.__table__, PacingState.__table__
# Everything one decision needs, in one prebuilt query: the worker asks this once per message
# (bench/outbox.py), so building statements per call cost more than running them.
_FACT_COLUMNS = (
    _people.c.id,
    _people.c.status,
    _people.c.restricted_at,
    exists().where(_suppressions.c.kind == "email",
                   _suppressions.c.value_hash == _people.c.email_hash).label("suppressed"),
    # A number that replied STOP gets no marketing text, whoever holds it now.
    exists().where(_suppressions.c.kind == "phone",
                   _suppressions.c.value_hash == _people.c.phone_hash).label("stopped"),
    select(_state.c.allowed)
    .where(_state.c.person_id == _people.c.id, _state.c.purpose == bindparam("key"))
    .scalar_subquery().label("allowed"),
    # When the person's pause of all marketing ends (a past end: it has ended by itself).
    select(_pacing.c.paused_until)
    .where(_pacing.c.person_id == _people.c.id, _pacing.c.setting == PAUSE)
    .scalar_subquery().label("paused_until"),
)
_FACTS = select(*_FACT_COLUMNS).where(_people.c.id == bindparam("pid"))
# The same facts for many people at once: the outbox asks per window of messages.
_MANY_FACTS = select(*_FACT_COLUMNS).where(_people.c.id.in_(bindparam("pids", expanding=True)))


def may_contact(person_id: int, channel: str, topic: str | None) -> Decision:
    """For a marketing topic on a channel (``email``, ``offers``), or ``topic=None`` for a
    service message: is contact allowed right now, and why (or why not)?"""
    key = None if topic is None else f"{channel}:{topic}"
    db.session.flush()  # decide on what this transaction has written, as the ORM would
    facts = db.session.connection().execute(_FACTS, {"pid": person_id, "key": key}).first()
    return _decide(facts, key, clock.utcnow())


def may_contact_many(person_ids: Iterable[int], channel: str,
                     topic: str | None) -> dict[int, Decision]:
    """:func:`may_contact` for many people and one purpose, read in one query: each id's
    decision (an unknown id gets "no such person")."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    key = None if topic is None else f"{channel}:{topic}"
    db.session.flush()
    found = {facts.id: facts for facts in db.session.connection().execute(
        _MANY_FACTS, {"pids": ids, "key": key})}
    now = clock.utcnow()
    return {person_id: _decide(found.get(person_id), key, now) for person_id in ids}


def _decide(facts: Any, key: str | None, now: datetime) -> Decision:
    """The rules, applied to one person's facts (a row of ``_FACT_COLUMNS``, or ``None``)."""
    if facts is None:
        return Decision(False, "no such person")
    if key is None:
        return Decision(True, "service message (contract)")
    purpose = purposes_from_config(current_app.config).get(key)
    if purpose is None:
        return Decision(False, f"unknown purpose {key}")
    if purpose.basis == CONTRACT:
        return Decision(True, "contract")
    if facts.status != "active":
        return Decision(False, "address not confirmed")
    if facts.restricted_at is not None:
        return Decision(False, "processing restricted (Art 18)")
    if facts.suppressed:
        return Decision(False, "on the suppression list")
    if facts.stopped and key.startswith("sms:"):
        return Decision(False, "the number replied STOP")
    stored = facts.allowed
    allowed = purpose.default_allowed if stored is None else stored
    if not allowed:
        return Decision(False, "objected" if purpose.default_allowed else "no consent")
    # A pause holds back what would otherwise be sent; a refusal says more than a pause.
    if purpose.is_marketing and facts.paused_until is not None and facts.paused_until > now:
        return Decision(False, f"{PAUSED}{facts.paused_until.date().isoformat()}")
    return Decision(True, "consent given" if stored is not None else "legitimate interests")


def audience(channel: str, topic: str) -> Select:
    """A query of the ids of everyone ``may_contact`` would allow for this purpose, for bulk
    sends. Kept beside ``may_contact`` so both apply the same rules."""
    return select(Person.id).where(reachable(channel, [topic])).order_by(Person.id)


def reachable(channel: str, topics: list[str], person: Any = Person) -> ColumnElement[bool]:
    """The condition, on a row of ``person`` (the ``Person`` entity or an alias of it), that
    ``may_contact`` allows at least one of the channel's ``topics`` right now: what
    ``audience`` selects, and what the suppression list leaves out, in one place."""
    purposes = purposes_from_config(current_app.config)
    found = []
    for topic in topics:
        key = f"{channel}:{topic}"
        if key not in purposes:
            raise ValueError(f"unknown purpose {key}")
        found.append((key, purposes[key]))
    # What stops everyone, whatever their answer.
    rules = [person.restricted_at.is_(None),
             not_(exists().where(Suppression.kind == "email",
                                 Suppression.value_hash == person.email_hash))]
    if channel == "sms":
        rules.append(not_(exists().where(
            Suppression.kind == "phone", Suppression.value_hash == person.phone_hash)))
    # Every purpose of one channel is marketing, or none is: a pause holds back all of them.
    if any(purpose.is_marketing for _key, purpose in found):
        rules.append(not_(exists().where(
            PacingState.person_id == person.id, PacingState.setting == PAUSE,
            PacingState.paused_until > clock.utcnow())))
    # Consent purposes need a stored yes (one look-up for all of them); legitimate interests
    # run unless objected to.
    consented = [key for key, purpose in found if not purpose.default_allowed]
    options = [exists().where(ConsentState.person_id == person.id,
                              ConsentState.purpose.in_(consented),
                              ConsentState.allowed.is_(True))] if consented else []
    for key, purpose in found:
        if purpose.default_allowed:
            state = select(ConsentState.allowed).where(
                ConsentState.person_id == person.id, ConsentState.purpose == key
            ).scalar_subquery()
            options.append(or_(state.is_(None), state.is_(True)))
    # The person's own answer first: it is what leaves most people out, and the database
    # stops at the first condition that fails.
    return and_(person.status == "active", or_(*options), *rules)
