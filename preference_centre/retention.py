"""Retention: erase everyone RETENTION_MONTHS after their last purchase and last visit (the
privacy notice's promise), warn them RETENTION_WARNING_DAYS before, and purge registrations
and sign-ups never confirmed.

Erasure uses the same set-based service as a person's own request (``erase_people``). It
works in bounded batches, each its own short transaction, so the site's writers are never
held up for long (SQLite has one writer at a time); a killed run leaves only whole batches
done and simply continues when run again. Two runs at once do not collide: on PostgreSQL
each batch locks its people rows with ``FOR UPDATE SKIP LOCKED``; on SQLite each batch takes
the write lock before choosing its rows.

People whose processing is restricted (Art 18) are held, not erased: a restriction is often
asked for precisely so that data is kept for a legal claim; the privacy officer decides.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import and_, func, or_, select, text, update

from . import clock, database
from .auth.services import purge_unverified_accounts
from .data_rights import emailed_links
from .data_rights.dates import add_months
from .data_rights.erasure import erase_people
from .extensions import db
from .links import preference_link
from .models import Person, RightsRequest

# SQLite's busy handler lets a waiting writer retry after 1, 2, 5, 10, 15, 20, 25, 25 ms...:
# a pause this long after each batch guarantees that whoever waited gets the lock next, so
# one-click unsubscribes are never starved. PostgreSQL locks rows, not the database: no pause.
SQLITE_PAUSE_SECONDS = 0.025

retention_cli = AppGroup("retention", help="Erase data past its retention period.")


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


def _begin_write() -> None:
    """SQLite: take the write lock before choosing rows, so a second run waits and then
    sees this batch's people gone (a no-op write starts the write transaction)."""
    if not database.is_postgresql():
        db.session.execute(text("UPDATE people SET id = id WHERE 0"))


def erase_batch(cutoff: datetime, after_id: int, size: int) -> tuple[int, int | None]:
    """Erase up to ``size`` people past retention with ids above ``after_id`` and commit.
    Returns (how many, the last id looked at, or None when there are none left)."""
    _begin_write()
    query = (select(Person.id).where(due_for_erasure(cutoff), Person.id > after_id)
             .order_by(Person.id).limit(size))
    if database.is_postgresql():
        query = query.with_for_update(skip_locked=True)
    ids = list(db.session.execute(query).scalars())
    if not ids:
        db.session.rollback()
        return 0, None
    receipt = erase_people(ids, "retention")
    db.session.commit()
    _checkpoint()
    return (receipt.counts["people"] if receipt else 0), ids[-1]


def _checkpoint() -> None:
    """SQLite: copy the write-ahead log back into the database now, in this job, rather
    than leave it to grow until some visitor's small commit has to do it (WAL auto-checkpoint
    runs in whichever connection commits past the threshold)."""
    if not database.is_postgresql():
        db.session.connection().exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        db.session.commit()


