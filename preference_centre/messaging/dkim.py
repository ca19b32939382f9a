"""DKIM signatures (dkimpy) on every email, when a key, selector and domain are configured.

RFC 8058 requires the signature to cover both ``List-Unsubscribe`` headers, so a mailbox
provider can trust the one-click address came from us.
"""

from __future__ import annotations

from pathlib import Path

import dkim as dkimpy
from flask import current_app

SIGNED_HEADERS = (
    b"From", b"To", b"Subject", b"Date", b"Message-ID",
    b"List-Unsubscribe", b"List-Unsubscribe-Post",
)


class DkimConfigError(RuntimeError):
    """The DKIM key file is missing or unreadable."""


def settings() -> tuple[str, str, str] | None:
    """(key file, selector, domain) when all three are set, else ``None``."""
    config = current_app.config
    values = (config.get("DKIM_PRIVATE_KEY_FILE"), config.get("DKIM_SELECTOR"),
              config.get("DKIM_DOMAIN"))
    return values if all(values) else None  # type: ignore[return-value]


def sign_if_configured(raw: bytes) -> bytes:
    """``raw`` with a ``DKIM-Signature`` header in front, or unchanged when DKIM is off."""
    found = settings()
    if found is None:
        return raw
    key_file, selector, domain = found
    try:
        # Read for each message: a replaced key file is used at once.
        key = Path(key_file).read_bytes()
    except OSError as exc:
        raise DkimConfigError("DKIM_PRIVATE_KEY_FILE cannot be read") from exc
    signature = dkimpy.sign(
        raw, selector.encode("ascii"), domain.encode("ascii"), key,
        include_headers=list(SIGNED_HEADERS),
    )
    return signature + raw
