"""Senders, one per channel, used by the outbox worker for one batch at a time.

A sender sends in three steps: ``prepare(row, contact, content)`` composes one message
(nothing leaves), ``start(prepared)`` hands it over, ``finish()`` waits until the last one
started is accepted; the last two raise ``transport.DeliveryError`` when it was not. The
worker prepares each message before it waits for the one before, so an SMTP server checks a
message while the next is composed. ``close()`` ends the batch. Email is built in.
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
    def prepare(self, row: Any, contact: Contact, content: Content) -> Any:
        """One outbox row composed for :meth:`start`; DeliveryError when it cannot be sent."""

    def start(self, prepared: Any) -> None:
        """Hand the message over; DeliveryError when it is refused at once."""

    def finish(self) -> None:
        """Wait for the answer to the last message started; DeliveryError when refused."""

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

    def prepare(self, row: Any, contact: Contact, content: Content) -> tuple[str, bytes]:
        recipient = row.recipient or contact.email
        if not recipient:
            raise DeliveryError("no address", temporary=False)
        try:
            return recipient, email_bytes(row, recipient, content)
        except UnsafeHeader as exc:
            raise DeliveryError(str(exc), temporary=False) from None

    def start(self, prepared: tuple[str, bytes]) -> None:
        recipient, raw = prepared
        self.transport.start(self.envelope_from, recipient, raw)

    def finish(self) -> None:
        self.transport.finish()

    def close(self) -> None:
        self.transport.close()


register_sender("email", EmailSender)
