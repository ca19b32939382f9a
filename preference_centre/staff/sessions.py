"""Staff sign-ins, kept apart from customers' (auth/sessions.py): a row per sign-in behind
the console's own cookie, which carries a random key whose hash alone is stored.

A session starts when the password is right and opens only the code or enrolment step until
the second factor is given. It ends at log-out, when its account is disabled or its
authenticator reset, and after STAFF_IDLE_MINUTES without a request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from .. import clock
from ..extensions import db
from ..models import StaffSession, StaffUser


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def start_staff_session(user: StaffUser) -> tuple[StaffSession, str]:
    """A new, not yet verified session for ``user`` and the key for its cookie."""
    key = secrets.token_urlsafe(32)
    now = clock.utcnow()
    row = StaffSession(staff_user_id=user.id, key_hash=_hash_key(key), created_at=now,
                       last_seen_at=now)
    db.session.add(row)
    db.session.flush()
    return row, key


def mark_verified(row: StaffSession, user: StaffUser) -> None:
    """The second factor was given: the session now opens the pages of the user's role."""
    now = clock.utcnow()
    row.verified_at = now
    user.last_login_at = now


def live_staff_session(key: str, idle: timedelta) -> tuple[StaffSession, StaffUser] | None:
    """The session behind ``key`` and its account, if the session has not ended, was used
    within ``idle`` and its account is not disabled; its last-seen time moves to now. A
    session found idle is ended. The caller commits."""
    if not key or len(key) > 100:
        return None
    row = db.session.execute(
        db.select(StaffSession).where(StaffSession.key_hash == _hash_key(key))
    ).scalar_one_or_none()
    if row is None or row.ended_at is not None:
        return None
    now = clock.utcnow()
    if now - row.last_seen_at > idle:
        row.ended_at = now
        return None
    user = db.session.get(StaffUser, row.staff_user_id)
    if user is None or not user.is_active:
        row.ended_at = now
        return None
    row.last_seen_at = now
    return row, user


def end_staff_session(row: StaffSession) -> None:
    row.ended_at = clock.utcnow()


def end_sessions_of(user: StaffUser) -> int:
    """End every live session of ``user`` (disabled, or authenticator reset); how many."""
    result = db.session.execute(
        db.update(StaffSession)
        .where(StaffSession.staff_user_id == user.id, StaffSession.ended_at.is_(None))
        .values(ended_at=clock.utcnow())
    )
    return result.rowcount or 0
