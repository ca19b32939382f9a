"""Reading the suppression list: a page at a time for the API (with a cursor), or streamed
whole for exports. Membership comes from ``consent.audience`` (see the package docstring)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import Text, and_, case, exists, func, literal, not_, null, select, type_coerce
from sqlalchemy.orm import aliased

from .. import crypto
from ..consent import marketing_purposes, purposes_from_config, reachable
from ..consent.catalogue import MARKETING_CHANNELS
from ..database.streams import stream_rows
from ..extensions import db
from ..models import ConsentState, Person, Suppression
from ..models.types import UTCDateTime

# Suppression rows of these kinds stop marketing on these channels: an erased address stops
# everything (as may_contact does); a number that replied STOP stops text messages.
KIND_CHANNELS = {"email": set(MARKETING_CHANNELS), "phone": {"sms"}}
CURSOR_PATTERN = re.compile(r"([ps])(\d{1,10})")
PAGE_MAX = 1000
WINDOW = 2000  # people examined per query when looking for suppressed ones
STREAM_BATCH = 5000  # rows fetched at a time when streaming the whole list


class UnknownChannel(ValueError):
    """Not a marketing channel of the catalogue."""


class BadCursor(ValueError):
    """The cursor was not one this list handed out."""


class Entry(NamedTuple):
    """One line of the list. A tuple, not a dataclass: exports build one per row."""

    channel: str
    reason: str
    since: datetime
    cursor: str
    email: str | None = None
    email_hash: str | None = None
    phone_hash: str | None = None
    # Filled by ``stream_entries(..., contact=True)`` for the channels that match on them.
    phone: str | None = None
    address: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"email": self.email, "email_hash": self.email_hash,
                "phone_hash": self.phone_hash, "channel": self.channel, "reason": self.reason,
                "since": self.since.isoformat()}


def check_channel(channel: str) -> str:
    if channel not in MARKETING_CHANNELS:
        raise UnknownChannel(
            f"Unknown channel {channel!r}; use one of: {', '.join(MARKETING_CHANNELS)}."
        )
    return channel


def page(channel: str, cursor: str | None = None, limit: int = 100,
         ) -> tuple[list[Entry], str | None]:
    """Up to ``limit`` entries after ``cursor`` and the cursor of the next page (or None).
    People come first (by id), then hashes (by id), so a cursor is one letter and one id."""
    check_channel(channel)
    limit = max(1, min(limit, PAGE_MAX))
    section, after = _parse_cursor(cursor)
    entries: list[Entry] = []
    if section == "p":
        entries = _people(channel, after, limit + 1)
        after = 0
    if len(entries) <= limit:
        entries += _hashes(channel, after, limit + 1 - len(entries))
    if len(entries) > limit:
        return entries[:limit], entries[limit - 1].cursor
    return entries, None


def iter_entries(channel: str, batch: int = STREAM_BATCH) -> Iterator[Entry]:
    """Every entry for the channel (the same ones, in the same order, as the pages)."""
    return stream_entries(channel, batch=batch)


def stream_entries(channel: str, *, contact: bool = False,
                   batch: int = STREAM_BATCH) -> Iterator[Entry]:
    """Every entry for the channel from two streamed queries (people, then hashes), ``batch``
    rows fetched at a time so memory stays flat however long the list. With ``contact``,
    each person's entry also carries what the channel matches on: the phone number for
    ``sms`` and ``phone``, the postal address for ``post``."""
    check_channel(channel)
    keys = marketing_purposes(purposes_from_config(current_app.config), channel)
    listed = aliased(Person, name="listed")
    reason, since = _reason_and_since(channel, keys, listed)
    wanted = {"post": listed.address, "sms": listed.phone, "phone": listed.phone}
    extra = type_coerce(wanted[channel], Text()) if contact and channel in wanted else null()
    # Decrypted here, not by the column type: one bound method instead of a lookup per cell.
    decrypt = crypto.field_crypto().decrypt
    # Core rows from the session's connection: the list names no entity, and the ORM's result
    # handling would cost more per row than the rule's SQL.
    connection = db.session.connection()
    rows = stream_rows(connection, select(
        listed.id, type_coerce(listed.email, Text()), reason, since, extra)
        .where(listed.status == "active", not_(_reachable(channel, keys, listed)))
        .order_by(listed.id), batch)
    post = channel == "post"
    for person_id, email, why, when, more in rows:
        if more is not None:
            more = decrypt(more)
        # Positional: keywords cost a lookup per field, and this runs for every person.
        yield Entry(channel, why, when, f"p{person_id}", decrypt(email), None, None,
                    None if post else more, more if post else None)
    kinds = [kind for kind, channels in KIND_CHANNELS.items() if channel in channels]
    hashes = stream_rows(connection, select(
        Suppression.id, Suppression.kind, Suppression.value_hash, Suppression.reason,
        Suppression.created_at)
        .where(Suppression.kind.in_(kinds)).order_by(Suppression.id), batch)
    for row_id, kind, value_hash, reason, created_at in hashes:
        yield Entry(channel=channel, reason=reason, since=created_at, cursor=f"s{row_id}",
                    email_hash=value_hash if kind == "email" else None,
                    phone_hash=value_hash if kind == "phone" else None)


def _parse_cursor(cursor: str | None) -> tuple[str, int]:
    if not cursor:
        return "p", 0
    match = CURSOR_PATTERN.fullmatch(cursor)
    if match is None:
        raise BadCursor("That cursor is not valid; start again without one.")
    return match.group(1), int(match.group(2))


def _reachable(channel: str, keys: list[str], person: Any) -> Any:
    """Whether the campaigns' own rule (``consent.reachable``, what ``audience`` selects)
    allows the person at least one of the channel's marketing purposes ``keys``: the list
    is everyone else, so it cannot disagree with them."""
    return reachable(channel, [key.split(":", 1)[1] for key in keys], person)


def _people(channel: str, after: int, limit: int) -> list[Entry]:
    """Suppressed people after ``after``, found one id window at a time: bounding the
    ``audience`` query to a window keeps each page's cost proportional to the page, not to
    the whole table."""
    entries: list[Entry] = []
    while len(entries) < limit:
        window = db.session.execute(
            select(Person.id).where(Person.status == "active", Person.id > after)
            .order_by(Person.id).limit(max(limit, WINDOW))
        ).scalars().all()
        if not window:
            break
        entries += _people_in_window(channel, after, window[-1])
        after = window[-1]
    return entries[:limit]


def _people_in_window(channel: str, after: int, upper: int) -> list[Entry]:
    keys = marketing_purposes(purposes_from_config(current_app.config), channel)
    reason, since = _reason_and_since(channel, keys, Person)
    rows = db.session.execute(
        select(Person.id, Person.email, reason, since)
        .where(and_(Person.status == "active", Person.id > after, Person.id <= upper,
                    not_(_reachable(channel, keys, Person))))
        .order_by(Person.id)
    ).all()
    return [Entry(channel, why, when, f"p{person_id}", email)
            for person_id, email, why, when in rows]


def _reason_and_since(channel: str, keys: list[str], person: Any) -> tuple[Any, Any]:
    """SQL for a label of why the campaigns' rule left the person out (the decision is
    already made), and since when: restriction first, then an erased address's hash on the
    list, then the person's own last change of the channel's purposes."""
    changed = select(func.max(ConsentState.updated_at)).where(
        ConsentState.person_id == person.id, ConsentState.purpose.in_(keys),
    ).scalar_subquery()
    on_list = exists().where(Suppression.kind == "email",
                             Suppression.value_hash == person.email_hash)
    # Legitimate interests (post, phone) run until objected to: a stored answer is an
    # objection. Consent purposes were either withdrawn or never given.
    own = literal("objected") if channel in ("post", "phone") else case(
        (changed.is_not(None), literal("withdrawn")), else_=literal("no consent"))
    reason = case((person.restricted_at.is_not(None), literal("processing restricted")),
                  (on_list, literal("on the suppression list")), else_=own)
    since = func.coalesce(person.restricted_at, changed, person.created_at)
    return reason, type_coerce(since, UTCDateTime())


def _hashes(channel: str, after: int, limit: int) -> list[Entry]:
    kinds = [kind for kind, channels in KIND_CHANNELS.items() if channel in channels]
    rows = db.session.execute(
        select(Suppression).where(Suppression.kind.in_(kinds), Suppression.id > after)
        .order_by(Suppression.id).limit(limit)
    ).scalars()
    return [
        Entry(channel=channel, reason=row.reason, since=row.created_at, cursor=f"s{row.id}",
              email_hash=row.value_hash if row.kind == "email" else None,
              phone_hash=row.value_hash if row.kind == "phone" else None)
        for row in rows
    ]


def export_entries(channels: list[str]) -> Iterator[Entry]:
    for channel in channels:
        yield from iter_entries(channel)
