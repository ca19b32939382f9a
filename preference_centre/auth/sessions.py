"""Server-side sign-ins behind Flask-Login's session.

The session cookie carries a random sign-in key; the database keeps only its hash. "Keep me
logged in" only makes that cookie outlive the browser (a permanent Flask session, which
Flask also accepts when signed with a key in ``SECRET_KEY_FALLBACKS``).
Logging out, changing the password or erasing the account revokes the row, so a copied
cookie stops working at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, g
from flask_login import LoginManager
from sqlalchemy import update
from sqlalchemy.engine import Connection

from .. import clock
from ..consent.ledger import current_state, on_refusal
from ..extensions import db
from ..models import LoginSession, Person
from ..people import visit_due
from ..requestinfo import device_family, truncate_ip

SECURITY_MONITORING = "security_monitoring"  # the catalogue's purpose for sign-in records


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def start_session(
    person: Person, *, remember: bool, ip: str | None, user_agent: str | None
) -> str:
    """Record a new sign-in and return its key; the caller passes the person to login_user.
    Its network and device are kept for security monitoring (legitimate interests), unless
    the person has objected to that: then the sign-in is recorded without them."""
    key = secrets.token_urlsafe(32)
    now = clock.utcnow()
    monitored = current_state(person.id)[SECURITY_MONITORING]
    row = LoginSession(
        person_id=person.id, key_hash=_hash_key(key), created_at=now, authenticated_at=now,
        remember=remember, ip_prefix=truncate_ip(ip) if monitored else None,
        device=device_family(user_agent) if monitored else None,
    )
    db.session.add(row)
    db.session.flush()
    person._session_key = key  # type: ignore[attr-defined]
    person.login_session = row
    mark_seen(person)
    return key


def _forget_sign_in_details(person_id: int, connection: Connection) -> None:
    """An objection to security monitoring also clears what earlier sign-ins recorded."""
    sessions = LoginSession.__table__
    connection.execute(update(sessions).where(sessions.c.person_id == person_id)
                       .values(ip_prefix=None, device=None))


on_refusal(SECURITY_MONITORING, _forget_sign_in_details)


def load_person(key: str) -> Person | None:
    """The person signed in under ``key``, or None if the sign-in is revoked or too old."""
    if not key or len(key) > 100:
        return None
    row = db.session.execute(
        db.select(LoginSession).where(LoginSession.key_hash == _hash_key(key))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    max_age = timedelta(days=current_app.config["SESSION_DAYS"])
    if row.created_at < clock.utcnow() - max_age:
        return None
    person = db.session.get(Person, row.person_id)
    if person is None or not person.is_active:
        return None
    person._session_key = key  # type: ignore[attr-defined]
    person.login_session = row
    if mark_seen(person):
        # The loader runs inside any view, which commits its own work: the visit is written
        # after the view, by the auth blueprint's save_visit hook.
        g.visit_seen = (person.id, person.last_seen_at)
    return person


def mark_seen(person: Person) -> bool:
    """Record website access at most once a day (the retention clock). True if it changed."""
    now = clock.utcnow()
    if not visit_due(person.last_seen_at, now):
        return False
    person.last_seen_at = now
    return True


def is_recent(login_session: LoginSession | None) -> bool:
    """Was the password entered within RECENT_LOGIN_MINUTES?"""
    if login_session is None:
        return False
    limit = timedelta(minutes=current_app.config["RECENT_LOGIN_MINUTES"])
    return clock.utcnow() - login_session.authenticated_at <= limit


def confirm_password_entered(login_session: LoginSession) -> None:
    login_session.authenticated_at = clock.utcnow()


def revoke_session(login_session: LoginSession) -> None:
    login_session.revoked_at = clock.utcnow()


def revoke_sessions(person_id: int, *, keep: LoginSession | None = None) -> int:
    """Revoke every live sign-in of a person except ``keep``; returns how many."""
    query = (
        db.update(LoginSession)
        .where(LoginSession.person_id == person_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=clock.utcnow())
    )
    if keep is not None:
        query = query.where(LoginSession.id != keep.id)
    return db.session.execute(query).rowcount or 0


def init_login_manager(login_manager: LoginManager) -> None:
    login_manager.user_loader(load_person)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    # The server-side row already ties a session to its sign-in; "strong" protection would
    # only log people out when their IP address changes.
    login_manager.session_protection = "basic"
