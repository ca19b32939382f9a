"""The one composer: every message, service or marketing, gets its footer, links and headers here.

Service messages are rendered from ``templates/email/<kind>.txt`` and ``.html`` when queued
(the templates are plain bodies: nothing to extend). Campaign messages are rendered when sent
(see ``campaigns.py``). Either way the footer, the one-click link and the headers are added
when the message is sent, because the link's token names the outbox row id, which a bulk
insert does not know in advance; nothing signed is stored.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from email.utils import format_datetime, parseaddr
from functools import lru_cache
from typing import Any

from flask import current_app, render_template

from .. import clock, links
from ..consent.catalogue import TOPICS
from ..extensions import db
from ..models import OutboxMessage, Person
from . import dkim
from .mime import UnsafeHeader, build_email, check_header_value

SERVICE = "service_messages"
ALL_MARKETING = "*"
_KIND = re.compile(r"^[a-z0-9_]{1,40}$")


@dataclass(frozen=True)
class Content:
    """What a message says, before the footer: subject, text and (optional) HTML body."""

    subject: str
    text: str
    html: str | None


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{message_id_domain()}>"


def message_id_domain() -> str:
    return current_app.config.get("DKIM_DOMAIN") or "preference-centre.local"


def unsubscribe_topic(purpose: str) -> str:
    """A marketing message's link covers its own topic; a service message's, all marketing."""
    if purpose == SERVICE or ":" not in purpose:
        return ALL_MARKETING
    return purpose.split(":", 1)[1]


def queue_service_email(
    person: Person, kind: str, subject: str, context: dict[str, Any], to: str | None = None
) -> OutboxMessage:
    """Render ``templates/email/<kind>.txt`` and ``.html`` and queue them for ``person``
    (to ``to`` instead of the person's address when given, e.g. an old address).

    Sent whatever the marketing choices. Raises ``UnsafeHeader`` when the subject or the
    address holds a line break, and ``ValueError`` for an unusable kind or address."""
    if not _KIND.match(kind):
        raise ValueError("message kind must be lower-case letters, digits and underscores")
    check_header_value("Subject", subject)
    recipient = check_header_value("To", to or person.email or "")
    if "@" not in recipient:
        raise UnsafeHeader("To is not an email address")
    values = {"person": person,
              "company_name": current_app.config["COMPANY_NAME"], **context}
    message = OutboxMessage(
        person_id=person.id, channel="email", purpose=SERVICE, kind=kind,
        recipient=recipient, subject=subject,
        body_text=render_template(f"email/{kind}.txt", **values),
        body_html=render_template(f"email/{kind}.html", **values),
        message_id=new_message_id(), status="queued", attempts=0,
        next_attempt_at=clock.utcnow(),
    )
    db.session.add(message)
    return message


def with_footer(content: Content, person_id: int, channel: str, topic: str,
                message_ref: int | str) -> tuple[Content, str]:
    """``content`` with the footer appended to both bodies, and the one-click URL."""
    unsubscribe_url = links.one_click_link(person_id, channel, topic, message_ref)
    values = {
        "unsubscribe_url": unsubscribe_url, "preferences_url": links.preference_link(person_id),
        "company_name": current_app.config["COMPANY_NAME"], "scope": _scope(topic),
        "service": topic == ALL_MARKETING,
    }
    text = content.text.rstrip("\n") + "\n\n" + _render("email/_footer.txt", values)
    html = None
    if content.html is not None:
        html = _insert_footer(content.html, _render("email/_footer.html", values))
    return Content(content.subject, text, html), unsubscribe_url


def _render(name: str, values: dict[str, Any]) -> str:
    # Straight from the Jinja environment (which keeps each compiled template): no
    # request-bound context processors, so the worker can render outside a request. The
    # environment escapes values in ``.html`` templates.
    return current_app.jinja_env.get_template(name).render(values)


def _scope(topic: str) -> str:
    if topic == ALL_MARKETING:
        return "all marketing emails"
    return f"emails about {TOPICS.get(topic, topic).lower()}"


def _insert_footer(html: str, footer: str) -> str:
    at = html.lower().rfind("</body>")
    if at >= 0:
        return html[:at] + footer + html[at:]
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"></head>\n<body>\n'
        f"{html}\n{footer}\n</body></html>\n"
    )


def sender_address() -> tuple[str, str]:
    """(header value, envelope address) of ``MAIL_DEFAULT_SENDER`` (a string or a pair), as
    Flask-Mail read it."""
    sender = current_app.extensions["mail"].default_sender
    if isinstance(sender, (tuple, list)):
        sender = f"{sender[0]} <{sender[1]}>"
    return _with_envelope(str(sender))


@lru_cache(maxsize=8)
def _with_envelope(sender: str) -> tuple[str, str]:
    # Parsed once per sender, not once per message.
    return sender, parseaddr(sender)[1]


def email_bytes(row: OutboxMessage, recipient: str, content: Content) -> bytes:
    """The raw email for outbox ``row``: footer, ``List-Unsubscribe`` headers whose token names
    the row, its stable ``Message-ID``, and a DKIM signature when configured."""
    topic = unsubscribe_topic(row.purpose)
    full, unsubscribe_url = with_footer(content, row.person_id, "email", topic, row.id)
    return signed_email(recipient, full, unsubscribe_url, row.message_id)


def signed_email(recipient: str, content: Content, unsubscribe_url: str,
                 message_id: str | None = None) -> bytes:
    """The raw email with every header a message carries, in order: both one-click headers
    literal on one line, and a DKIM signature when configured. ``content`` is sent as given
    (outbox rows get their footer in :func:`email_bytes`; ``immediate.py`` sends without)."""
    sender, _ = sender_address()
    headers = [
        ("From", sender),
        ("To", recipient),
        ("Subject", content.subject),
        ("Date", format_datetime(clock.utcnow().replace(microsecond=0))),
        ("Message-ID", message_id or new_message_id()),
        ("List-Unsubscribe", f"<{unsubscribe_url}>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    ]
    return dkim.sign_if_configured(build_email(headers, content.text, content.html))
