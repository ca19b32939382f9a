"""Every message that leaves: composed in one place, queued in the outbox, sent by a worker.

Each service message has its own function, which names its subject and its
``templates/email/<kind>.txt``/``.html`` pair, in the emails module of the feature it
belongs to (``auth/emails.py``: verification, password reset...; ``account/emails.py``,
``data_rights/emails.py``, ``signup/emails.py``, ``preferences/emails.py``,
``retention/emails.py``; order news in ``messaging/orders.py``). They all queue through
the one composer. The public interface:

- ``queue_service_email(person, kind, subject, context, to=None)``: the composer's queueing
  step for a service message, sent whatever the marketing choices (called by the emails
  modules, not by services directly).
- ``send_order_confirmed(order)``, ``send_order_changed(order, what)``: order news.
- ``queue_campaign(topic, channel, subject, body_text, created_by=None, progress=None)``.
- ``deliver_due(batch=...)``: send what is due (the worker and tests call this).
"""

from .campaigns import CampaignError, queue_campaign
from .compose import queue_service_email
from .mime import UnsafeHeader
from .orders import send_order_changed, send_order_confirmed
from .outbox import deliver_due

__all__ = [
    "CampaignError", "UnsafeHeader", "deliver_due", "queue_campaign", "queue_service_email",
    "send_order_changed", "send_order_confirmed",
]
