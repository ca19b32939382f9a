"""Service messages about orders: confirmation, and news of a change or delay.

They go out whatever the marketing choices (the contract needs them); like every message,
they carry the one-click link, which for a service message stops all email marketing.
"""

from __future__ import annotations

from ..extensions import db
from ..models import Order, OutboxMessage, Person
from .compose import queue_service_email
from .mime import one_line


def _customer(order: Order) -> Person | None:
    # An order kept for accounting after erasure has no person: nobody to tell.
    return db.session.get(Person, order.person_id) if order.person_id else None


def _price(order: Order) -> str:
    symbol = {"GBP": "£", "EUR": "€", "USD": "$"}.get(order.currency, f"{order.currency} ")
    return f"{symbol}{order.amount_pence / 100:,.2f}"


def send_order_confirmed(order: Order) -> OutboxMessage | None:
    """templates/email/order_confirmed: queue the order confirmation; ``None`` when the
    order has no customer any more."""
    person = _customer(order)
    if person is None:
        return None
    return queue_service_email(
        person, "order_confirmed", f"Your order {one_line(order.reference)} is confirmed",
        {"order": order, "price": _price(order)},
    )


def send_order_changed(order: Order, what: str | None) -> OutboxMessage | None:
    """templates/email/order_changed: queue "a change or delay to your order"; ``what``
    says what changed, in a sentence (without it, the message gives the order's new
    status)."""
    person = _customer(order)
    if person is None:
        return None
    what = what or f'Its status is now "{order.status}".'
    return queue_service_email(
        person, "order_changed", f"A change to your order {one_line(order.reference)}",
        {"order": order, "price": _price(order), "what": what},
    )
