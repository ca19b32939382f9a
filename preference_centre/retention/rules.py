"""Who is past the retention period, who is due a reminder, and what a run would do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, func, or_, select

from ..data_rights import emailed_links
from ..data_rights.dates import add_months
from ..extensions import db
from ..models import Person, RightsRequest


@dataclass
class RetentionSummary:
    erased: int = 0
    warned: int = 0
    warnings_reset: int = 0
    unverified_purged: int = 0
    signups_purged: int = 0
    links_lapsed: int = 0
    held_restricted: int = 0


def cutoff_for(now: datetime) -> datetime:
    """Activity before this moment is more than RETENTION_MONTHS (calendar months) old."""
    return add_months(now, -int(current_app.config["RETENTION_MONTHS"]))


def inactive_since(cutoff: datetime) -> Any:
    """Last purchase and last visit both before ``cutoff`` (record creation when neither)."""
    return and_(
        or_(Person.last_purchase_at.is_(None), Person.last_purchase_at < cutoff),
        or_(Person.last_seen_at.is_(None), Person.last_seen_at < cutoff),
        or_(Person.last_purchase_at.isnot(None), Person.last_seen_at.isnot(None),
            Person.created_at < cutoff),
    )


def due_for_erasure(cutoff: datetime) -> Any:
    return and_(inactive_since(cutoff), Person.restricted_at.is_(None))


def warning_query(now: datetime, size: int | None) -> Any:
    days = int(current_app.config["RETENTION_WARNING_DAYS"])
    return (select(Person).where(
        inactive_since(cutoff_for(now + timedelta(days=days))), ~inactive_since(cutoff_for(now)),
        Person.retention_warned_at.is_(None), Person.status == "active",
        Person.restricted_at.is_(None),
    ).order_by(Person.id).limit(size))


def count_people(*where: Any) -> int:
    return db.session.execute(select(func.count()).select_from(Person).where(*where)
                              ).scalar_one()


def held(cutoff: datetime) -> Any:
    """Past retention, but processing restricted: kept for the privacy officer to decide."""
    return and_(inactive_since(cutoff), Person.restricted_at.isnot(None))


def count_due(now: datetime) -> RetentionSummary:
    """What a run would do, without doing it (``--dry-run``)."""
    cutoff = cutoff_for(now)
    limit = now - timedelta(days=int(current_app.config["UNVERIFIED_ACCOUNT_DAYS"]))
    pending = (Person.status == "pending", Person.created_at < limit)
    warnings = warning_query(now, None).with_only_columns(Person.id).subquery()
    return RetentionSummary(
        erased=count_people(due_for_erasure(cutoff)),
        warned=db.session.execute(select(func.count()).select_from(warnings)).scalar_one(),
        held_restricted=count_people(held(cutoff)),
        unverified_purged=count_people(*pending, Person.origin == "register"),
        signups_purged=count_people(*pending, Person.origin == "signup"),
        links_lapsed=db.session.execute(select(func.count()).select_from(RightsRequest).where(
            or_(*emailed_links.expired_requests(now)))).scalar_one(),
    )
