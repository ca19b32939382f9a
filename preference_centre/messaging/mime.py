"""Building the raw bytes of an email, headers kept literal and on one line.

Why not Flask-Mail or ``EmailMessage``: Flask-Mail RFC 2047-encodes and folds header values of
about 78 characters or more, and one-click clients may not unfold or decode a
``List-Unsubscribe`` value; ``email.message.EmailMessage`` with a non-folding policy gets the
headers right but costs about 2 ms a message, more than the SMTP exchange itself. The format
needed here is small (ASCII headers, one text and one HTML part), so it is written out
directly; the tests parse the result with the ``email`` package.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Iterable
from email.header import Header
from email.utils import formataddr, parseaddr
from functools import lru_cache

CRLF = "\r\n"
# RFC 5322's hard limit; lines of a 7bit part must stay under it.
MAX_LINE = 998


# CR and LF above all (header injection), and every other control character but tab.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


class UnsafeHeader(ValueError):
    """A header value holds a line break (header injection) or is otherwise unusable."""


def check_header_value(name: str, value: str) -> str:
    """``value`` unchanged if it is safe in a header; refuses CR, LF and other controls."""
    if _CONTROL.search(value):
        raise UnsafeHeader(f"{name} must not contain line breaks or control characters")
    return value


def one_line(value: str) -> str:
    """Collapse every run of whitespace (line breaks included) to one space: for values that
    come from people (names) and are put into a subject line."""
    return " ".join(value.split())


def encode_header_value(name: str, value: str) -> str:
    """Literal when ASCII; RFC 2047 encoded words only for non-ASCII text (a subject)."""
    check_header_value(name, value)
    if value.isascii():
        return value
    return Header(value, "utf-8", header_name=name).encode(linesep=CRLF)


_PLAIN_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+$")


@lru_cache(maxsize=64)
def encode_address(name: str, value: str) -> str:
    """An address header (``From``, ``To``), with a display name encoded when non-ASCII.
    Kept per value: every message of a run has the same ``From``."""
    if _PLAIN_ADDRESS.match(value):  # the usual case: a bare address, nothing to parse
        return value
    check_header_value(name, value)
    display, address = parseaddr(value)
    if not address or "@" not in address:
        raise UnsafeHeader(f"{name} is not an email address")
    return formataddr((display, address), charset="utf-8") if display else address


def _part(subtype: str, content: str) -> str:
    """A ``text/<subtype>`` part: 7bit when ASCII with short lines, base64 otherwise."""
    lines = content.splitlines()
    if content.isascii() and all(len(line) < MAX_LINE for line in lines):
        body = CRLF.join(lines)
        encoding = "7bit"
    else:
        body = base64.encodebytes(content.encode("utf-8")).decode("ascii").replace("\n", CRLF)
        encoding = "base64"
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"{CRLF}'
        f"Content-Transfer-Encoding: {encoding}{CRLF}{CRLF}{body}{CRLF}"
    )


def build_email(headers: Iterable[tuple[str, str]], text: str, html: str | None) -> bytes:
    """The raw message: ``headers`` in order (values checked and encoded), then a text part,
    or ``multipart/alternative`` with text and HTML when ``html`` is given."""
    lines = []
    for name, value in headers:
        if name in ("From", "To", "Reply-To", "Sender"):
            lines.append(f"{name}: {encode_address(name, value)}")
        else:
            lines.append(f"{name}: {encode_header_value(name, value)}")
    lines.append("MIME-Version: 1.0")
    head = CRLF.join(lines) + CRLF
    if html is None:
        return (head + _part("plain", text)).encode("utf-8")
    boundary = f"=_pc_{secrets.token_hex(12)}"
    body = (
        f'Content-Type: multipart/alternative; boundary="{boundary}"{CRLF}{CRLF}'
        f"--{boundary}{CRLF}{_part('plain', text)}"
        f"--{boundary}{CRLF}{_part('html', html)}"
        f"--{boundary}--{CRLF}"
    )
    return (head + body).encode("utf-8")
