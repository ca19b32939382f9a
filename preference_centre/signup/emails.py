"""The sign-up's email: subject, template and what it says, here only. Queued through the
one composer; the caller commits."""

from __future__ import annotations

from ..messaging import queue_service_email
from ..models import OutboxMessage, Person


def send_signup_confirmation(person: Person, link: str, topics: list[str],
                             days: int) -> OutboxMessage:
    """templates/email/signup_confirm: the double opt-in link for ``topics`` (their titles),
    valid ``days`` days."""
    return queue_service_email(person, "signup_confirm", "Please confirm your sign-up",
                               {"link": link, "topics": topics, "days": days})
