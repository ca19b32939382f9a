"""Signed preference links (``/p/<token>``): made for message footers, read by the page."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy.orm import load_only

from .. import tokens
from ..extensions import db
from ..models import Person

PURPOSE = "preferences"
_PAGE_COLUMNS = load_only(Person.email, Person.status, Person.restricted_at)


class LinkPersonGone(LookupError):
    """The link is genuine but the person no longer exists (erased)."""


def preference_link(person_id: int) -> str:
    """The absolute ``/p/`` address for this person, valid for PREFERENCE_LINK_DAYS."""
    token = tokens.make_token(PURPOSE, {"p": int(person_id)})
    return f"{current_app.config['BASE_URL'].rstrip('/')}/p/{token}"


def person_from_link(token: str) -> Person:
    """The person a preference token names. Raises ``tokens.TokenExpired`` (old link),
    ``tokens.TokenInvalid`` (tampered, or a token made for another purpose) or
    ``LinkPersonGone``."""
    max_age = timedelta(days=current_app.config["PREFERENCE_LINK_DAYS"])
    payload = tokens.read_token(PURPOSE, token, max_age)
    person_id = payload.get("p") if isinstance(payload, dict) else None
    if not isinstance(person_id, int):
        raise tokens.TokenInvalid("link is not valid")
    # Only what the page shows is read now: every other encrypted field would be decrypted
    # for nothing (they load on first use if a caller needs them).
    person = db.session.get(Person, person_id, options=[_PAGE_COLUMNS])
    if person is None:
        raise LinkPersonGone(person_id)
    return person


def send_fresh_link(address: str) -> None:
    """Email a new preference link if the address belongs to a confirmed person. Says nothing
    either way, so the form cannot be used to learn who is on our list. The caller commits."""
    from ..messaging import queue_service_email
    from ..people import find_person_by_email

    person = find_person_by_email(address)
    if person is None or person.status != "active":
        return
    queue_service_email(person, "preference_link", "Your link to manage your preferences",
                        {"link": preference_link(person.id),
                         "days": current_app.config["PREFERENCE_LINK_DAYS"]})
