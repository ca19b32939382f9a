"""One-click unsubscribe (RFC 8058) from the link in every message. Pages."""

from . import bp  # noqa: F401
