"""Form validators shared by the sign-in and profile forms."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from wtforms import Field, Form
from wtforms.validators import Length, ValidationError

from .. import people

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
        people.check_password_rules(field.data or "")
    except people.PasswordRejected as exc:
        raise ValidationError(str(exc)) from exc


def strip(value: Any) -> Any:
    """Form filter: trim surrounding spaces from text input."""
    return value.strip() if isinstance(value, str) else value


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None.

    Browsers read ``//host``, ``/\\host`` and ``\\\\host`` as other sites and ignore tabs and
    newlines inside URLs, so anything with a backslash, a control character, a scheme or a
    host is refused rather than cleaned.
    """
    if not target or len(target) > 2000:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target) or "\\" in target:
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
