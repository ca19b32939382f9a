"""The staff audit log: one function every console page calls, and the page's query.

Entries say who (a staff account id), what (an action name), to which record (a type and
an id), when, and from which network (truncated like every other record). They never hold a
customer's address, name or other details: ``detail`` is a short neutral note such as a role
name or a count. The table refuses updates and deletes (models/staff.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from .. import clock
from ..extensions import db
from ..models import StaffAudit, StaffUser
from ..requestinfo import truncate_ip

_ACTION = re.compile(r"^[a-z][a-z0-9_.]{0,39}$")
PAGE_SIZE = 50
LOOKED_UP = "person.looked_up"
# The note on a record opened by its number: unlike a look-up by address, it finds nobody.
BY_NUMBER = "by record number"


def record_audit(actor: StaffUser | int | None, action: str, target_type: str | None = None,
                 target_id: str | int | None = None, detail: str | None = None,
                 ip: str | None = None) -> StaffAudit:
    """Add one entry: ``actor`` is the staff member (None for the command line or an
    unknown address), ``action`` a lower-case name such as ``person.looked_up``,
    ``target_type``/``target_id`` the record acted on (ids only, never an address), ``ip``
    the client's address (stored as its /24 or /48). The caller commits."""
    if not _ACTION.match(action):
        raise ValueError(f"audit action {action!r} must be lower case letters, digits, . or _")
    actor_id = actor.id if isinstance(actor, StaffUser) else actor
    entry = StaffAudit(
        occurred_at=clock.utcnow(), actor_id=actor_id, action=action,
        target_type=target_type[:30] if target_type else None,
        target_id=None if target_id is None else str(target_id)[:64],
        detail=detail[:200] if detail else None, ip_prefix=truncate_ip(ip),
    )
    db.session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditFilter:
    actor_id: int | None = None
    no_actor: bool = False  # entries without an account: failed log-ins to unknown addresses
    action: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive: the whole of that day


@dataclass(frozen=True)
class AuditRow:
    occurred_at: datetime
    actor_email: str | None
    action: str
    target_type: str | None
    target_id: str | None
    detail: str | None
    ip_prefix: str | None


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    page: int
    has_next: bool


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.utcnow().tzinfo)


def audit_page(chosen: AuditFilter, page: int = 1, size: int = PAGE_SIZE) -> AuditPage:
    """One page of entries matching ``chosen``, newest first (staff addresses joined in:
    they are colleagues' work addresses, not customers')."""
    page = max(page, 1)
    query = (db.select(StaffAudit.occurred_at, StaffUser.email, StaffAudit.action,
                       StaffAudit.target_type, StaffAudit.target_id, StaffAudit.detail,
                       StaffAudit.ip_prefix)
             .outerjoin(StaffUser, StaffUser.id == StaffAudit.actor_id))
    if chosen.actor_id is not None:
        query = query.where(StaffAudit.actor_id == chosen.actor_id)
    elif chosen.no_actor:
        query = query.where(StaffAudit.actor_id.is_(None))
    if chosen.action:
        query = query.where(StaffAudit.action == chosen.action)
    if chosen.since:
        query = query.where(StaffAudit.occurred_at >= _day_start(chosen.since))
    if chosen.until:
        query = query.where(StaffAudit.occurred_at < _day_start(chosen.until + timedelta(days=1)))
    rows = db.session.execute(
        query.order_by(StaffAudit.occurred_at.desc(), StaffAudit.id.desc())
        .offset((page - 1) * size).limit(size + 1)
    ).all()
    return AuditPage(rows=[AuditRow(*row) for row in rows[:size]], page=page,
                     has_next=len(rows) > size)


def found_by_address(actor_id: int, person_id: int, since: datetime) -> bool:
    """Whether the staff member found the person by their address (the look-up's own audit
    entry, not a record opened by its number) at or after ``since``."""
    return db.session.execute(
        db.select(StaffAudit.id).where(
            StaffAudit.actor_id == actor_id, StaffAudit.action == LOOKED_UP,
            StaffAudit.target_type == "person", StaffAudit.target_id == str(person_id),
            StaffAudit.occurred_at >= since, StaffAudit.detail.is_(None))
        .limit(1)
    ).first() is not None


def recorded_actions() -> list[str]:
    """Every action name in the log, for the filter's choices."""
    return list(db.session.execute(
        db.select(StaffAudit.action).distinct().order_by(StaffAudit.action)).scalars())
