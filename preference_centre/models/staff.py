"""Staff accounts for the console, their sign-ins, recovery codes and audit log, and API keys
for other company systems."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock
from ..extensions import db
from .guards import append_only
from .types import EncryptedText, UTCDateTime

STAFF_ROLES = ("marketing", "privacy", "admin")


class StaffUser(db.Model):
    """A member of staff. ``password_hash`` is empty until the person has followed their
    set-up link; ``totp_enrolled_at`` is empty until they have proved their authenticator
    works (then every log-in needs a code from it)."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The authenticator's shared secret (base32), encrypted at rest like personal fields.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedText)
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last time step whose code was accepted: the same code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None


class StaffSession(db.Model):
    """One staff sign-in, the server side of the ``staff_session`` cookie (which carries a
    random key; only its hash is kept). ``verified_at`` is set once the second factor was
    given: before that the session opens only the code and enrolment steps."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StaffRecoveryCode(db.Model):
    """A single-use code that stands in for the authenticator once; only its hash is kept."""

    __tablename__ = "staff_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StaffAudit(db.Model):
    """Who on the staff did what, to which record, when, from which network. Append-only on
    every engine. Never personal data: targets are ids, ``detail`` is a short neutral note
    (a role name, a count), the network is truncated."""

    __tablename__ = "staff_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow, index=True)
    # Empty for a failed log-in to an address that has no account.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    target_type: Mapped[str | None] = mapped_column(String(30))
    target_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(String(200))
    ip_prefix: Mapped[str | None] = mapped_column(String(50))


# The audit log refuses updates and deletes in the database itself, on both engines, so no
# code path (or a console slip) can rewrite history. The migration creates the same.
AUDIT_GUARD = append_only(StaffAudit.__table__)


class ApiKey(db.Model):
    """A key another system presents; only its hash is stored."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    key_prefix: Mapped[str] = mapped_column(String(12))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
