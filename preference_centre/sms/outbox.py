"""Texts leave through the outbox like emails: the worker claims a queued ``sms`` row,
checks consent again (``may_contact``), and hands it to this sender. Every marketing text
ends with its signed opt-out link."""

from __future__ import annotations

from typing import Any

from flask import current_app

from .. import links
from ..messaging.compose import Content, unsubscribe_topic
from ..messaging.senders import Contact, register_sender
from ..messaging.transport import DeliveryError
from .senders import SendFailed, text_sender
from .services import compose_text


class OutboxTextSender:
    """The outbox's ``sms`` channel: sends each row's text to the person's current number."""

    def __init__(self, config: Any) -> None:
        self.sender = text_sender(config, current_app.instance_path)

    def prepare(self, row: Any, contact: Contact, content: Content) -> tuple[str, str]:
        number = row.recipient or contact.phone
        if not number:
            raise DeliveryError("no phone number", temporary=False)
        text = content.text
        if row.campaign_id is not None:
            # A campaign is rendered per person as it leaves, so its opt-out line is added
            # here; a single text (queue_text) was stored with its own.
            text = compose_text(text, links.one_click_link(row.person_id, "sms",
                                                  unsubscribe_topic(row.purpose), row.id))
        return number, text

    def start(self, prepared: tuple[str, str]) -> None:
        """Each text is one request, answered before this returns."""
        try:
            self.sender.send_text(*prepared)
        except SendFailed as exc:
            raise DeliveryError(exc.reason, temporary=exc.temporary) from None

    def finish(self) -> None:
        """Nothing to wait for: :meth:`start` had the provider's answer."""

    def close(self) -> None:
        """Nothing held open: each text is one request."""


register_sender("sms", OutboxTextSender)
