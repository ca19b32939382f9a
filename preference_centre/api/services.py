"""What the API does, as plain functions: the views only parse, call these and answer.

Consent goes through the ledger (``consent.record_changes``) and contact questions through
``consent.may_contact``, exactly as on the web. A grant from the API is someone else's word
for the person's choice, so it keeps the rule of ``consent/rules.py``: it needs its evidence,
must have been captured after the person's latest refusal, and never reaches an address or
number on the suppression list. A refused request answers 409 and writes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app

from .. import clock, crypto
from ..consent import (
    Actor,
    Decision,
    Evidence,
    GrantRefused,
    check_grants,
    current_state,
    may_contact,
    purposes_from_config,
    record_changes,
)
from ..consent.ledger import LedgerEvent
from ..extensions import db
from ..messaging import orders as order_messages
from ..models import AuditEvent, Communication, ExternalRecord, Order, Person
from ..people import find_person_by_email, new_person


class NotFound(LookupError):
    """No such person or order."""


class Conflict(RuntimeError):
    """The request is well formed but cannot be done; the message says why."""


class GrantConflict(Conflict):
    """A grant the consent rules refuse (no evidence, captured before a refusal, an
    address or number on the suppression list)."""


def api_actor(key_prefix: str, evidence: Evidence | None = None) -> Actor:
    return Actor(source="api", actor_type="api", actor_id=key_prefix, evidence=evidence)


def changeable_purposes() -> set[str]:
    """Purposes a caller may set: everything optional (contract purposes are not choices)."""
    return {key for key, p in purposes_from_config(current_app.config).items() if p.optional}


def get_person(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None:
        raise NotFound("No such person.")
    return person


def check_contact(channel: str, topic: str, *, email: str | None = None,
                  person_id: int | None = None) -> Decision:
    """May the caller contact this person now? Someone we do not know is simply "unknown",
    so the answer reveals nothing about who is or was a customer."""
    person = find_person_by_email(email) if email else db.session.get(Person, person_id or 0)
    if person is None:
        return Decision(False, "unknown")
    return may_contact(person.id, channel, topic)


def consent_overview(person: Person) -> dict[str, Any]:
    purposes = purposes_from_config(current_app.config)
    return {
        "person_id": person.id,
        "status": person.status,
        "restricted": person.restricted_at is not None,
        "purposes": {
            key: {"allowed": allowed, "basis": purposes[key].basis,
                  "title": purposes[key].title}
            for key, allowed in current_state(person.id).items()
        },
    }


def _check(person: Person | None, email: str, consents: dict[str, bool],
           evidence: Evidence | None) -> None:
    """The consent rules, asked before anything is written."""
    try:
        check_grants(person.id if person else None, consents, "api", evidence,
                     email_hash=None if person else crypto.email_hash(email))
    except GrantRefused as exc:
        raise GrantConflict(str(exc)) from exc


def change_consents(person: Person, consents: dict[str, bool], key_prefix: str,
                    evidence: Evidence | None = None) -> list[LedgerEvent]:
    """Record the changes in the ledger as made by the API key. The caller commits."""
    _check(person, person.email, consents, evidence)
    return record_changes(person.id, consents, api_actor(key_prefix, evidence))


def find_or_create_person(email: str, *, key_prefix: str, key_name: str,
                          name: str | None = None, consents: dict[str, bool] | None = None,
                          verified: bool = False, source_note: str | None = None,
                          evidence: Evidence | None = None,
                          ) -> tuple[Person, bool, list[LedgerEvent]]:
    """The person with this address, created (origin ``api``) if new, with ``consents``
    recorded. Nothing is written when a grant is refused. The caller commits."""
    consents = consents or {}
    person = find_person_by_email(email)
    # Checked before anything is created, so a refusal leaves nothing half-written.
    _check(person, email, consents, evidence)
    created = person is None
    if person is None:
        person = new_person(email, origin="api", status="active" if verified else "pending",
                            name=name)
        db.session.add(AuditEvent(person_id=person.id, actor_type="api", actor_id=key_prefix,
                                  action="person_created", occurred_at=clock.utcnow()))
    if created and source_note:
        # Where the calling system got the data: shown to the person as its source.
        db.session.add(ExternalRecord(person_id=person.id, source=f"api:{key_name}"[:40],
                                      description=source_note[:200],
                                      received_at=clock.utcnow()))
    actor = api_actor(key_prefix, evidence)
    events = record_changes(person.id, consents, actor) if consents else []
    return person, created, events


def record_consent_event(email: str, purpose: str, granted: bool, evidence: Evidence,
                         key_prefix: str) -> tuple[Person, list[LedgerEvent]]:
    """A choice another system captured from the person (``POST /consent-events``): a
    withdrawal always takes effect, a grant only as the consent rules allow. Raises
    ``NotFound`` for an address we do not hold. The caller commits."""
    person = find_person_by_email(email)
    if person is None:
        raise NotFound("No person with this address; create them with POST /api/v1/people.")
    return person, change_consents(person, {purpose: granted}, key_prefix, evidence)


def create_order(person_id: int, reference: str, product: str, amount_pence: int,
                 currency: str = "GBP") -> Order:
    """A new order; restarts the person's retention clock and queues the confirmation.
    The caller commits."""
    person = get_person(person_id)
    if db.session.execute(db.select(Order.id).where(Order.reference == reference)).first():
        raise Conflict(f"An order with reference {reference} already exists.")
    now = clock.utcnow()
    order = Order(person_id=person.id, reference=reference, product=product,
                  amount_pence=amount_pence, currency=currency, status="confirmed",
                  ordered_at=now, updated_at=now)
    db.session.add(order)
    # A purchase stops the retention clock, and any reminder already sent no longer applies.
    person.last_purchase_at = now
    person.retention_warned_at = None
    db.session.flush()
    _notify("confirmed", order)
    return order


def get_order(reference: str) -> Order:
    order = db.session.execute(
        db.select(Order).where(Order.reference == reference)
    ).scalar_one_or_none()
    if order is None:
        raise NotFound("No such order.")
    return order


def update_order(reference: str, status: str | None, note: str | None) -> Order:
    """Change an order's status and tell the customer (a service message). The caller commits."""
    order = get_order(reference)
    if status is None and not note:
        raise Conflict("Nothing to change: give a status, a note, or both.")
    if status is not None:
        order.status = status
    order.updated_at = clock.utcnow()
    db.session.flush()
    _notify("changed", order, note)
    return order


def _notify(event: str, order: Order, note: str | None = None) -> None:
    """Queue the order message through the messaging feature."""
    if event == "confirmed":
        order_messages.send_order_confirmed(order)
    else:
        order_messages.send_order_changed(order, note)


def add_communication(person_id: int, channel: str, direction: str, summary: str | None,
                      occurred_at: datetime | None) -> Communication:
    """Record an email, web chat or phone call with the person. The caller commits."""
    person = get_person(person_id)
    row = Communication(person_id=person.id, channel=channel, direction=direction,
                        summary=summary, occurred_at=occurred_at or clock.utcnow())
    db.session.add(row)
    db.session.flush()
    return row
