"""Text messages: senders (a development folder or a provider's webhook), marketing texts with
a signed opt-out link, queued through the outbox, and the provider's inbound "STOP" replies.

Importing ``sms.outbox`` registers the outbox sender for the ``sms`` channel; the outbox
finds it through ``messaging.senders.PLUGIN_MODULES``, so every process that delivers
(web, ``flask outbox send``) can send queued texts.
"""

from flask import Blueprint

bp = Blueprint("sms", __name__)
