"""Finding and creating people, and password hashing: rules shared by web, CLI, API and mail."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from importlib import resources

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from . import clock, crypto
from .extensions import db
from .models import Person

PASSWORD_MIN = 8
PASSWORD_MAX = 1000


class PasswordRejected(ValueError):
    """The password breaks a rule; the message says which, in plain words."""


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = resources.files("preference_centre").joinpath("data/common_passwords.txt").read_text()
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def check_password_rules(password: str) -> None:
    """Length 8 to 1,000, and not one of the 10,000 most common. No composition rules."""
    if len(password) < PASSWORD_MIN:
        raise PasswordRejected(f"Use at least {PASSWORD_MIN} characters.")
    if len(password) > PASSWORD_MAX:
        raise PasswordRejected(f"Use at most {PASSWORD_MAX:,} characters.")
    if password.lower() in common_passwords():
        raise PasswordRejected("This password is too common and easy to guess. Choose another.")


def hash_secret(secret: str) -> str:
    return generate_password_hash(secret, method=current_app.config["PASSWORD_HASH_METHOD"])


def verify_secret(stored_hash: str | None, secret: str) -> bool:
    if not stored_hash:
        return False
    try:
        return check_password_hash(stored_hash, secret)
    except (ValueError, TypeError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with another method or cost than the configured one."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    return not stored_hash.startswith(method + "$")


def normalise_answer(answer: str) -> str:
    """Security answers compare without case or extra spaces."""
    return " ".join(answer.split()).lower()


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
