"""Plain words for the stored codes the data page shows (the export keeps the codes: it is
for machines, and its README explains them). A code with no entry shows as stored."""

from __future__ import annotations

from ..consent.catalogue import CHANNELS
from ..preferences.history import ACTOR_WORDS, SOURCE_WORDS
from .requests import STATUS_LABELS

# Consent sources, capitalised for a table cell: "Preference page", "One-click unsubscribe".
CONSENT_SOURCES = {key: text[:1].upper() + text[1:] for key, text in SOURCE_WORDS.items()}
ACTORS = {key: text[:1].upper() + text[1:] for key, text in ACTOR_WORDS.items()}

# Message kinds are the names of the templates in templates/email/.
MESSAGE_KINDS = {
    "verify_email": "Confirm your email address",
    "set_password": "Choose your password",
    "reset_password": "Reset your password",
    "account_exists": "You already have an account",
    "confirm_new_email": "Confirm your new email address",
    "email_changed": "Your email address was changed",
    "erase_confirm": "Confirm erasure",
    "erasure_confirmation": "Your data has been erased",
    "export_ready": "Your data download is ready",
    "order_changed": "Your order has changed",
    "order_confirmed": "Order confirmation",
    "preference_link": "Link to your preferences",
    "retention_warning": "Reminder before we erase your data",
    "signup_confirm": "Confirm your sign-up",
    "campaign": "Marketing message",
    "text": "Text message",
}
MESSAGE_STATUSES = {"queued": "Waiting to be sent", "sending": "Being sent", "sent": "Sent",
                    "failed": "Not sent yet (will retry)", "dead": "Could not be delivered",
                    "cancelled": "Cancelled", "suppressed": "Not sent (you opted out)"}
ORIGINS = {"register": "You created an account", "signup": "Newsletter sign-up",
           "api": "One of our systems (for example an order)", "demo": "Demo data",
           "import": "Imported from an earlier system"}
ACCOUNT_STATUSES = {"active": "Active", "pending": "Waiting for email confirmation",
                    "erased": "Erased"}
# Older records hold a lower-case code; the profile form stores its label.
GENDERS = {"female": "Female", "male": "Male", "non-binary": "Non-binary"}
CHANNEL_NAMES = {**CHANNELS, "webchat": "Web chat"}
DIRECTIONS = {"inbound": "From you", "outbound": "From us"}
ORDER_STATUSES = {"confirmed": "Confirmed", "delivered": "Delivered", "cancelled": "Cancelled",
                  "changed": "Changed"}
REQUEST_KINDS = {"object": "Objection", "restrict": "Restriction", "rectify": "Correction",
                 "export": "Download", "erase": "Erasure"}
REQUEST_STATUSES = STATUS_LABELS
AUDIT_ACTIONS = {"account.verify": "Confirmed your email address",
                 "password.set": "Chose a password", "password.reset": "Reset your password",
                 "password.change": "Changed your password",
                 "profile.update": "Corrected your details",
                 "email.change_requested": "Asked to change your email address",
                 "email.change": "Changed your email address"}
