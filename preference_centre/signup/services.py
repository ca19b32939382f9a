"""Newsletter and prize-draw sign-up with double opt-in.

Nothing is consented at sign-up: the confirmation link carries the topics and the notice
version shown, and consent is recorded (source ``signup``) only when the address's owner
confirms. Signing up again for a confirmed address changes nothing until they confirm.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, exists, not_

from .. import clock, links, tokens
from ..consent import (
    Actor,
    ensure_current_notice,
    lift_suppression,
    purposes_from_config,
    record_changes,
)
from ..extensions import db
from ..models import ConsentEvent, Person
from ..people import find_person_by_email, new_person
from .emails import send_signup_confirmation

SIGNUP_TOPICS = ("email:offers", "email:updates", "email:policy")
CONFIRM_PURPOSE = "signup_confirm"
NAME_MAX = 100


class SignupError(ValueError):
    """The sign-up or its confirmation link cannot be used (the message says why)."""


@dataclass
class Confirmation:
    person: Person
    granted: list[str]
    suppression_removed: bool


def confirm_days() -> int:
    return int(current_app.config["SIGNUP_CONFIRM_DAYS"])


def start_signup(address: str, name: str | None, topics: list[str],
                 notice_version: str | None = None) -> Person:
    """Create a pending person for an unknown address and queue the confirmation email.
    A known address gets the same email and nothing about them changes. The link carries
    ``notice_version``, the notice the sign-up form showed (default: the one in force), for
    the ledger. The caller commits."""
    unknown = [t for t in topics if t not in SIGNUP_TOPICS]
    if unknown:
        raise SignupError("Choose topics from the list.")
    person = find_person_by_email(address)
    if person is None:
        clean_name = (name or "").strip()[:NAME_MAX] or None
        person = new_person(address, origin="signup", status="pending", name=clean_name)
    titles = {key: p.title for key, p in purposes_from_config(current_app.config).items()}
    notice = notice_version or ensure_current_notice().version
    token = tokens.make_token(CONFIRM_PURPOSE, {
        "p": person.id, "t": sorted(set(topics)), "n": notice,
        "at": clock.utcnow().isoformat(),
    })
    link = links.external_url(links.SIGNUP_CONFIRM, token=token)
    send_signup_confirmation(person, link, [titles[t] for t in sorted(set(topics))],
                             confirm_days())
    return person


def read_confirmation(token: str) -> dict:
    """The payload of a confirmation link, or SignupError in plain words."""
    try:
        payload = tokens.read_token(CONFIRM_PURPOSE, token, timedelta(days=confirm_days()))
    except tokens.TokenExpired as exc:
        raise SignupError("This confirmation link has expired. Please sign up again.") from exc
    except tokens.TokenInvalid as exc:
        raise SignupError("This confirmation link is not valid.") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("p"), int):
        raise SignupError("This confirmation link is not valid.")
    return payload


def confirm_signup(payload: dict, ip: str | None, user_agent: str | None) -> Confirmation:
    """Activate the person and record the confirmed topics. Confirming twice changes nothing;
    a topic changed after the link was made (e.g. withdrawn later) is left as it is now.
    An address erased earlier (suppressed) may sign up again by this explicit confirmation:
    its suppression is removed. The caller commits."""
    person = db.session.get(Person, payload["p"])
    if person is None:
        raise SignupError("This sign-up no longer exists. Please sign up again.")
    topics = [t for t in payload.get("t") or [] if t in SIGNUP_TOPICS]
    made_at = _parse_time(payload.get("at"))
    if person.status == "pending":
        # This proves the mailbox, not who chose the password of a registration still waiting
        # for its own confirmation: that password is dropped, never made live (registering
        # again sends the mailbox a link to choose one).
        person.password_hash = None
        person.status = "active"
        person.email_verified_at = clock.utcnow()
    removed = lift_suppression([person.id], "email", person.email_hash, "signup")
    wanted = {t: True for t in topics if not _changed_since(person.id, t, made_at)}
    if person.restricted_at is not None:
        wanted = {}
    actor = Actor(source="signup", actor_type="person", actor_id=str(person.id), ip=ip,
                  user_agent=user_agent, notice_version=str(payload.get("n") or "") or None)
    events = record_changes(person.id, wanted, actor)
    return Confirmation(person, [e.purpose for e in events], removed)


def _parse_time(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _changed_since(person_id: int, purpose: str, when: datetime | None) -> bool:
    if when is None:
        return False
    return db.session.execute(
        db.select(exists().where(ConsentEvent.person_id == person_id,
                                 ConsentEvent.purpose == purpose,
                                 ConsentEvent.occurred_at > when))
    ).scalar_one()


def purge_unconfirmed_signups(now: datetime) -> int:
    """Delete sign-ups never confirmed within SIGNUP_CONFIRM_DAYS (the confirmation link's
    own lifetime; no account, no consent recorded); returns how many. The caller commits."""
    cutoff = now - timedelta(days=confirm_days())
    has_events = exists().where(ConsentEvent.person_id == Person.id)
    result = db.session.execute(
        db.delete(Person).where(and_(
            Person.origin == "signup", Person.status == "pending",
            Person.password_hash.is_(None), Person.created_at < cutoff, not_(has_events),
        )).execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
