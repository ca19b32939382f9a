"""Requests under Articles 15-22: objection, restriction, rectification (emailed export and
erasure links for people without an account are in ``emailed_links``).

Each request has a status the person sees and a due date one calendar month from receipt
(Art 12(3)). Direct-marketing objections and restriction take effect at once; other
objections and rectification disputes wait for the privacy officer (the staff console).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app

from .. import clock, consent
from ..consent.catalogue import LEGITIMATE_INTERESTS
from ..extensions import db
from ..models import Person, RightsRequest
from .dates import add_months

KINDS = ("object", "restrict", "rectify", "export", "erase")
OPEN_STATUSES = ("received", "in_progress")
STATUS_LABELS = {"received": "Received", "in_progress": "Being handled",
                 "completed": "Done", "refused": "Refused",
                 "lapsed": "Lapsed: the emailed link was not used"}
ALL_MARKETING = "marketing:all"


class RequestRejected(ValueError):
    """The request cannot be made as asked; the message says why, in plain words."""


class RequestNotFound(LookupError):
    """No such request for this person."""


def due_date(received_at: datetime) -> datetime:
    """One calendar month from receipt: 31 January is due on 28 (or 29) February."""
    return add_months(received_at, 1)


def create_request(person_id: int, kind: str, details: str | None = None,
                   status: str = "received", resolution: str | None = None) -> RightsRequest:
    if kind not in KINDS:
        raise RequestRejected(f"unknown kind of request: {kind}")
    now = clock.utcnow()
    row = RightsRequest(
        reference="DR-" + secrets.token_hex(4).upper(), person_id=person_id, kind=kind,
        status=status, received_at=now, due_at=due_date(now), details=details or None,
    )
    if status == "completed":
        row.resolved_at, row.resolution = now, resolution
    db.session.add(row)
    db.session.flush()
    return row


def objection_choices() -> dict[str, str]:
    """What a person may object to: every legitimate-interests purpose, and all marketing."""
    purposes = consent.purposes_from_config(current_app.config)
    choices = {ALL_MARKETING: "All direct marketing, by any channel"}
    choices.update({key: p.title for key, p in purposes.items()
                    if p.basis == LEGITIMATE_INTERESTS})
    return choices


def object_to_processing(person_id: int, purpose: str, reason: str | None,
                         actor: consent.Actor) -> RightsRequest:
    """Direct marketing stops at once (Art 21(3) leaves no balancing to do); any other
    objection goes to the privacy officer, who weighs it (Art 21(1))."""
    purposes = consent.purposes_from_config(current_app.config)
    if purpose not in objection_choices():
        raise RequestRejected("Choose what you object to.")
    if purpose == ALL_MARKETING or purposes[purpose].is_marketing:
        keys = (consent.marketing_purposes(purposes) if purpose == ALL_MARKETING
                else [purpose])
        consent.record_changes(person_id, dict.fromkeys(keys, False), actor)
        return create_request(person_id, "object", f"{purpose}: {reason or ''}".strip(),
                              status="completed", resolution="Direct marketing stopped at once.")
    return create_request(person_id, "object", f"{purpose}: {reason or ''}".strip())


def restrict_processing(person: Person, grounds: str | None) -> RightsRequest:
    """Art 18: from now on nothing but storage happens to the person's data (the contact
    decision refuses marketing while ``restricted_at`` is set)."""
    if person.restricted_at is not None:
        raise RequestRejected("Processing of your data is already restricted.")
    person.restricted_at = clock.utcnow()
    return create_request(person.id, "restrict", grounds, status="in_progress")


def lift_restriction(person: Person) -> None:
    """The person asks for the restriction to end; open restriction requests are closed."""
    if person.restricted_at is None:
        raise RequestRejected("Processing of your data is not restricted.")
    person.restricted_at = None
    now = clock.utcnow()
    for row in open_requests(person.id, "restrict"):
        row.status, row.resolved_at = "completed", now
        row.resolution = "Restriction lifted at your request."


def request_rectification(person_id: int, details: str) -> RightsRequest:
    if not details.strip():
        raise RequestRejected("Tell us what is wrong and what it should say.")
    return create_request(person_id, "rectify", details.strip())


def open_requests(person_id: int, kind: str) -> list[RightsRequest]:
    return list(db.session.execute(db.select(RightsRequest).where(
        RightsRequest.person_id == person_id, RightsRequest.kind == kind,
        RightsRequest.status.in_(OPEN_STATUSES),
    )).scalars())


def person_requests(person_id: int) -> list[RightsRequest]:
    return list(db.session.execute(
        db.select(RightsRequest).where(RightsRequest.person_id == person_id)
        .order_by(RightsRequest.received_at.desc(), RightsRequest.id.desc())
    ).scalars())


def get_request(person_id: int, request_id: int) -> RightsRequest:
    """The person's own request; another person's id is indistinguishable from none."""
    row = db.session.get(RightsRequest, request_id)
    if row is None or row.person_id != person_id:
        raise RequestNotFound(request_id)
    return row
