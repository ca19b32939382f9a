"""Plain helpers for reading caught mail: its text, links and raw headers, and a DKIM key's
DNS answer."""

from __future__ import annotations

import email
import re
from typing import Any

LONG_BASE_URL = "https://preferences.active-connections-group.example.co.uk/centre"
SIMPLE_TEMPLATE = {"txt": "Hello {{ who }}", "html": "<p>Hello {{ who }}</p>"}


def body_text(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


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


def links(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def add_template(app: Any, folder: Any, kind: str = "hello") -> None:
    """A plain service template pair ``email/<kind>`` in ``folder`` (a tmp_path)."""
    (folder / "email").mkdir(exist_ok=True)
    for ext, text in SIMPLE_TEMPLATE.items():
        (folder / "email" / f"{kind}.{ext}").write_text(text)
    if str(folder) not in app.jinja_loader.searchpath:
        app.jinja_loader.searchpath.insert(0, str(folder))


def dkim_dns(record: bytes) -> Any:
    """A DNS lookup for dkimpy that publishes ``record`` (the ``dkim_key`` fixture's)."""
    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        return record if name == b"pc2026._domainkey.example.com." else None
    return lookup


# Every marketing purpose of the catalogue: what "stop all marketing" refuses.
MARKETING = ["email:offers", "email:updates", "email:policy", "sms:offers", "sms:updates",
             "sms:policy", "post:offers", "phone:offers"]
