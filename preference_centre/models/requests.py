"""Data-rights requests, erasure receipts and the suppression list that outlives erasure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock
from ..extensions import db
from .types import EncryptedText, UTCDateTime


class RightsRequest(db.Model):
    """A request under Articles 15-22: object, restrict, rectify, export (for people without
    an account) or erase. Due one month from receipt (Art 12(3))."""

    __tablename__ = "rights_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # object, restrict, rectify, export, erase
    # received, in_progress, completed, refused
    status: Mapped[str] = mapped_column(String(20), default="received", index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    details: Mapped[str | None] = mapped_column(EncryptedText)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(EncryptedText)
    handled_by: Mapped[int | None] = mapped_column(Integer)


class ErasureReceipt(db.Model):
    """Proof that an erasure happened: no personal data, only what and how much."""

    __tablename__ = "erasure_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(36), unique=True)
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
    trigger: Mapped[str] = mapped_column(String(20))  # person, retention, staff, unverified
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)


class Suppression(db.Model):
    """A keyed hash of an address (or phone number) that must not be re-subscribed silently."""

    __tablename__ = "suppressions"
    __table_args__ = (UniqueConstraint("kind", "value_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # email, phone
    value_hash: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(40))  # erased, sms_stop, complaint
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
