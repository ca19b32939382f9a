"""Every message that leaves: composed in one place, queued in the outbox, sent by a worker.

The public interface other features call:

- ``queue_service_email(person, kind, subject, context, to=None)``: a service message
  (verification, reset, change of email, order news); sent whatever the marketing choices.
- ``notify_order_confirmed(order)``, ``notify_order_changed(order, what)``: order news.
- ``queue_campaign(topic, channel, subject, body_text, created_by=None, progress=None)``.
- ``deliver_due(batch=...)``: send what is due (the worker and tests call this).
"""

from .campaigns import CampaignError, queue_campaign
from .compose import queue_service_email
from .mime import UnsafeHeader
from .orders import notify_order_changed, notify_order_confirmed
from .outbox import deliver_due

__all__ = [
    "CampaignError", "UnsafeHeader", "deliver_due", "notify_order_changed",
    "notify_order_confirmed", "queue_campaign", "queue_service_email",
]