def reset_warnings() -> int:
    """A visit or purchase after the reminder stops the clock: the reminder may come again."""
    warned = Person.retention_warned_at
    count = db.session.execute(update(Person).where(
        warned.isnot(None), or_(Person.last_seen_at > warned, Person.last_purchase_at > warned)
    ).values(retention_warned_at=None).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return count or 0


def _warning_query(now: datetime, size: int | None) -> Any:
    days = int(current_app.config["RETENTION_WARNING_DAYS"])
    return (select(Person).where(
        inactive_since(cutoff_for(now + timedelta(days=days))), ~inactive_since(cutoff_for(now)),
        Person.retention_warned_at.is_(None), Person.status == "active",
        Person.restricted_at.is_(None),
    ).order_by(Person.id).limit(size))


def send_warnings(now: datetime, size: int) -> int:
    """One reminder each, RETENTION_WARNING_DAYS before erasure, in batches."""
    from .messaging import queue_service_email

    months = int(current_app.config["RETENTION_MONTHS"])
    sent = 0
    while True:
        people = list(db.session.execute(_warning_query(now, size)).scalars())
        for person in people:
            last = max(filter(None, [person.last_purchase_at, person.last_seen_at]),
                       default=person.created_at)
            queue_service_email(person, "retention_warning", "We will soon erase your data", {
                "months": months, "last_activity": f"{last:%-d %B %Y}",
                "erase_on": f"{add_months(last, months) + timedelta(days=1):%-d %B %Y}",
                # Without an account, saving on the preference page is the visit.
                "has_account": person.has_account,
                "keep_url": None if person.has_account else preference_link(person.id)})
            person.retention_warned_at = now
        db.session.commit()
        sent += len(people)
        if len(people) < size:
            return sent


def purge_pending(now: datetime) -> tuple[int, int]:
    """Registrations never verified (the accounts feature's own rule) and sign-ups never
    confirmed, past UNVERIFIED_ACCOUNT_DAYS; each committed. Returns both counts."""
    unverified = purge_unverified_accounts(now)
    db.session.commit()
    limit = now - timedelta(days=int(current_app.config["UNVERIFIED_ACCOUNT_DAYS"]))
    ids = db.session.execute(select(Person.id).where(
        Person.status == "pending", Person.origin == "signup", Person.created_at < limit,
    )).scalars().all()
    receipt = erase_people(ids, "unverified") if ids else None
    db.session.commit()
    return unverified, receipt.counts["people"] if receipt else 0


def _count(*where: Any) -> int:
    return db.session.execute(select(func.count()).select_from(Person).where(*where)
                              ).scalar_one()


def _held(cutoff: datetime) -> Any:
    """Past retention, but processing restricted: kept for the privacy officer to decide."""
    return and_(inactive_since(cutoff), Person.restricted_at.isnot(None))


def count_due(now: datetime) -> RetentionSummary:
    """What a run would do, without doing it (``--dry-run``)."""
    cutoff = cutoff_for(now)
    limit = now - timedelta(days=int(current_app.config["UNVERIFIED_ACCOUNT_DAYS"]))
    pending = (Person.status == "pending", Person.created_at < limit)
    warnings = _warning_query(now, None).with_only_columns(Person.id).subquery()
    return RetentionSummary(
        erased=_count(due_for_erasure(cutoff)),
        warned=db.session.execute(select(func.count()).select_from(warnings)).scalar_one(),
        held_restricted=_count(_held(cutoff)),
        unverified_purged=_count(*pending, Person.origin == "register"),
        signups_purged=_count(*pending, Person.origin == "signup"),
        links_lapsed=db.session.execute(select(func.count()).select_from(RightsRequest).where(
            or_(*emailed_links.expired_requests(now)))).scalar_one(),
    )


def run_retention(now: datetime, *, batch_size: int | None = None, pause: float | None = None,
                  after_batch: Callable[[int], None] | None = None) -> RetentionSummary:
    """One full run. ``pause`` seconds between batches let waiting writers in first
    (default: SQLITE_PAUSE_SECONDS on SQLite, none on PostgreSQL); ``after_batch`` is
    called with the running total after each committed batch."""
    size = batch_size or int(current_app.config["RETENTION_BATCH_SIZE"])
    if pause is None:
        pause = 0.0 if database.is_postgresql() else SQLITE_PAUSE_SECONDS
    summary = RetentionSummary()
    summary.unverified_purged, summary.signups_purged = purge_pending(now)
    summary.links_lapsed = emailed_links.close_expired(now)
    db.session.commit()
    summary.warnings_reset = reset_warnings()
    summary.warned = send_warnings(now, size)
    cutoff = cutoff_for(now)
    after = 0
    while True:
        erased, last = erase_batch(cutoff, after, size)
        if last is None:
            break
        summary.erased += erased
        after = last
        if after_batch is not None:
            after_batch(summary.erased)
        if pause:
            time.sleep(pause)
    summary.held_restricted = _count(_held(cutoff))
    return summary


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Count what would happen; change nothing.")
@click.option("--batch", type=click.IntRange(1, 10000), default=None,
              help="People per transaction (default RETENTION_BATCH_SIZE).")
def run_command(dry_run: bool, batch: int | None) -> None:
    """Erase everyone past the retention period and send due reminders. Prints counts only."""
    now = clock.utcnow()
    summary = count_due(now) if dry_run else run_retention(now, batch_size=batch)
    prefix = "would be " if dry_run else ""
    labels = {"erased": "erased (past retention)", "warned": "sent a reminder",
              "warnings_reset": "reminders reset by new activity",
              "unverified_purged": "unverified accounts purged",
              "signups_purged": "unconfirmed sign-ups purged",
              "links_lapsed": "closed: requests whose emailed link went unused",
              "held_restricted": "held: past retention but processing restricted"}
    for key, value in asdict(summary).items():
        if dry_run and key == "warnings_reset":
            continue
        label = labels[key]
        if dry_run and not key.startswith("held"):
            label = prefix + label
        click.echo(f"{value:>8}  {label}")
