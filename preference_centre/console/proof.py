"""Proof of consent for the privacy team: every ledger event of one person with the evidence
kept with it (when, how, from which network and browser family, which message, what another
system said about where and when it captured the choice) and the privacy notice in force,
with where its text can be read. A plain dict for JSON and rows for CSV."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from .. import clock
from ..consent import purposes_from_config
from ..data_rights.export import neutralise
from ..extensions import db
from ..models import ConsentEvent, NoticeVersion, Person

PROOF_COLUMNS = [
    "event_id", "occurred_at", "purpose", "purpose_title", "old_value", "new_value",
    "source", "actor_type", "actor_id", "notice_version", "notice_published_at",
    "notice_summary", "notice_url", "ip_prefix", "browser_family", "message_ref",
    "captured_at", "collection_point", "wording",
]


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def consent_proof(person: Person, notice_url: Callable[[str], str]) -> dict[str, Any]:
    """The person's ledger oldest first, each event with its evidence; ``notice_url(v)``
    gives the public address of notice version ``v``."""
    purposes = purposes_from_config(current_app.config)
    events = db.session.execute(
        select(ConsentEvent).where(ConsentEvent.person_id == person.id)
        .order_by(ConsentEvent.occurred_at, ConsentEvent.id)).scalars()
    notices = {row.version: row for row in db.session.execute(select(NoticeVersion)).scalars()}
    lines = []
    for event in events:
        notice = notices.get(event.notice_version) if event.notice_version else None
        purpose = purposes.get(event.purpose)
        lines.append({
            "event_id": event.id, "occurred_at": _when(event.occurred_at),
            "purpose": event.purpose, "purpose_title": purpose.title if purpose else None,
            "old_value": event.old_value, "new_value": event.new_value,
            "source": event.source, "actor_type": event.actor_type, "actor_id": event.actor_id,
            "notice_version": event.notice_version,
            "notice_published_at": _when(notice.published_at) if notice else None,
            "notice_summary": notice.summary if notice else None,
            "notice_url": notice_url(event.notice_version) if event.notice_version else None,
            "ip_prefix": event.ip_prefix, "browser_family": event.ua_family,
            "message_ref": event.message_ref, "captured_at": _when(event.captured_at),
            "collection_point": event.collection_point, "wording": event.wording,
        })
    shown = {line["notice_version"] for line in lines if line["notice_version"]}
    return {
        "generated_at": clock.utcnow().isoformat(),
        "person": {"id": person.id, "email": person.email, "status": person.status,
                   "created_at": _when(person.created_at),
                   "email_verified_at": _when(person.email_verified_at)},
        "events": lines,
        # Each notice version an event names, with its text as published (when kept).
        "notices": {version: {
            "url": notice_url(version),
            "published_at": _when(notices[version].published_at) if version in notices else None,
            "summary": notices[version].summary if version in notices else None,
            "text": (notices[version].body or None) if version in notices else None,
        } for version in sorted(shown)},
    }


def proof_rows(proof: dict[str, Any]) -> Iterator[list[str]]:
    """The events of ``consent_proof`` as CSV rows (header first), formulas neutralised."""
    yield PROOF_COLUMNS
    for line in proof["events"]:
        yield [neutralise("" if line[name] is None else str(line[name]))
               for name in PROOF_COLUMNS]
