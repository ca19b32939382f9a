"""The outbox (every message that leaves), campaigns, and anonymous unsubscribe feedback."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock
from ..extensions import db
from .types import EncryptedText, UTCDateTime


class Campaign(db.Model):
    """A marketing send: one topic on one channel; its messages render from this template."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
    created_by: Mapped[str | None] = mapped_column(String(64))
    queued_count: Mapped[int] = mapped_column(Integer, default=0)
    excluded_count: Mapped[int] = mapped_column(Integer, default=0)
    # draft (composed in the console), queueing, queued
    status: Mapped[str] = mapped_column(String(12), default="queueing")
    # Optional HTML written by staff; without it the HTML part is made from the text.
    body_html: Mapped[str | None] = mapped_column(Text)
    # Given by the console's compose form: the same form sent twice makes one campaign.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxMessage(db.Model):
    """A message waiting to leave, or the record that it left.

    Service messages carry their rendered, encrypted subject and body; campaign messages
    refer to their campaign and are rendered when sent, so a campaign to many people does not
    copy personal data into thousands of rows.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # email, sms
    purpose: Mapped[str] = mapped_column(String(80))  # service_messages or a purpose key
    kind: Mapped[str] = mapped_column(String(40))  # template name, e.g. verify_email
    recipient: Mapped[str | None] = mapped_column(EncryptedText)
    subject: Mapped[str | None] = mapped_column(EncryptedText)
    body_text: Mapped[str | None] = mapped_column(EncryptedText)
    body_html: Mapped[str | None] = mapped_column(EncryptedText)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    # queued, sending, sent, suppressed, failed, dead, cancelled
    status: Mapped[str] = mapped_column(String(12), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))


class UnsubscribeFeedback(db.Model):
    """Why someone unsubscribed: anonymous (no person), it only feeds the console's figures."""

    __tablename__ = "unsubscribe_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))
    topic: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
