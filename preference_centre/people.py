"""Finding and creating people: rules shared by web, CLI, API and mail."""

from __future__ import annotations

from datetime import datetime

from . import clock, crypto
from .extensions import db
from .models import Person


def find_person_by_email(address: str) -> Person | None:
    return db.session.execute(
        db.select(Person).where(Person.email_hash == crypto.email_hash(address))
    ).scalar_one_or_none()


def new_person(address: str, *, origin: str, status: str = "pending", **fields: object) -> Person:
    """A person with this address (normalised for the index, kept as typed for display)."""
    person = Person(
        email=address.strip(), email_hash=crypto.email_hash(address), origin=origin,
        status=status, created_at=clock.utcnow(),
    )
    if status == "active":
        person.email_verified_at = clock.utcnow()
    for name, value in fields.items():
        setattr(person, name, value)
    if person.phone:
        person.phone_hash = crypto.phone_hash(person.phone)
    db.session.add(person)
    db.session.flush()
    return person


def visit_due(last_seen_at: datetime | None, now: datetime) -> bool:
    """Should a visit now be written to ``last_seen_at``, the retention clock? Once a day is
    enough for a clock counted in months, and spares a write on every page."""
    return last_seen_at is None or last_seen_at.date() != now.date()
