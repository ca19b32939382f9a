"""Resetting a forgotten password by an emailed link. A request for an unknown address
quietly does nothing, so the answer never reveals whether an address is registered."""

from __future__ import annotations

from .. import clock
from ..models import Person
from ..passwords import check_password_rules, hash_secret
from ..people import find_person_by_email
from . import emails, sessions
from .audit import record_audit
from .link_tokens import person_from_token, reset_fingerprint, reset_max_age, token_for


def request_password_reset(email: str) -> bool:
    """Email a reset link if the address has an account; else quietly nothing."""
    person = find_person_by_email(email)
    if person is None or not person.has_account:
        return False
    emails.send_password_reset(person, token_for("reset_password", person, reset_fingerprint))
    return True


def check_reset_token(token: str) -> Person:
    return person_from_token("reset_password", token, reset_max_age(), reset_fingerprint)


def reset_password(token: str, new_password: str) -> Person:
    """Set a new password from a reset link; every sign-in of the person ends. Following the
    link proves the address too, so an unverified account becomes active."""
    person = check_reset_token(token)
    check_password_rules(new_password)
    person.password_hash = hash_secret(new_password)
    if person.status == "pending":
        person.status = "active"
        person.email_verified_at = person.email_verified_at or clock.utcnow()
    sessions.revoke_sessions(person.id)
    record_audit(person.id, "password.reset", "password")
    return person
