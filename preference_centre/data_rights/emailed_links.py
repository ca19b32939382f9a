"""Single-use links emailed to people without an account, asked for from their ``/p/``
page: a download of their data (``export``) and the confirmation of an erasure (``erase``).

Holding a ``/p/`` link proves only that someone had a message; the emailed link proves the
address is theirs now. Each link stands for an open request, works once, and stops matching
when the request or the address changes. Opening it changes nothing (mail scanners follow
links): the page it shows has the button that acts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, update

from .. import clock, links, tokens
from ..extensions import db
from ..models import OutboxMessage, Person, RightsRequest
from . import emails
from .requests import OPEN_STATUSES, create_request, open_requests


@dataclass(frozen=True)
class LinkKind:
    token_purpose: str  # a tokens.SALTS key
    endpoint: str  # the page the link opens
    send: Callable[[Person, str, timedelta, str], OutboxMessage]  # one of ``emails``
    lifetime: Callable[[Mapping[str, Any]], timedelta]  # from the app's config
    details: str = "Requested from the preferences link"


ERASE_LINK_HOURS = 48  # an erasure cannot be undone: the confirmation is short-lived
KINDS = {
    "export": LinkKind("export_download", "data_rights.emailed_export", emails.send_export_ready,
                       lambda config: timedelta(days=int(config["EXPORT_LINK_DAYS"]))),
    "erase": LinkKind("erase_confirm", "data_rights.emailed_erasure", emails.send_erase_confirm,
                      lambda config: timedelta(hours=ERASE_LINK_HOURS)),
}


def lifetime(kind: str) -> timedelta:
    return KINDS[kind].lifetime(current_app.config)


def _fingerprint(row: RightsRequest, person: Person) -> str:
    return tokens.state_fingerprint(row.id, row.reference, person.email_hash)


def email_link(person: Person, kind: str) -> RightsRequest | None:
    """Email ``person`` a single-use link of ``kind``, unless one went in the last hour (a
    repeated click must not fill their inbox). The new request, or None. The caller commits."""
    since = clock.utcnow() - timedelta(hours=1)
    if any(r.received_at > since for r in open_requests(person.id, kind)):
        return None
    link_kind = KINDS[kind]
    row = create_request(person.id, kind, link_kind.details, status="in_progress")
    link = links.signed_link(link_kind.endpoint, link_kind.token_purpose,
                             {"r": row.id, "f": _fingerprint(row, person)})
    link_kind.send(person, link, lifetime(kind), row.reference)
    return row


def read_link(kind: str, token: str) -> RightsRequest:
    """The open request a link of ``kind`` stands for. Raises ``tokens.TokenInvalid`` (or
    ``TokenExpired``) when the link is bad, too old, already used or its person is gone."""
    data = tokens.read_token(KINDS[kind].token_purpose, token, lifetime(kind))
    row = db.session.get(RightsRequest, data.get("r")) if isinstance(data, dict) else None
    person = db.session.get(Person, row.person_id) if row is not None else None
    if (row is None or person is None or row.kind != kind
            or row.status not in OPEN_STATUSES or _fingerprint(row, person) != data.get("f")):
        raise tokens.TokenInvalid("link is not valid")
    return row


def spent_request(kind: str, token: str) -> RightsRequest | None:
    """The request a genuine, unexpired link of ``kind`` stood for when that link has
    already been used; None otherwise. For a page that says "already downloaded" rather
    than "this link does not work"."""
    try:
        data = tokens.read_token(KINDS[kind].token_purpose, token, lifetime(kind))
    except tokens.TokenInvalid:
        return None
    row = db.session.get(RightsRequest, data.get("r")) if isinstance(data, dict) else None
    if row is None or row.kind != kind or row.status != "completed":
        return None
    return row


def complete(row: RightsRequest, resolution: str) -> None:
    """Used once: the link stops working."""
    row.status, row.resolved_at, row.resolution = "completed", clock.utcnow(), resolution


def expired_requests(now: datetime) -> list[Any]:
    """Conditions for open link requests whose link has expired unused, one per kind."""
    return [and_(RightsRequest.kind == kind, RightsRequest.status.in_(OPEN_STATUSES),
                 RightsRequest.received_at < now - lifetime(kind)) for kind in KINDS]


def close_expired(now: datetime) -> int:
    """Close the requests whose emailed link expired unused, so none stays open for ever
    (the retention run calls this). How many were closed; the caller commits."""
    result = db.session.execute(
        update(RightsRequest).where(or_(*expired_requests(now)))
        .values(status="lapsed", resolved_at=now,
                resolution="The emailed link expired before it was used.")
        .execution_options(synchronize_session=False))
    return result.rowcount or 0
