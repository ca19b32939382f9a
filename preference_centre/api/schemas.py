"""Checking API input: every problem is collected per field and answered with a 400, so a
caller learns everything wrong with a request at once and bad input never reaches the
database (where, on PostgreSQL, an out-of-range integer or a NUL byte would be a 500)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email

from ..consent import Evidence
from ..consent.rules import COLLECTION_POINT_MAX, NOTICE_VERSION_MAX, WORDING_MAX
from ..models.types import LARGEST_ID

MAX_AMOUNT_PENCE = 10**9
REFERENCE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
CURRENCY_PATTERN = re.compile(r"[A-Z]{3}")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ORDER_STATUSES = ("confirmed", "changed", "delayed", "dispatched", "delivered", "cancelled")
COMMUNICATION_CHANNELS = ("email", "webchat", "phone")
DIRECTIONS = ("inbound", "outbound")
EVIDENCE_FIELDS = ("captured_at", "collection_point", "notice_version", "wording")


class InvalidInput(ValueError):
    """One or more fields are wrong; ``fields`` maps each field name to a plain reason."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {reason}" for name, reason in fields.items()))
        self.fields = fields


class Fields:
    """Reads fields from a JSON object (or query arguments), collecting every error."""

    def __init__(self, data: Any) -> None:
        if not isinstance(data, dict):
            raise InvalidInput({"body": "Send a JSON object (Content-Type: application/json)."})
        self.data = data
        self.errors: dict[str, str] = {}

    def _get(self, name: str, required: bool) -> Any:
        value = self.data.get(name)
        if value is None and required:
            self.errors[name] = "This field is required."
        return value

    def _check(self, name: str, value: Any, test: Callable[[Any], bool], reason: str) -> Any:
        if value is None:
            return None
        if not test(value):
            self.errors[name] = reason
            return None
        return value

    def text(self, name: str, *, max_length: int, required: bool = False,
             pattern: re.Pattern[str] | None = None, choices: tuple[str, ...] | None = None,
             ) -> str | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self.errors[name] = "Must be a string."
            return None
        value = value.strip()
        if required and not value:
            self.errors[name] = "This field is required."
        elif len(value) > max_length:
            self.errors[name] = f"Use at most {max_length} characters."
        elif CONTROL_CHARACTERS.search(value):
            self.errors[name] = "Contains control characters."
        elif pattern is not None and not pattern.fullmatch(value):
            self.errors[name] = "Has the wrong format."
        elif choices is not None and value not in choices:
            self.errors[name] = "Must be one of: " + ", ".join(choices) + "."
        else:
            return value or None
        return None

    def email(self, name: str = "email", *, required: bool = True) -> str | None:
        value = self.text(name, max_length=254, required=required)
        if value is None:
            return None
        try:
            validate_email(value, check_deliverability=False)
        except EmailNotValidError:
            self.errors[name] = "Not a valid email address."
            return None
        return value

    def integer(self, name: str, *, required: bool = True, minimum: int = 0,
                maximum: int = LARGEST_ID) -> int | None:
        value = self._get(name, required)
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            value = int(value)  # query arguments arrive as strings
        is_int = isinstance(value, int) and not isinstance(value, bool)
        return self._check(name, value, lambda v: is_int and minimum <= v <= maximum,
                           f"Must be a whole number from {minimum} to {maximum}.")

    def boolean(self, name: str, *, required: bool = False) -> bool | None:
        value = self._get(name, required)
        return self._check(name, value, lambda v: isinstance(v, bool), "Must be true or false.")

    def moment(self, name: str, *, now: datetime) -> datetime | None:
        """An ISO 8601 time, not in the future; a time without a zone is taken as UTC."""
        value = self.text(name, max_length=40)
        if value is None:
            return None
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
            when = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)
        except (ValueError, OverflowError):
            self.errors[name] = "Must be an ISO 8601 date and time."
            return None
        if when > now:
            self.errors[name] = "Cannot be in the future."
            return None
        return when

    def evidence(self, *, now: datetime) -> Evidence | None:
        """The evidence of a captured choice (when, where, the notice or the wording shown),
        each field checked, or None when none is given: the API and a contacts file read it
        alike. Whether it is enough is the consent rules' call."""
        captured_at = self.moment("captured_at", now=now)
        collection_point = self.text("collection_point", max_length=COLLECTION_POINT_MAX)
        notice_version = self.text("notice_version", max_length=NOTICE_VERSION_MAX)
        wording = self.text("wording", max_length=WORDING_MAX)
        if not any(self.data.get(name) is not None for name in EVIDENCE_FIELDS):
            return None
        return Evidence(captured_at=captured_at, collection_point=collection_point,
                        notice_version=notice_version, wording=wording)

    def choices_map(self, name: str, allowed_keys: set[str], *, max_items: int = 50,
                    ) -> dict[str, bool]:
        """An object of purpose key -> true/false, every key from ``allowed_keys``."""
        value = self._get(name, False)
        if value is None:
            return {}
        if not isinstance(value, dict) or len(value) > max_items:
            self.errors[name] = f"Must be an object of at most {max_items} purpose: true/false."
            return {}
        unknown = sorted(str(key) for key in value if key not in allowed_keys)
        if unknown:
            self.errors[name] = "Unknown or fixed purposes: " + ", ".join(unknown[:10]) + "."
            return {}
        if not all(isinstance(item, bool) for item in value.values()):
            self.errors[name] = "Each purpose must be true or false."
            return {}
        return dict(value)

    def done(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)

