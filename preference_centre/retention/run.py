"""A retention run: purge what was never confirmed, send reminders, erase in batches.

Retention is a batch job: each step commits its own short transactions (the named exception
to "services leave the commit to the caller"), so a killed run leaves whole batches done.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from ..auth.registration import purge_unverified_accounts
from ..data_rights import emailed_links
from ..data_rights.dates import add_months
from ..data_rights.erasure import empty_log, erase_people
from ..database import SQLITE_PAUSE_SECONDS, begin_write
from ..database.postgresql import is_postgresql
from ..extensions import db
from ..models import Person
from .emails import send_retention_warning
from .rules import (
    RetentionSummary,
    count_people,
    cutoff_for,
    due_for_erasure,
    held,
    warning_query,
)


def erase_batch(cutoff: datetime, after_id: int, size: int) -> tuple[int, int | None]:
    """Erase up to ``size`` people past retention with ids above ``after_id`` and commit.
    Returns (how many, the last id looked at, or None when there are none left)."""
    # SQLite: the write lock before choosing rows, so a second run waits and then sees
    # this batch's people gone.
    begin_write()
    query = (select(Person.id).where(due_for_erasure(cutoff), Person.id > after_id)
             .order_by(Person.id).limit(size))
    if is_postgresql():
        query = query.with_for_update(skip_locked=True)
    ids = list(db.session.execute(query).scalars())
    if not ids:
        db.session.rollback()
        return 0, None
    receipt = erase_people(ids, "retention")
    db.session.commit()
    empty_log()
    return (receipt.counts["people"] if receipt else 0), ids[-1]


def reset_warnings() -> int:
    """A visit or purchase after the reminder stops the clock: the reminder may come again."""
    warned = Person.retention_warned_at
    count = db.session.execute(update(Person).where(
        warned.isnot(None), or_(Person.last_seen_at > warned, Person.last_purchase_at > warned)
    ).values(retention_warned_at=None).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return count or 0


def send_warnings(now: datetime, size: int) -> int:
    """One reminder each, RETENTION_WARNING_DAYS before erasure, in batches."""
    months = int(current_app.config["RETENTION_MONTHS"])
    sent = 0
    while True:
        people = list(db.session.execute(warning_query(now, size)).scalars())
        for person in people:
            last = max(filter(None, [person.last_purchase_at, person.last_seen_at]),
                       default=person.created_at)
            send_retention_warning(person, months, last,
                                   add_months(last, months) + timedelta(days=1))
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
    if receipt is not None:
        empty_log()
    return unverified, receipt.counts["people"] if receipt else 0


def run_retention(now: datetime, *, batch_size: int | None = None, pause: float | None = None,
                  after_batch: Callable[[int], None] | None = None) -> RetentionSummary:
    """One full run. ``pause`` seconds between batches let waiting writers in first
    (default: SQLITE_PAUSE_SECONDS on SQLite, none on PostgreSQL); ``after_batch`` is
    called with the running total after each committed batch."""
    size = batch_size or int(current_app.config["RETENTION_BATCH_SIZE"])
    if pause is None:
        pause = 0.0 if is_postgresql() else SQLITE_PAUSE_SECONDS
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
    summary.held_restricted = count_people(held(cutoff))
    return summary
