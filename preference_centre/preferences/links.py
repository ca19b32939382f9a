"""Signed preference links (``/p/<token>``): made for message footers, read by the page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Text, bindparam, select, type_coerce, update
from sqlalchemy.orm import load_only

from .. import clock, crypto, tokens
from ..extensions import db
from ..models import ConsentState, Person
from ..people import find_person_by_email, visit_due
from .emails import send_preference_link

_PAGE_COLUMNS = load_only(Person.email, Person.status, Person.restricted_at)


# The /p/ page reads the person and their stored answers in one Core statement on the
# session's connection: an ORM load of the person cost more than the rest of the request's
# database work, and each statement costs more in SQLAlchemy than in the database. The
# address comes back as stored (one row per answer) and is decrypted once.
_people, _states = Person.__table__, ConsentState.__table__
_HOLDER = (
    select(type_coerce(_people.c.email, Text()), _people.c.status, _people.c.restricted_at,
           _people.c.last_seen_at, _people.c.password_hash.isnot(None),
           type_coerce(_people.c.name, Text()), type_coerce(_people.c.phone, Text()),
           _states.c.purpose, _states.c.allowed)
    .select_from(_people.outerjoin(_states, _states.c.person_id == _people.c.id))
    .where(_people.c.id == bindparam("pid"))
)


class LinkPersonGone(LookupError):
    """The link is genuine but the person no longer exists (erased)."""


@dataclass(frozen=True)
class LinkHolder:
    """What the ``/p/`` page needs of the person a link names."""

    id: int
    email: str
    status: str
    restricted_at: datetime | None
    last_seen_at: datetime | None = None
    stored: dict[str, bool] = field(default_factory=dict)  # answers given, as stored_state
    has_account: bool = True
    # Only for someone without an account, who corrects them on this page (with an
    # account, the profile page is the place).
    name: str | None = None
    phone: str | None = None


def person_id_from_link(token: str) -> int:
    """The person id a preference token names. Raises ``tokens.TokenExpired`` (old link) or
    ``tokens.TokenInvalid`` (tampered, or a token made for another purpose)."""
    max_age = timedelta(days=current_app.config["PREFERENCE_LINK_DAYS"])
    return tokens.read_preference_token(token, max_age)


def holder_of_link(token: str) -> LinkHolder:
    """The person a preference token names, as the page needs them; raises as
    ``person_id_from_link`` does, or ``LinkPersonGone``."""
    person_id = person_id_from_link(token)
    rows = db.session.connection().execute(_HOLDER, {"pid": person_id}).all()
    if not rows:
        raise LinkPersonGone(person_id)
    email, status, restricted_at, last_seen_at, has_account, name, phone = rows[0][:7]
    stored = {row[7]: row[8] for row in rows if row[7] is not None}
    if has_account:
        name = phone = None
    return LinkHolder(person_id, crypto.decrypt(email), status, restricted_at, last_seen_at,
                      stored, bool(has_account), name and crypto.decrypt(name),
                      phone and crypto.decrypt(phone))


def record_visit(holder: LinkHolder) -> bool:
    """Saving choices on one's preference page is a visit to the website, which restarts the
    36-month retention clock as a sign-in does (recorded at most once a day). Only a post
    counts: mail scanners open every link in a message, so a page view would keep everyone
    we write to for ever. True if it wrote the visit; the caller commits."""
    now = clock.utcnow()
    if not visit_due(holder.last_seen_at, now):
        return False
    db.session.execute(update(_people).where(_people.c.id == holder.id)
                       .values(last_seen_at=now))
    return True


def person_from_link(token: str) -> Person:
    """The person a preference token names, as a model. Raises as ``holder_of_link``."""
    person_id = person_id_from_link(token)
    # Only what the page shows is read now: every other encrypted field would be decrypted
    # for nothing (they load on first use if a caller needs them).
    person = db.session.get(Person, person_id, options=[_PAGE_COLUMNS])
    if person is None:
        raise LinkPersonGone(person_id)
    return person


def send_fresh_link(address: str) -> None:
    """Email a new preference link if the address belongs to a confirmed person. Says nothing
    either way, so the form cannot be used to learn who is on our list. The caller commits."""
    person = find_person_by_email(address)
    if person is None or person.status != "active":
        return
    send_preference_link(person)
