"""The one list of everything held about a person: the data page, the export and erasure all
read it, so a table cannot be shown but not erased, or erased but not exported.

Each ``Category`` is what the privacy notice names (where it came from, why, on what basis,
for how long); each of its ``Source``s is one table's rows for the person, the fields shown
and exported, and the ``Erasure`` rule for that table. A table may feed two categories (the
consent tables feed "preferences" and "cookie choices" through a filter) but has exactly one
erasure rule. ``tests/test_data_rights_registry.py`` fails when a table is in none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..models import (
    AuditEvent,
    Communication,
    ConsentEvent,
    ConsentState,
    ExternalRecord,
    LoginSession,
    Order,
    OutboxMessage,
    PacingState,
    PaymentMethod,
    Person,
    RightsRequest,
)
from . import words
from .kinds import (
    DELETE,
    PERSON_ROW,
    PSEUDONYMISE_LEDGER,
    STRIP_ORDERS,
    STRIP_OUTBOX,
    Category,
    Erasure,
    Field,
    Source,
)

__all__ = ["CATEGORIES", "Category", "Erasure", "Field", "Source", "all_sources",
           "covered_tables", "erasure_rules"]

RETENTION = "36 months after your last purchase or visit to the website, then erased"

_BY_US = "Given by you when you registered, signed up or updated your details"


CONSENT_STATE_FIELDS = (
    Field("purpose", "Purpose", ConsentState.purpose, "purpose"),
    Field("allowed", "Allowed", ConsentState.allowed, "bool"),
    Field("updated_at", "Last changed", ConsentState.updated_at, "datetime"),
)
CONSENT_EVENT_FIELDS = (
    Field("occurred_at", "When", ConsentEvent.occurred_at, "datetime"),
    Field("purpose", "Purpose", ConsentEvent.purpose, "purpose"),
    Field("old_value", "From", ConsentEvent.old_value, "bool"),
    Field("new_value", "To", ConsentEvent.new_value, "bool"),
    Field("source", "Through", ConsentEvent.source, words=words.CONSENT_SOURCES),
    Field("actor_type", "By", ConsentEvent.actor_type, words=words.ACTORS),
    Field("notice_version", "Notice version", ConsentEvent.notice_version, "notice"),
    Field("ip_prefix", "Network (truncated)", ConsentEvent.ip_prefix),
    Field("ua_family", "Device", ConsentEvent.ua_family),
    Field("captured_at", "Captured (by another system) at", ConsentEvent.captured_at,
          "datetime"),
    Field("collection_point", "Where it was captured", ConsentEvent.collection_point),
    Field("wording", "Wording shown", ConsentEvent.wording),
    Field("paused_until", "Marketing paused until", ConsentEvent.paused_until, "datetime"),
    Field("pace", "How often", ConsentEvent.pace),
)
PACING_FIELDS = (
    Field("setting", "Setting", PacingState.setting),
    Field("paused_until", "Marketing paused until", PacingState.paused_until, "datetime"),
    Field("pace", "How often", PacingState.pace),
    Field("updated_at", "Last changed", PacingState.updated_at, "datetime"),
)


def _consent_sources(state: tuple[str, str], events: tuple[str, str], *,
                     cookies: bool) -> tuple[Source, Source]:
    """The current choices and the history of changes (``(key, title)`` each), for the
    cookie purposes only or for every other purpose: the two consent tables feed two
    categories, with the same fields and erasure rules in both."""
    def purposes(column: Any) -> Callable[[], Any]:
        return lambda: column.like("cookies:%") if cookies else ~column.like("cookies:%")

    return (
        Source(*state, ConsentState, CONSENT_STATE_FIELDS, DELETE,
               order_by=(ConsentState.purpose,), where=purposes(ConsentState.purpose)),
        Source(*events, ConsentEvent, CONSENT_EVENT_FIELDS, PSEUDONYMISE_LEDGER,
               order_by=(ConsentEvent.occurred_at.desc(), ConsentEvent.id.desc()),
               where=purposes(ConsentEvent.purpose)),
    )


CATEGORIES: tuple[Category, ...] = (
    Category(
        "contact", "Contact details", _BY_US,
        "To confirm your identity, provide what you ordered and, where you allow it, "
        "to send you marketing.", "Contract (and consent for marketing)", RETENTION,
        (Source("contact", "Your details", Person, (
            Field("email", "Email address", Person.email),
            Field("pending_email", "New email address awaiting confirmation",
                  Person.pending_email),
            Field("name", "Name", Person.name),
            Field("gender", "Gender", Person.gender, words=words.GENDERS),
            Field("address", "Address", Person.address),
            Field("phone", "Phone number", Person.phone),
            Field("date_of_birth", "Date of birth", Person.date_of_birth),
            Field("status", "Account status", Person.status, words=words.ACCOUNT_STATUSES),
            Field("origin", "How we first got your details", Person.origin,
                  words=words.ORIGINS),
            Field("email_verified_at", "Email address confirmed", Person.email_verified_at,
                  "datetime"),
            Field("created_at", "Record created", Person.created_at, "datetime"),
            Field("last_seen_at", "Last visit to the website", Person.last_seen_at,
                  "datetime"),
            Field("last_purchase_at", "Last purchase", Person.last_purchase_at, "datetime"),
            Field("restricted_at", "Processing restricted since", Person.restricted_at,
                  "datetime"),
            Field("retention_warned_at", "Reminder before erasure sent",
                  Person.retention_warned_at, "datetime"),
            # Set by "I have read it" on the banner; each choice in the history below
            # records the version in force when it was made.
            Field("notice_version_seen", "Privacy notice version you confirmed reading",
                  Person.notice_version_seen, "notice",
                  missing="None confirmed yet (your history of choices shows the version "
                          "in force at each change)"),
            Field("updated_at", "Record last changed", Person.updated_at, "datetime"),
        ), PERSON_ROW, person_column="id"),),
    ),
    Category(
        "credentials", "Account credentials", "Chosen by you when you created your account",
        "To let you log in and to check your identity when you contact us.", "Contract",
        "Until your account is closed or erased",
        (Source("credentials", "Sign-in secrets (we never show or export them)", Person, (
            Field("password", "Password", Person.password_hash.isnot(None), "flag"),
            Field("security_question", "Security question", Person.security_question.isnot(None),
                  "flag"),
            Field("security_answer", "Security answer", Person.security_answer_hash.isnot(None),
                  "flag"),
        ), PERSON_ROW, person_column="id"),),
        extra={"note": "Passwords and answers are stored only as one-way hashes."},
    ),
    Category(
        "orders", "Products and services ordered", "Your orders with us",
        "To provide what you ordered, charge for it and keep accounts.",
        "Contract; legal obligation (accounting records)", RETENTION,
        (Source("orders", "Orders", Order, (
            Field("reference", "Reference", Order.reference),
            Field("ordered_at", "Ordered", Order.ordered_at, "datetime"),
            Field("product", "Product or service", Order.product),
            Field("amount_pence", "Amount", Order.amount_pence, "money"),
            Field("currency", "Currency", Order.currency),
            Field("status", "Status", Order.status, words=words.ORDER_STATUSES),
            Field("delivery_address", "Delivery address", Order.delivery_address),
            Field("updated_at", "Last changed", Order.updated_at, "datetime"),
        ), STRIP_ORDERS, order_by=(Order.ordered_at.desc(), Order.id.desc())),),
        kept_after_erasure="Orders are kept for accounting, as the law requires: only "
                           "each order's reference, order date, amount, currency and "
                           "status, with no link to you.",
        erased_when_kept="what you ordered (the product or service), the delivery address "
                         "and the link to you",
    ),
    Category(
        "payment", "Payment and financial information", "Given by you when paying",
        "To charge you for what you ordered.", "Contract", RETENTION,
        (Source("payment_methods", "Cards on file", PaymentMethod, (
            Field("brand", "Card", PaymentMethod.brand),
            Field("last4", "Last four digits", PaymentMethod.last4),
            Field("exp_month", "Expiry month", PaymentMethod.exp_month),
            Field("exp_year", "Expiry year", PaymentMethod.exp_year),
            Field("created_at", "Added", PaymentMethod.created_at, "datetime"),
        ), DELETE, order_by=(PaymentMethod.created_at.desc(), PaymentMethod.id.desc())),),
        extra={"note": "We never store a full card number or security code."},
    ),
    Category(
        "communications", "Communications with us", "Your emails, web chats and phone calls",
        "To answer you and keep a record of what was agreed.", "Contract", RETENTION,
        (Source("communications", "Emails, web chats and calls", Communication, (
            Field("occurred_at", "When", Communication.occurred_at, "datetime"),
            Field("channel", "Channel", Communication.channel, words=words.CHANNEL_NAMES),
            Field("direction", "Direction", Communication.direction, words=words.DIRECTIONS),
            Field("summary", "Summary", Communication.summary, remove_links=True),
        ), DELETE, order_by=(Communication.occurred_at.desc(), Communication.id.desc())),),
    ),
    Category(
        "messages", "Messages we sent you", "Sent by us",
        "Service messages about your account and orders, and marketing you agreed to.",
        "Contract (service messages); consent or legitimate interests (marketing)", RETENTION,
        (Source("outbox", "Messages", OutboxMessage, (
            Field("created_at", "Queued", OutboxMessage.created_at, "datetime"),
            Field("sent_at", "Sent", OutboxMessage.sent_at, "datetime"),
            Field("channel", "Channel", OutboxMessage.channel, words=words.CHANNEL_NAMES),
            Field("recipient", "Sent to", OutboxMessage.recipient),
            Field("kind", "Kind", OutboxMessage.kind, words=words.MESSAGE_KINDS),
            Field("purpose", "Purpose", OutboxMessage.purpose, "purpose"),
            Field("status", "Status", OutboxMessage.status, words=words.MESSAGE_STATUSES),
            Field("subject", "Subject", OutboxMessage.subject, remove_links=True),
            Field("body_text", "Message", OutboxMessage.body_text, on_page=False,
                  remove_links=True),
        ), STRIP_OUTBOX, order_by=(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())),),
        kept_after_erasure="A count of messages sent, with no address, subject or link to you.",
        erased_when_kept="the addresses, subjects and text of every message, and messages "
                         "waiting to be sent",
    ),
    Category(
        "preferences", "Preferences and consent history", "Your choices",
        "To contact you only as you allow, and to prove what you allowed and when.",
        "Legal obligation (records of consent)", RETENTION,
        (*_consent_sources(("consent_state", "Current choices"),
                           ("consent_events", "History of changes"), cookies=False),
         Source("pacing_state", "Pause and how often", PacingState, PACING_FIELDS, DELETE,
                order_by=(PacingState.setting,))),
        kept_after_erasure="The consent ledger keeps anonymous entries with no link to you.",
        erased_when_kept="your current choices, and the link between you and your history "
                         "of changes",
    ),
    Category(
        "cookies", "Cookie choices", "Your answers to the cookie banner",
        "To set only the cookies you allow.", "Consent (necessary cookies: legitimate "
        "interests)", "Until you change them, or with your record",
        _consent_sources(("cookie_state", "Current cookie choices"),
                         ("cookie_events", "History of cookie choices"), cookies=True),
    ),
    Category(
        "external", "Information from other organisations",
        "Facebook, Google, Twitter and similar, under their data policies",
        "To work out which products and services interest you.", "Consent", RETENTION,
        (Source("external_records", "Received from", ExternalRecord, (
            Field("received_at", "Received", ExternalRecord.received_at, "datetime"),
            Field("source", "From", ExternalRecord.source),
            Field("description", "What", ExternalRecord.description),
            Field("data", "Data", ExternalRecord.data),
        ), DELETE, order_by=(ExternalRecord.received_at.desc(), ExternalRecord.id.desc())),),
    ),
    Category(
        "security", "Security records", "Recorded when you sign in or change your account",
        "To protect our network and your account against cyber-attacks.",
        "Legitimate interests (you may object)", RETENTION,
        (
            Source("login_sessions", "Sign-ins", LoginSession, (
                Field("created_at", "Signed in", LoginSession.created_at, "datetime"),
                Field("authenticated_at", "Password last entered",
                      LoginSession.authenticated_at, "datetime"),
                Field("ip_prefix", "Network (truncated)", LoginSession.ip_prefix),
                Field("device", "Device", LoginSession.device),
                Field("remember", "Remembered", LoginSession.remember, "bool"),
                Field("revoked_at", "Ended", LoginSession.revoked_at, "datetime"),
            ), DELETE, order_by=(LoginSession.created_at.desc(), LoginSession.id.desc())),
            Source("audit_events", "Changes to your account", AuditEvent, (
                Field("occurred_at", "When", AuditEvent.occurred_at, "datetime"),
                Field("action", "What", AuditEvent.action, words=words.AUDIT_ACTIONS),
                Field("field", "Field", AuditEvent.field),
                Field("actor_type", "By", AuditEvent.actor_type, words=words.ACTORS),
            ), DELETE, order_by=(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())),
        ),
    ),
    Category(
        "requests", "Your requests about your data", "Made by you",
        "To answer requests to object, restrict, correct, download or erase.",
        "Legal obligation", RETENTION,
        (Source("rights_requests", "Requests", RightsRequest, (
            Field("reference", "Reference", RightsRequest.reference),
            Field("kind", "Request", RightsRequest.kind, words=words.REQUEST_KINDS),
            Field("status", "Status", RightsRequest.status, words=words.REQUEST_STATUSES),
            Field("received_at", "Received", RightsRequest.received_at, "datetime"),
            Field("due_at", "Due", RightsRequest.due_at, "datetime"),
            Field("details", "Details", RightsRequest.details, remove_links=True),
            Field("resolved_at", "Resolved", RightsRequest.resolved_at, "datetime"),
            Field("resolution", "Outcome", RightsRequest.resolution, remove_links=True),
        ), DELETE, order_by=(RightsRequest.received_at.desc(), RightsRequest.id.desc())),),
    ),
)


def all_sources() -> list[Source]:
    return [source for category in CATEGORIES for source in category.sources]


def category(key: str) -> Category | None:
    return next((c for c in CATEGORIES if c.key == key), None)


def erasure_rules() -> dict[str, tuple[Source, Erasure]]:
    """One rule per table (a table in two categories must have the same rule in both)."""
    rules: dict[str, tuple[Source, Erasure]] = {}
    for source in all_sources():
        name = source.table.name
        if name in rules and rules[name][1] is not source.erasure:
            raise RuntimeError(f"table {name} has two different erasure rules")
        rules.setdefault(name, (source, source.erasure))
    return rules


def covered_tables() -> set[str]:
    return set(erasure_rules())
