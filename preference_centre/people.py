"""Finding and creating people: rules shared by web, CLI, API and mail."""

from __future__ import annotations

import re
from datetime import datetime

from . import clock, crypto
from .extensions import db
from .models import Person

_PHONE_CHARACTERS = re.compile(r"^\+?[0-9 ().-]+$")


def find_person_by_email(address: str) -> Person | None:
    return db.session.execute(
        db.select(Person).where(Person.email_hash == crypto.email_hash(address))
    ).scalar_one_or_none()


def new_person(address: str, /, *, origin: str, status: str = "pending",
               **fields: object) -> Person:
    """A person with this address (normalised for the index, kept as typed for display).
    The address is positional only, so ``fields`` may hold a postal ``address``."""
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


def is_phone_number(value: str) -> bool:
    """Digits with the usual separators, 7 to 15 digits (the international maximum): the
    one rule for a number typed on the profile page or given in an import."""
    digits = sum(ch.isdigit() for ch in value)
    return bool(_PHONE_CHARACTERS.match(value)) and 7 <= digits <= 15


def visit_due(last_seen_at: datetime | None, now: datetime) -> bool:
    """Should a visit now be written to ``last_seen_at``, the retention clock? Once a day is
    enough for a clock counted in months, and spares a write on every page."""
    return last_seen_at is None or last_seen_at.date() != now.date()
