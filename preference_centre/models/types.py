"""Column types shared by every model: aware UTC datetimes and encrypted text, and the
largest id a row can have."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Text
from sqlalchemy.types import TypeDecorator

from .. import crypto

# Ids are INTEGER columns: 32 bits on PostgreSQL (SQLite's are wider). A larger number from
# outside must be refused before a query, where PostgreSQL would fail rather than find none.
LARGEST_ID = 2**31 - 1


class UTCDateTime(TypeDecorator):
    """Stored as UTC; always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use clock.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        # PostgreSQL sessions run in UTC (database.postgresql), so their times come back
        # as UTC already and need no conversion (exports read one per row).
        if value is None or value.tzinfo is UTC:
            return value
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class EncryptedText(TypeDecorator):
    """Text encrypted by the app's field cipher (``crypto``) before it reaches the database."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        return crypto.encrypt(str(value))

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        return crypto.decrypt(value)
