"""Correcting one's own details, password and email address. Every change is audited by
field name only; the caller commits."""

from __future__ import annotations

from datetime import date
from typing import Any

from .. import clock, crypto, tokens
from ..auth import emails as auth_emails
from ..auth import sessions
from ..auth.audit import record_audit
from ..auth.link_tokens import person_from_token, token_for, verify_max_age
from ..extensions import db
from ..models import LoginSession, Person
from ..passwords import check_password_rules, hash_secret, normalise_answer, verify_secret
from ..people import find_person_by_email
from . import emails

# The contact fields a person corrects on the profile page, in the order shown.
PROFILE_FIELDS = ("name", "gender", "address", "phone", "date_of_birth", "security_question")
# What someone without an account corrects on their preference link page (the privacy
# notice promises everyone they can ask us to change their details).
LINK_FIELDS = ("name", "phone")


class ProfileError(ValueError):
    """A change that cannot be made; ``field`` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _stored_form(name: str, value: Any) -> str | None:
    """How a submitted value is stored: text, empty as None, dates as ISO."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    if name == "address":
        return "\n".join(line.rstrip() for line in str(value).splitlines()).strip() or None
    return str(value)


def update_profile(person: Person, values: dict[str, Any]) -> list[str]:
    """Apply the submitted contact fields (and a new security answer, if given). Returns the
    names of the fields that changed; each gets an audit event."""
    answer = values.get("security_answer") or None
    question = _stored_form("security_question", values.get("security_question"))
    if answer and not question:
        raise ProfileError("Write the question this answer belongs to.", "security_question")
    if question and not answer and not person.security_answer_hash:
        raise ProfileError("Give an answer to your security question.", "security_answer")
    changed = _apply_fields(person, PROFILE_FIELDS, values)
    if answer:
        person.security_answer_hash = hash_secret(normalise_answer(answer))
        changed.append("security_answer")
    elif question is None and person.security_answer_hash:
        person.security_answer_hash = None
        changed.append("security_answer")
    for name in changed:
        record_audit(person.id, "profile.update", name)
    return changed


def correct_contact_details(person: Person, values: dict[str, Any]) -> list[str]:
    """Apply a name and phone number corrected on the preference link page; the names of
    the fields that changed, each audited as on the profile page."""
    changed = _apply_fields(person, LINK_FIELDS, values)
    for name in changed:
        record_audit(person.id, "profile.update", name)
    return changed


def _apply_fields(person: Person, names: tuple[str, ...], values: dict[str, Any]) -> list[str]:
    changed = []
    for name in names:
        new = _stored_form(name, values.get(name))
        if new != getattr(person, name):
            setattr(person, name, new)
            changed.append(name)
    if "phone" in changed:
        person.phone_hash = crypto.phone_hash(person.phone) if person.phone else None
    return changed


def change_password(
    person: Person, current: str, new: str, keep: LoginSession | None
) -> int:
    """Replace the password after checking the current one; every other sign-in
    ends. Returns how many sign-ins ended."""
    if not verify_secret(person.password_hash, current):
        raise ProfileError("Your current password is not right.", "current_password")
    check_password_rules(new)
    person.password_hash = hash_secret(new)
    ended = sessions.revoke_sessions(person.id, keep=keep)
    if keep is not None:
        sessions.confirm_password_entered(keep)
    record_audit(person.id, "password.change", "password")
    return ended


def email_change_fingerprint(person: Person) -> str:
    """Changes when the address changes, a newer request replaces this one, or the password
    changes (a person who did not ask for the change resets it to cancel the change)."""
    return tokens.state_fingerprint(
        "change-email", person.email_hash, person.pending_email, person.password_hash
    )


def request_email_change(person: Person, new_address: str) -> bool:
    """Send a confirmation link to the new address and a notice to the old one. If the new
    address already belongs to someone, its owner is told instead and nothing changes; the
    page answers the same, so the form cannot be used to find out who is registered.
    Returns whether a change is now pending."""
    new_address = new_address.strip()
    if crypto.normalise_email(new_address) == crypto.normalise_email(person.email):
        raise ProfileError("That is already your email address.", "email")
    holder = find_person_by_email(new_address)
    if holder is not None:
        auth_emails.send_account_exists(holder, "change_email")
        return False
    person.pending_email = new_address
    token = token_for("change_email", person, email_change_fingerprint)
    emails.send_email_change_confirmation(person, new_address, token)
    emails.send_email_changed_notice(person, new_address)
    record_audit(person.id, "email.change_requested", "email")
    return True


def check_email_change_token(token: str) -> Person:
    person = person_from_token("change_email", token, verify_max_age(), email_change_fingerprint)
    if not person.pending_email:
        raise tokens.TokenInvalid("no change pending")
    return person


def confirm_email_change(token: str) -> Person:
    """Follow the link sent to the new address: the account now uses it."""
    person = check_email_change_token(token)
    new_address = person.pending_email or ""
    holder = find_person_by_email(new_address)
    if holder is not None and holder.id != person.id:
        person.pending_email = None
        raise ProfileError("That address is now used by another record, so it was not "
                           "changed. Choose another address.", "email")
    person.email = new_address
    person.email_hash = crypto.email_hash(new_address)
    person.email_verified_at = clock.utcnow()
    person.pending_email = None
    record_audit(person.id, "email.change", "email")
    return person


def recent_sign_ins(person_id: int, limit: int = 10) -> list[LoginSession]:
    """The newest sign-ins first: the security record shown on the account page."""
    return list(db.session.execute(
        db.select(LoginSession).where(LoginSession.person_id == person_id)
        .order_by(LoginSession.created_at.desc(), LoginSession.id.desc()).limit(limit)
    ).scalars())
