"""Staff accounts: rules shared by the command line and the console."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from .. import clock
from ..crypto import normalise_email
from ..extensions import db
from ..models import STAFF_ROLES, StaffUser
from ..people import check_password_rules, hash_secret


class StaffError(ValueError):
    """A staff account could not be created; the message says why in one line."""


def find_staff_by_email(address: str) -> StaffUser | None:
    return db.session.execute(
        db.select(StaffUser).where(StaffUser.email == normalise_email(address))
    ).scalar_one_or_none()


def create_staff_user(address: str, role: str, password: str) -> StaffUser:
    """A new staff account. Raises ``StaffError`` for a bad address or role or a taken
    address, and ``people.PasswordRejected`` for a weak password. The caller commits."""
    role = role.strip().lower()
    if role not in STAFF_ROLES:
        raise StaffError(f"Unknown role {role!r}; use one of: {', '.join(STAFF_ROLES)}.")
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        raise StaffError(f"{address!r} is not a valid email address.") from exc
    if len(address) > 254:
        raise StaffError("That email address is too long.")
    if find_staff_by_email(address) is not None:
        raise StaffError(f"A staff account for {normalise_email(address)} already exists.")
    check_password_rules(password)
    user = StaffUser(email=normalise_email(address), role=role,
                     password_hash=hash_secret(password), created_at=clock.utcnow())
    db.session.add(user)
    db.session.flush()
    return user
