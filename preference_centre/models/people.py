"""Customers (and signed-up people without an account), their sign-ins and the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock
from ..extensions import db
from .types import EncryptedText, UTCDateTime


class Person(UserMixin, db.Model):
    """Anyone we hold data about: an account holder, or a newsletter sign-up (no password).

    Contact fields are encrypted at rest; ``email_hash`` (keyed) is the unique look-up key.
    """

    __tablename__ = "people"
    # Links in old emails name a person by id and never expire: after an erasure that id
    # must never be given to someone else. PostgreSQL sequences never reuse one; SQLite
    # reuses the highest rowid unless the table is AUTOINCREMENT.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    email_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(EncryptedText)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # pending: address not yet verified / sign-up not confirmed; active: verified.
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    # How we first got the data: register, signup, import, api, demo.
    origin: Mapped[str] = mapped_column(String(20), default="register")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # A new address waiting for its confirmation link to be followed (change of email).
    pending_email: Mapped[str | None] = mapped_column(EncryptedText)
    name: Mapped[str | None] = mapped_column(EncryptedText)
    gender: Mapped[str | None] = mapped_column(EncryptedText)
    address: Mapped[str | None] = mapped_column(EncryptedText)
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    date_of_birth: Mapped[str | None] = mapped_column(EncryptedText)
    security_question: Mapped[str | None] = mapped_column(EncryptedText)
    security_answer_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=clock.utcnow, onupdate=clock.utcnow
    )
    # The retention clock: erased RETENTION_MONTHS after the later of these two.
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_purchase_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    retention_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Art 18: while set, nothing but storage happens to this person's data.
    restricted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped under the row lock by every consent change: serialises concurrent changes.
    consent_version: Mapped[int] = mapped_column(Integer, default=0)
    # The privacy notice version this person last saw; a newer material one shows a banner.
    notice_version_seen: Mapped[str | None] = mapped_column(String(20))

    # Set by the user loader: the sign-in this request belongs to (not a column).
    login_session: ClassVar[LoginSession | None] = None

    def get_id(self) -> str:
        """Flask-Login stores the sign-in key, not the person id: revoking the sign-in row
        invalidates a copied session cookie at once."""
        key = getattr(self, "_session_key", None)
        if key is None:
            raise AttributeError("person has no active sign-in key")
        return key

    @property
    def has_account(self) -> bool:
        return self.password_hash is not None

    @property
    def is_active(self) -> bool:  # Flask-Login: pending accounts cannot log in
        return self.status == "active"


class LoginSession(db.Model):
    """One sign-in: a security record (legitimate interests) and the server side of a session."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
    # When the password was last entered: sensitive actions need this to be recent.
    authenticated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    ip_prefix: Mapped[str | None] = mapped_column(String(50))
    device: Mapped[str | None] = mapped_column(String(60))


class AuditEvent(db.Model):
    """Who changed which field of whose record, and when. Never the values."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    actor_type: Mapped[str] = mapped_column(String(10))  # person, staff, system, api
    actor_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    field: Mapped[str | None] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
