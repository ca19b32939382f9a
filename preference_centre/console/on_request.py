"""Recording a choice a person asked a colleague to make for them: the "staff on request"
path of CONTRACT.md's ledger (a phone call, a letter, an email, a visit).

The ledger event names the colleague (actor ``staff`` and their account id) and carries the
evidence of the request: when the person asked, how (``staff on request: phone call``) and,
for a grant, the notice version or wording they were given. The rule every writer keeps
(``consent/rules.py``) then decides, under the person's lock: a withdrawal or an objection
always takes effect; a grant only with that evidence, only when the person asked after
their own latest refusal, never for an address or number on the suppression list and never
while processing is restricted. A refused grant raises ``GrantRefused`` with the reason and
writes nothing; the caller rolls back and may then note the attempt
(``note_refused_request``). Every recorded choice is in the staff audit log, by purpose and
path only: no personal data. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from .. import clock
from ..consent import Actor, Evidence, purposes_from_config, record_changes
from ..consent.catalogue import on_request_purposes
from ..consent.ledger import ASKED_BY, ON_REQUEST, LedgerEvent
from ..models import StaffUser
from ..privacy.versions import shown_version
from ..staff.audit import record_audit

RECORDED, REFUSED = "person.consent_recorded", "person.consent_refused"


class NotRecordable(ValueError):
    """The request cannot be recorded as given (a purpose staff may not set, an unknown
    way of asking, a time in the future); the message says why."""


@dataclass(frozen=True)
class PersonsRequest:
    """What the person asked for, as the colleague took it down."""

    purpose: str
    allowed: bool
    asked_by: str  # a key of ``ASKED_BY``
    asked_at: datetime  # when the person asked (aware, UTC)
    notice_version: str | None = None  # for a grant: the notice they were given...
    wording: str | None = None  # ...or the words they agreed to

    def audit_detail(self) -> str:
        """Purpose, direction and path: what the audit may say (no personal data)."""
        return f"{self.purpose} {'on' if self.allowed else 'off'}, {ASKED_BY[self.asked_by]}"


def record_on_request(person_id: int, staff: StaffUser, asked: PersonsRequest, *,
                      ip: str | None = None) -> list[LedgerEvent]:
    """Record ``asked`` for person ``person_id`` as ``staff`` took it down: the events
    written (none when the answer already was so). Raises ``NotRecordable``,
    ``UnknownNotice`` for a notice version never published, ``GrantRefused`` when the
    consent rules refuse a grant (nothing written), ``UnknownPerson``."""
    purposes = purposes_from_config(current_app.config)
    if asked.purpose not in on_request_purposes(purposes):
        raise NotRecordable(f"{asked.purpose} is not a choice staff can record.")
    if asked.asked_by not in ASKED_BY:
        raise NotRecordable(f"{asked.asked_by} is not a way of asking we record.")
    if asked.asked_at > clock.utcnow():
        raise NotRecordable("The time the person asked is in the future.")
    # What the person was given to read matters for a grant only: someone who says stop
    # needs to have been shown nothing.
    notice = shown_version(asked.notice_version) if asked.allowed and asked.notice_version \
        else None
    evidence = Evidence(captured_at=asked.asked_at,
                        collection_point=ON_REQUEST + ASKED_BY[asked.asked_by],
                        notice_version=notice,
                        wording=asked.wording if asked.allowed else None)
    actor = Actor(source="staff", actor_type="staff", actor_id=str(staff.id),
                  evidence=evidence)
    events = record_changes(person_id, {asked.purpose: asked.allowed}, actor)
    detail = asked.audit_detail() + ("" if events else ", already so")
    record_audit(staff, RECORDED, "person", person_id, detail=detail, ip=ip)
    return events


def note_refused_request(person_id: int, staff: StaffUser, asked: PersonsRequest, *,
                         ip: str | None = None) -> None:
    """Audit a grant the consent rules refused, after the caller rolled the attempt back:
    who tried, for whom, which purpose (the reason is the rules', shown on the page)."""
    record_audit(staff, REFUSED, "person", person_id, detail=asked.audit_detail(), ip=ip)
