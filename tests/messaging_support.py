"""Helpers for the messaging tests: raw headers, consent, one-click links."""

from __future__ import annotations

import re
from typing import Any

from preference_centre.consent import Actor, record_changes
from preference_centre.extensions import db

LONG_BASE_URL = "https://preferences.active-connections-group.example.co.uk/centre"
SIMPLE_TEMPLATE = {"txt": "Hello {{ who }}", "html": "<p>Hello {{ who }}</p>"}


def raw_headers(raw: bytes) -> list[str]:
    """The header lines exactly as received (CRLF-separated, folding left as is)."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    return head.split("\r\n")


def one_line_header(raw: bytes, name: str) -> str:
    """The value of header ``name``; fails unless it is on one line, literal (no encoding)."""
    lines = raw_headers(raw)
    found = [i for i, line in enumerate(lines) if line.lower().startswith(name.lower() + ":")]
    assert len(found) == 1, f"{name} appears {len(found)} times"
    index = found[0]
    following = lines[index + 1] if index + 1 < len(lines) else ""
    assert not following.startswith((" ", "\t")), f"{name} is folded"
    value = lines[index].split(":", 1)[1].strip()
    assert "=?" not in value, f"{name} is RFC 2047 encoded"
    return value


def raw_to(mailbox: Any, address: str) -> bytes:
    found = [e.original_content for e in mailbox.envelopes if address in e.rcpt_tos]
    assert found, f"nothing received for {address}"
    return found[-1]


def consent(person: Any, **purposes: bool) -> None:
    """``consent(person, **{"email:offers": True})``, recorded as the person's form choice."""
    record_changes(person.id, purposes, Actor(source="form"))
    db.session.commit()


def links(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def add_template(app: Any, folder: Any, kind: str = "hello") -> None:
    """A plain service template pair ``email/<kind>`` in ``folder`` (a tmp_path)."""
    (folder / "email").mkdir(exist_ok=True)
    for ext, text in SIMPLE_TEMPLATE.items():
        (folder / "email" / f"{kind}.{ext}").write_text(text)
    if str(folder) not in app.jinja_loader.searchpath:
        app.jinja_loader.searchpath.insert(0, str(folder))


def queue_service_mail(app: Any, folder: Any, person: Any, count: int = 1) -> list[Any]:
    """``count`` service emails (template ``hello``) queued for ``person`` and committed."""
    from preference_centre.messaging import queue_service_email

    add_template(app, folder)
    rows = [queue_service_email(person, "hello", f"Note {n}", {"who": "Ada"})
            for n in range(count)]
    db.session.commit()
    return rows


def outbox_row(row_id: int) -> Any:
    """The outbox row as the database has it now."""
    from preference_centre.models import OutboxMessage

    db.session.expire_all()
    return db.session.get(OutboxMessage, row_id)
