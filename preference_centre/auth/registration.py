"""Registering an account: register, verify the address, or choose the password of an
address we already held; and purging registrations never verified. Called by views and CLI.

Answers never reveal whether an address is registered: registering a known address emails
its owner instead (a link to choose the password, when we hold the address without a
finished account).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import or_

from .. import clock, tokens
from ..consent.rules import lift_suppression
from ..extensions import db
from ..models import AuditEvent, LoginSession, OutboxMessage, Person
from ..passwords import check_password_rules, hash_secret
from ..people import find_person_by_email, new_person
from . import emails, sessions
from .audit import record_audit
from .link_tokens import (
    person_from_token,
    set_password_fingerprint,
    token_for,
    verify_fingerprint,
    verify_max_age,
)

# Rows that belong to the account itself; any other row pointing at a person is "other data"
# that keeps an unverified registration from being purged.
ACCOUNT_OWN_TABLES = {"people", "login_sessions", "audit_events", "outbox"}


def awaits_verification(person: Person) -> bool:
    """An account whose address has not been verified yet (it cannot log in)."""
    return person.has_account and person.status == "pending"


def register_account(email: str, password: str, name: str | None = None) -> str:
    """Start a registration; always ends in an email to the address. Returns what happened
    (``created``, ``exists`` or ``set_password``) for logs and tests, never for pages.

    Only a fresh address keeps the password typed here: no one else's data is attached to
    it. For an address we already hold (a record without an account, or an unfinished
    registration) whoever typed it may not own the mailbox, so the password is dropped and
    the mailbox gets a link to choose one; an unfinished registration stays as it was."""
    check_password_rules(password)
    # Hashed on every path, used or not: the answer must not be faster for a known address.
    hashed = hash_secret(password)
    person = find_person_by_email(email)
    if person is None:
        person = new_person(email, origin="register", status="pending", name=name or None)
        person.password_hash = hashed
        send_verification(person)
        return "created"
    if person.has_account and person.status != "pending":
        emails.send_account_exists(person, "register")
        return "exists"
    send_set_password(person)
    return "set_password"


def send_verification(person: Person) -> OutboxMessage:
    return emails.send_verification(person, token_for("verify_email", person,
                                                      verify_fingerprint))


def resend_verification(email: str) -> bool:
    """A fresh link if that address has an account awaiting verification; else nothing."""
    person = find_person_by_email(email)
    if person is None or not awaits_verification(person):
        return False
    send_verification(person)
    return True


def check_verification_token(token: str) -> Person:
    return person_from_token("verify_email", token, verify_max_age(), verify_fingerprint)


def verify_account(token: str) -> Person:
    """Follow a verification link: the address is proven, the account becomes active, and
    an address erased earlier comes off the suppression list (its owner registered again).

    The link proves the mailbox, not who typed the password: when someone else (the API,
    an import) has attached data to the registration meanwhile, the password is dropped
    and the person chooses one (``person.has_account`` is then False; see
    ``set_password_token``), so a stranger's password never goes live on their data."""
    person = check_verification_token(token)
    if not person.has_account:
        raise tokens.TokenInvalid("no account to verify")
    if holds_other_data(person.id):
        person.password_hash = None
        record_audit(person.id, "account.password_dropped", "password")
    person.status = "active"
    person.email_verified_at = person.email_verified_at or clock.utcnow()
    record_audit(person.id, "account.verify", "email")
    lift_suppression([person.id], "email", person.email_hash, "register")
    return person


# Choosing the password of an address we already held --------------------------------------

def send_set_password(person: Person) -> OutboxMessage:
    """The mail that lets whoever reads this address choose the account's password. Lives
    as long as a verification link: the page after /register promises that lifetime."""
    token = token_for("set_password", person, set_password_fingerprint)
    return emails.send_set_password(person, token, unfinished=awaits_verification(person))


def set_password_token(person: Person) -> str:
    """A set-password link token for someone who has just proven the address."""
    return token_for("set_password", person, set_password_fingerprint)


def check_set_password_token(token: str) -> Person:
    return person_from_token("set_password", token, verify_max_age(),
                             set_password_fingerprint)


def set_password(token: str, new_password: str) -> Person:
    """Set the password from a set-password link. Following the link proves the address, so
    the account is verified and active; any earlier link for it stops working."""
    person = check_set_password_token(token)
    check_password_rules(new_password)
    person.password_hash = hash_secret(new_password)
    person.status = "active"
    person.email_verified_at = person.email_verified_at or clock.utcnow()
    sessions.revoke_sessions(person.id)
    record_audit(person.id, "password.set", "password")
    # The end of registering for an address we held: its owner confirmed it.
    lift_suppression([person.id], "email", person.email_hash, "register")
    return person


# Housekeeping ----------------------------------------------------------------------------------

def _other_data() -> list[Any]:
    """One EXISTS per column, outside the account's own tables, that points at a person."""
    return [db.select(key.parent).where(key.parent == Person.id).exists()
            for table in db.metadata.sorted_tables if table.name not in ACCOUNT_OWN_TABLES
            for key in table.foreign_keys if key.column.table.name == "people"]


def holds_other_data(person_id: int) -> bool:
    """Does anything but the registration itself point at this person (orders, consent,
    records from other systems...)?"""
    db.session.flush()
    return db.session.execute(
        db.select(Person.id).where(Person.id == person_id, or_(*_other_data()))
    ).first() is not None


def purge_unverified_accounts(now: datetime) -> int:
    """Delete registrations never verified within UNVERIFIED_ACCOUNT_DAYS that hold nothing
    but the registration itself. Returns how many (the caller commits)."""
    cutoff = now - timedelta(days=current_app.config["UNVERIFIED_ACCOUNT_DAYS"])
    query = db.select(Person.id).where(
        Person.origin == "register", Person.status == "pending",
        Person.email_verified_at.is_(None), Person.created_at < cutoff,
        *[~clause for clause in _other_data()],
    )
    ids = list(db.session.execute(query).scalars())
    if not ids:
        return 0
    for model in (OutboxMessage, LoginSession, AuditEvent):
        db.session.execute(db.delete(model).where(model.person_id.in_(ids)))
    db.session.execute(db.delete(Person).where(Person.id.in_(ids)))
    return len(ids)
