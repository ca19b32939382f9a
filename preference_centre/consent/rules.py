"""Who may turn a purpose on: the rule every writer of consent keeps (CONTRACT.md).

A withdrawal always takes effect. A grant from anyone but the person themselves (another
system through the API, an import, staff acting on a request) takes effect only when it
carries its evidence (when and where it was captured, and the notice version or wording
shown) and was captured after the person's latest refusal of that purpose; an address or
number on the suppression list is never granted by others. Otherwise ``GrantRefused`` says
why and nothing is written. ``record_changes`` applies this under the person's lock, so no
writer can skip it; callers that create a person first ask ``check_grants`` beforehand.

Only the owners themselves take an address or number off the suppression list: by
confirming the address (registration, sign-up), by replying START, or by ticking a text
box. That is a ledger event of its own (``suppression:email`` / ``suppression:phone``) that
names the keyed hash, never the address.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, func, insert, or_, select
from sqlalchemy.engine import Connection

from .. import clock
from ..extensions import db
from ..models import ConsentEvent, Person, Suppression
from ..models.consent import SUPPRESSION_EVENT

OWN = "person"  # the actor type of the person themselves
_events, _people, _suppressions = (ConsentEvent.__table__, Person.__table__,
                                   Suppression.__table__)


class GrantRefused(ValueError):
    """A grant the rules do not let someone other than the person make; says why. When the
    person refused it after the choice was captured, ``purpose`` and ``refused_at`` say
    which and when, for a page to tell in its own words."""

    def __init__(self, message: str, *, purpose: str | None = None,
                 refused_at: datetime | None = None) -> None:
        super().__init__(message)
        self.purpose = purpose
        self.refused_at = refused_at


# The longest evidence any writer may give: the ledger's columns (consent_events), and
# agreed wording kept to what a form can show.
COLLECTION_POINT_MAX, NOTICE_VERSION_MAX, WORDING_MAX = 200, 20, 2000


@dataclass(frozen=True)
class Evidence:
    """What another system must give with a choice it captured from the person."""

    captured_at: datetime | None = None
    collection_point: str | None = None
    notice_version: str | None = None
    wording: str | None = None

    def missing(self) -> list[str]:
        absent = [name for name in ("captured_at", "collection_point")
                  if not getattr(self, name)]
        if not (self.notice_version or self.wording):
            absent.append("notice_version or wording")
        return absent


def check_grants(person_id: int | None, changes: Mapping[str, bool], actor_type: str,
                 evidence: Evidence | None, *, email_hash: str | None = None,
                 phone_hash: str | None = None,
                 connection: Connection | None = None) -> None:
    """Raise ``GrantRefused`` unless every grant in ``changes`` may be made by this actor.
    ``person_id`` names an existing person (their hashes and refusals are read); for a
    person not yet created give the ``email_hash`` (and ``phone_hash``) instead. Reads
    only: a refused request has written nothing."""
    grants = sorted(key for key, allowed in changes.items() if allowed)
    if not grants or actor_type == OWN:
        return
    connection = connection or db.session.connection()
    refusals: dict[str, datetime] = {}
    if person_id is not None:
        row = connection.execute(
            select(_people.c.email_hash, _people.c.phone_hash, _people.c.restricted_at)
            .where(_people.c.id == person_id)).first()
        if row is not None:
            email_hash, phone_hash = row.email_hash, row.phone_hash
            if row.restricted_at is not None:
                raise GrantRefused("Processing of this person's data is restricted (Art 18): "
                                   "nothing can be turned on. Withdrawals are accepted.")
        refusals = latest_refusals(person_id, grants, connection)
    on_list = suppressed_kinds(email_hash, phone_hash, connection)
    if "email" in on_list:
        raise GrantRefused(
            "This address is on the suppression list (the person asked us to erase their "
            "data). Consent cannot be granted by anyone but the person: they may sign up or "
            "register again themselves. Withdrawals are accepted.")
    if "phone" in on_list and any(key.startswith("sms:") for key in grants):
        raise GrantRefused(
            "This phone number replied STOP; text marketing cannot be granted by anyone but "
            "the person until the number replies START or they turn it on themselves. "
            "Withdrawals are accepted.")
    evidence = evidence or Evidence()
    missing = evidence.missing()
    captured_at = evidence.captured_at
    if missing or captured_at is None:
        raise GrantRefused(
            "A grant from anyone but the person needs its evidence (missing: "
            f"{', '.join(missing)}); nothing was changed. Withdrawals need none.")
    if captured_at > clock.utcnow():
        raise GrantRefused("captured_at is in the future; nothing was changed.")
    for key in grants:
        refused_at = refusals.get(key)
        if refused_at is not None and refused_at >= captured_at:
            raise GrantRefused(
                f"{key}: the person refused it on {refused_at.isoformat()}, after this choice "
                f"was captured ({captured_at.isoformat()}); only the person "
                "themselves can turn it back on. Nothing was changed.",
                purpose=key, refused_at=refused_at)


def latest_refusals(person_id: int, purposes: Iterable[str],
                    connection: Connection) -> dict[str, datetime]:
    """When each purpose was last refused (any refusal on record counts), by purpose. An
    address or number its owner took off the suppression list counts as refused until
    then: what another system captured before they came back is older than their erasure
    or STOP."""
    purposes = list(purposes)
    lifted = {f"{SUPPRESSION_EVENT}email": purposes,
              f"{SUPPRESSION_EVENT}phone": [key for key in purposes if key.startswith("sms:")]}
    rows = connection.execute(
        select(_events.c.purpose, func.max(_events.c.occurred_at))
        .where(_events.c.person_id == person_id,
               _events.c.purpose.in_(purposes + list(lifted)),
               _events.c.new_value.is_(False))
        .group_by(_events.c.purpose)).all()
    found = dict(rows)
    refusals = {key: found[key] for key in purposes if key in found}
    for event, keys in lifted.items():
        for key in keys if event in found else ():
            refusals[key] = max(refusals.get(key, found[event]), found[event])
    return refusals


def suppressed_kinds(email_hash: str | None, phone_hash: str | None,
                     connection: Connection) -> set[str]:
    """Which of ``email`` / ``phone`` are on the suppression list for these hashes."""
    wanted = [(kind, value) for kind, value in (("email", email_hash), ("phone", phone_hash))
              if value]
    if not wanted:
        return set()
    return set(connection.execute(select(_suppressions.c.kind).distinct().where(or_(*(
        and_(_suppressions.c.kind == kind, _suppressions.c.value_hash == value)
        for kind, value in wanted)))).scalars())


def lift_suppression(person_ids: Sequence[int], kind: str, value_hash: str | None,
                     source: str, *, connection: Connection | None = None) -> bool:
    """The owner of an address (``kind`` email) or number (``phone``) took it off the
    suppression list by their own action through ``source``: delete the entry and record
    that in the ledger of each person holding it (``person_ids``, who may be none), naming
    the keyed hash, never the value. False when it was not on the list."""
    if not value_hash:
        return False
    if connection is None:
        db.session.flush()
        connection = db.session.connection()
    removed = connection.execute(delete(_suppressions).where(
        _suppressions.c.kind == kind, _suppressions.c.value_hash == value_hash)).rowcount
    if not removed:
        return False
    now = clock.utcnow()
    for person_id in person_ids:
        connection.execute(insert(_events).values(
            person_id=person_id, purpose=f"{SUPPRESSION_EVENT}{kind}", old_value=True,
            new_value=False, occurred_at=now, source=source, actor_type=OWN,
            actor_id=str(person_id), value_hash=value_hash))
    return True


def after_own_grants(person_id: int, granted: Iterable[str], source: str,
                     connection: Connection) -> None:
    """A person who turns a text-message purpose on themselves ends their number's STOP."""
    if not any(key.startswith("sms:") for key in granted):
        return
    phone_hash = connection.execute(
        select(_people.c.phone_hash).where(_people.c.id == person_id)).scalar()
    lift_suppression([person_id], "phone", phone_hash, source, connection=connection)
