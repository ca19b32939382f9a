"""Senders, one per channel, used by the outbox worker for one batch at a time.

A sender has ``send(row, contact, content)`` (composes and sends one message; raises
``transport.DeliveryError`` when it was not accepted) and ``close()``. Email is built in.
Another channel (text messages) plugs in with :func:`register_sender`, from a module listed
in ``PLUGIN_MODULES`` so the worker finds it without the web app importing it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from flask import current_app

from .compose import Content, email_bytes, sender_address
from .mime import UnsafeHeader
from .transport import DeliveryError, SmtpTransport

PLUGIN_MODULES = ("preference_centre.sms.outbox",)


@dataclass(frozen=True)
class Contact:
    """The person a message goes to, read once per batch (decrypted)."""

    id: int
    email: str | None
    name: str | None
    phone: str | None


class Sender(Protocol):
    def send(self, row: Any, contact: Contact, content: Content) -> None:
        """Compose and send one outbox row; DeliveryError when it was not accepted."""

    def close(self) -> None: ...


SenderFactory = Callable[[Any], Sender]
_FACTORIES: dict[str, SenderFactory] = {}
_plugins_loaded = False


def register_sender(channel: str, factory: SenderFactory) -> None:
    """``factory(app.config)`` returns a :class:`Sender` for ``channel``'s outbox rows."""
    _FACTORIES[channel] = factory


def sender_factories() -> dict[str, SenderFactory]:
    global _plugins_loaded
    if not _plugins_loaded:
        _plugins_loaded = True
        for name in PLUGIN_MODULES:
            importlib.import_module(name)
    return _FACTORIES


def supported_channels() -> list[str]:
    """Channels whose outbox rows the worker can send."""
    return sorted(sender_factories())


class EmailSender:
    """Composes each email (footer, headers, DKIM) and sends it over one SMTP connection."""

    def __init__(self, config: Any) -> None:
        self.transport = SmtpTransport(current_app.extensions["mail"], config["MAIL_TIMEOUT"])
        self.envelope_from = sender_address()[1]

    def send(self, row: Any, contact: Contact, content: Content) -> None:
        recipient = row.recipient or contact.email
        if not recipient:
            raise DeliveryError("no address", temporary=False)
        try:
            raw = email_bytes(row, recipient, content)
        except UnsafeHeader as exc:
            raise DeliveryError(str(exc), temporary=False) from None
        self.transport.send(self.envelope_from, recipient, raw)

    def close(self) -> None:
        self.transport.close()


register_sender("email", EmailSender)
