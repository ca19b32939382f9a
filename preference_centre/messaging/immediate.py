"""One email composed now and sent once, without an outbox row.

For the erasure confirmation only: it goes to an address that must not be stored anywhere
afterwards, and an outbox row would keep it. The message is composed by the composer's own
functions (MIME, headers, DKIM: ``compose.signed_email``) and sent over the outbox's SMTP
transport, so it differs from an outbox email only in having no row, no retry and no footer.
Composing and sending are separate steps, so the caller can compose inside a transaction and
send only after it commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template

from .compose import Content, sender_address, signed_email
from .transport import SmtpTransport


@dataclass(frozen=True)
class ReadyEmail:
    """A composed email held in memory: envelope addresses and the raw, signed bytes."""

    envelope_from: str
    recipient: str
    raw: bytes


def compose_immediately(recipient: str, kind: str, subject: str, context: dict[str, Any],
                        unsubscribe_url: str) -> ReadyEmail:
    """Render ``templates/email/<kind>.txt`` and ``.html`` into a signed email for
    ``recipient``, whose ``List-Unsubscribe`` header points at ``unsubscribe_url``. Raises
    ``UnsafeHeader`` for a subject or address with a line break."""
    values = {"company_name": current_app.config["COMPANY_NAME"],
              **context}
    content = Content(subject, render_template(f"email/{kind}.txt", **values),
                      render_template(f"email/{kind}.html", **values))
    raw = signed_email(recipient, content, unsubscribe_url)
    return ReadyEmail(sender_address()[1], recipient, raw)


def send_immediately(email: ReadyEmail) -> None:
    """Send over one SMTP connection, closed at once; raises ``transport.DeliveryError``."""
    transport = SmtpTransport(current_app.extensions["mail"], current_app.config["MAIL_TIMEOUT"])
    try:
        transport.send(email.envelope_from, email.recipient, email.raw)
    finally:
        transport.close()
