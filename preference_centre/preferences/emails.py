"""The preference centre's email: subject, template and what it says, here only. Queued
through the one composer; the caller commits."""

from __future__ import annotations

from flask import current_app

from ..links import preference_link
from ..messaging import queue_service_email
from ..models import OutboxMessage, Person


def send_preference_link(person: Person) -> OutboxMessage:
    """templates/email/preference_link: a fresh link to the person's preference page."""
    return queue_service_email(
        person, "preference_link", "Your link to manage your preferences",
        {"link": preference_link(person.id), "days": current_app.config["PREFERENCE_LINK_DAYS"]})
