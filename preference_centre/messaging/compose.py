"""Composing messages from a ``.txt`` and ``.html`` template pair into outbox rows."""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app, render_template

from .. import clock
from ..extensions import db
from ..models import OutboxMessage, Person


def new_message_id() -> str:
    domain = current_app.config.get("DKIM_DOMAIN") or "preference-centre.local"
    return f"<{uuid.uuid4().hex}@{domain}>"


def queue_service_email(
    person: Person, kind: str, subject: str, context: dict[str, Any], to: str | None = None
) -> OutboxMessage:
    """Render ``templates/email/<kind>.txt`` and ``.html`` and queue them for ``person``
    (to ``to`` instead of the person's address when given, e.g. an old address)."""
    values = {"person": person, "base_url": current_app.config["BASE_URL"].rstrip("/"),
              "company_name": current_app.config["COMPANY_NAME"], **context}
    message = OutboxMessage(
        person_id=person.id, channel="email", purpose="service_messages", kind=kind,
        recipient=to or person.email, subject=subject,
        body_text=render_template(f"email/{kind}.txt", **values),
        body_html=render_template(f"email/{kind}.html", **values),
        message_id=new_message_id(), status="queued", next_attempt_at=clock.utcnow(),
    )
    db.session.add(message)
    return message
