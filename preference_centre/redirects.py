"""Where a ``next`` parameter may send the browser: the one check every view uses.

A leaf module (standard library only), so the sign-in views and the cookie and privacy views
can both import it without importing each other.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

NEXT_MAX = 2000


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None.

    What the browser makes of the address counts, not what we make of it. Its URL parser
    (WHATWG) drops tabs and newlines anywhere and controls and spaces at either end, so
    ``/\\t/evil.example`` is ``//evil.example`` to it, and it reads a backslash as a slash.
    Rather than clean such an address, anything holding a control character is refused
    (which also keeps a newline out of the ``Location`` header), as is anything that is not
    plain ASCII, holds a backslash, does not start with exactly one ``/``, or has a scheme or
    a host. The path is checked once more percent-decoded: our own server reads
    ``/%2F%2Fevil.example`` as ``//evil.example``."""
    if not isinstance(target, str) or len(target) > NEXT_MAX or not target.isascii():
        return None
    if not _local_path(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not _local_path(unquote(parts.path)):
        return None
    return target


def _local_path(value: str) -> bool:
    """Starts with one ``/``, and no control character or backslash anywhere."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value) or "\\" in value:
        return False
    return value.startswith("/") and not value.startswith("//")
