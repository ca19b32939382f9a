"""Text messages: senders (a development folder or a provider's webhook), marketing texts with
a signed opt-out link, queued through the outbox, and the provider's inbound "STOP" replies.

Importing the package registers the outbox sender for the ``sms`` channel, so every process
that builds the app (web, ``flask outbox send``) can deliver queued texts.
"""

from flask import Blueprint

bp = Blueprint("sms", __name__)

from . import outbox, views  # noqa: E402,F401
