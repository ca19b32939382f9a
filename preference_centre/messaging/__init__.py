"""Every message that leaves: composed in one place, queued in the outbox, sent by a worker.

The public interface other features call:

- ``queue_service_email(person, kind, subject, context, to=None)``: a service message
  (verification, reset, change of email, order news); sent whatever the marketing choices.
- ``deliver_due(batch=...)``: send what is due (the worker and tests call this).
"""

from .compose import queue_service_email
from .outbox import deliver_due

__all__ = ["deliver_due", "queue_service_email"]
