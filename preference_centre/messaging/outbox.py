"""Sending what is due from the outbox (the full worker arrives with the messaging work)."""

from __future__ import annotations

from flask_mail import Message

from .. import clock
from ..extensions import db, mail
from ..models import OutboxMessage


def deliver_due(batch: int = 100) -> dict[str, int]:
    """Send up to ``batch`` due messages over one SMTP connection; counts by outcome."""
    rows = db.session.execute(
        db.select(OutboxMessage)
        .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= clock.utcnow())
        .order_by(OutboxMessage.id).limit(batch)
    ).scalars().all()
    counts = {"sent": 0}
    if not rows:
        return counts
    with mail.connect() as connection:
        for row in rows:
            message = Message(subject=row.subject, recipients=[row.recipient],
                              body=row.body_text, html=row.body_html)
            message.msgId = row.message_id
            connection.send(message)
            row.status = "sent"
            row.sent_at = clock.utcnow()
            counts["sent"] += 1
    db.session.commit()
    return counts
