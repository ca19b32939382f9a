"""Helpers for the consent-rule tests: a person's own history set up in one call."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from preference_centre.consent import Actor, record_changes
from preference_centre.extensions import db


def offers_given_then_unsubscribed(person: Any, clock: Any) -> datetime:
    """The person ticks email offers, then an hour later unsubscribes in one click
    (committed); returns when they ticked it, the time an old list would carry."""
    record_changes(person.id, {"email:offers": True}, Actor(source="form"))
    captured = clock.now
    clock.advance(hours=1)
    record_changes(person.id, {"email:offers": False}, Actor(source="one_click"))
    db.session.commit()
    return captured
