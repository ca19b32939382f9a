"""Form validators shared by the sign-in and profile forms."""

from __future__ import annotations

from typing import Any

from email_validator import EmailNotValidError, validate_email
from wtforms import Field, Form
from wtforms.validators import Length, ValidationError

from .. import passwords

EMAIL_MAX = 254


def single_line(form: Form, field: Field) -> None:
    """Refuse CR and LF: a single-line value may end up in a mail header or a CSV row."""
    if isinstance(field.data, str) and ("\r" in field.data or "\n" in field.data):
        raise ValidationError("Use a single line, without line breaks.")


def at_most(maximum: int) -> Length:
    """A length limit with a message in plain words."""
    return Length(max=maximum, message=f"Use at most {maximum:,} characters.")


def email_address(form: Form, field: Field) -> None:
    """A syntactically valid address (no DNS look-up: the verification mail proves it)."""
    value = (field.data or "").strip()
    if not value:
        return
    if len(value) > EMAIL_MAX:
        raise ValidationError(f"Use at most {EMAIL_MAX} characters.")
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError("Enter an email address like name@example.com.") from exc


def password_rules(form: Form, field: Field) -> None:
    """The project's one password rule set (length, not a common password)."""
    try:
        passwords.check_password_rules(field.data or "")
    except passwords.PasswordRejected as exc:
        raise ValidationError(str(exc)) from exc


def strip(value: Any) -> Any:
    """Form filter: trim surrounding spaces from text input."""
    return value.strip() if isinstance(value, str) else value

