"""The retention reminder: subject, template and what it says, here only. Queued through
the one composer; the retention run commits its batches."""

from __future__ import annotations

from datetime import date, datetime

from ..links import preference_link
from ..messaging import queue_service_email
from ..models import OutboxMessage, Person


def send_retention_warning(person: Person, months: int, last_activity: datetime,
                           erase_on: date) -> OutboxMessage:
    """templates/email/retention_warning: nothing since ``last_activity``, so everything
    goes on ``erase_on`` unless they sign in (or, without an account, save their choices on
    the preference page: that is the visit)."""
    return queue_service_email(person, "retention_warning", "We will soon erase your data", {
        "months": months, "last_activity": f"{last_activity:%-d %B %Y}",
        "erase_on": f"{erase_on:%-d %B %Y}", "has_account": person.has_account,
        "keep_url": None if person.has_account else preference_link(person.id)})
