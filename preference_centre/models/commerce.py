"""What a person bought, how they pay, what they told us, and what others told us."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock
from ..extensions import db
from .types import EncryptedText, UTCDateTime


class Order(db.Model):
    """A product or service ordered. Kept for accounting after erasure (when
    KEEP_ORDERS_FOR_ACCOUNTING is on) with only what accounts need: reference, dates,
    amount, currency and status; the person link, the address and the product are removed."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    # Free text that can say a lot about a person (what they bought, for whom): encrypted
    # like the contact fields, and blanked when erasure keeps the order for accounting.
    product: Mapped[str] = mapped_column(EncryptedText)
    amount_pence: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    status: Mapped[str] = mapped_column(String(20), default="confirmed")
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=clock.utcnow, onupdate=clock.utcnow
    )
    # Delivery address for this order, if different; identifying, so erased with the person.
    delivery_address: Mapped[str | None] = mapped_column(EncryptedText)


class PaymentMethod(db.Model):
    """A card on file, masked: brand, last four digits and expiry. Never the full number or
    the security code."""

    __tablename__ = "payment_methods"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    brand: Mapped[str] = mapped_column(String(20))
    last4: Mapped[str] = mapped_column(String(4))
    exp_month: Mapped[int] = mapped_column(Integer)
    exp_year: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)


class Communication(db.Model):
    """An email, web chat or phone call with the person: when, which way, a short summary."""

    __tablename__ = "communications"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # email, webchat, phone
    direction: Mapped[str] = mapped_column(String(10))  # inbound, outbound
    summary: Mapped[str | None] = mapped_column(EncryptedText)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)


class ExternalRecord(db.Model):
    """Information received from another organisation (Facebook, Google, Twitter style)."""

    __tablename__ = "external_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(40))
    # Free text from the other organisation about the person: encrypted at rest.
    description: Mapped[str] = mapped_column(EncryptedText)
    data: Mapped[str | None] = mapped_column(EncryptedText)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
