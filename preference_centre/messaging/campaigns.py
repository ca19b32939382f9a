"""Campaigns: one marketing message to everyone the consent service allows, right now.

Queueing writes one small outbox row per person (ids only, bulk-inserted in chunks with
SQLAlchemy Core); the message is rendered when it is sent, from templates compiled once per
campaign, and consent is checked again at that moment.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from flask import current_app
from jinja2 import StrictUndefined, TemplateError, meta
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import escape
from sqlalchemy import Select, String, cast, func, literal, select

from .. import clock
from ..consent import audience, purposes_from_config
from ..extensions import db
from ..models import Campaign, OutboxMessage, Person
from ..models.types import UTCDateTime
from .compose import Content, message_id_domain
from .mime import UnsafeHeader, check_header_value, one_line
from .senders import Contact, supported_channels

CHUNK = 5000
NUL = "\x00"
Progress = Callable[[int, int], None]
# Staff write campaign templates: a sandbox, and only these placeholders.
# A person without a name gets empty placeholders: the template says what to write instead
# ({{ first_name or "you" }}), never a stand-in word that reads wrong in a subject.
_SAMPLE = {"name": "", "first_name": ""}
_environment = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
# An HTML body written by staff: the same sandbox, with every placeholder value escaped.
_html_environment = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


class CampaignError(ValueError):
    """The campaign cannot be queued as asked (unknown topic, empty body, bad placeholder)."""


class CampaignRenderer:
    """A campaign's subject and body compiled once; :meth:`render` personalises them.

    Each part is rendered once per distinct value of the placeholders it uses: a subject that
    says only ``{{ first_name }}``, or a body with no placeholder, is not rendered again for
    every person (the HTML body is made from the text once as well)."""

    def __init__(self, subject: str, body_text: str, body_html: str | None = None) -> None:
        self.subject = _Part(subject)
        self.body = _Part(body_text)
        self.written_html = _Part(body_html, _html_environment) if body_html else None
        self.html: dict[str, str] = {}

    def render(self, contact: Contact | None) -> Content:
        name = one_line((contact.name if contact else None) or "")
        values = {"name": name, "first_name": name.split(" ", 1)[0]}
        text = self.body.render(values)
        if self.written_html is not None:
            return Content(one_line(self.subject.render(values)), text,
                           self.written_html.render(values))
        html = self.html.get(text)
        if html is None:
            html = self.html[text] = text_to_html(text)
            if len(self.html) > _KEPT:
                self.html.clear()
        return Content(one_line(self.subject.render(values)), text, html)


_KEPT = 1000  # rendered texts kept per part: bounded, whatever the list's variety of names


class _Part:
    """One template and its renderings, keyed on the values of the placeholders it uses."""

    def __init__(self, source: str, environment: SandboxedEnvironment = _environment) -> None:
        self.template = environment.from_string(source)
        self.uses = tuple(sorted(meta.find_undeclared_variables(environment.parse(source))))
        self.rendered: dict[tuple[str, ...], str] = {}

    def render(self, values: dict[str, str]) -> str:
        key = tuple(values.get(name, "") for name in self.uses)
        found = self.rendered.get(key)
        if found is None:
            found = self.rendered[key] = self.template.render(values)
            if len(self.rendered) > _KEPT:
                self.rendered.clear()
        return found


def text_to_html(text: str) -> str:
    """Plain text as escaped HTML paragraphs (blank lines) with line breaks."""
    paragraphs = [part.strip("\n") for part in text.replace("\r\n", "\n").split("\n\n")]
    # escape() leaves line feeds alone, so each paragraph is escaped in one call.
    return "\n".join(
        "<p>" + str(escape(part)).replace("\n", "<br>\n") + "</p>"
        for part in paragraphs if part.strip()
    )


def check_campaign(topic: str, channel: str, subject: str, body_text: str,
                   body_html: str | None = None) -> str:
    """The purpose key (``email:offers``) if the campaign can be queued; else CampaignError."""
    key = f"{channel}:{topic}"
    purpose = purposes_from_config(current_app.config).get(key)
    if purpose is None or not purpose.is_marketing:
        raise CampaignError(f"unknown marketing topic {topic!r} on channel {channel!r}")
    if channel not in supported_channels():
        raise CampaignError(f"no sender for channel {channel!r}")
    if not body_text.strip():
        raise CampaignError("the message body is empty")
    if channel == "email" and not subject.strip():
        raise CampaignError("the subject is empty")
    if any(NUL in part for part in (subject, body_text, body_html or "")):
        # Pasted from a binary file: no mail or text may carry it, and PostgreSQL cannot
        # store it. Refused here, so both engines and every way in (CLI, console) agree.
        raise CampaignError("the message holds a NUL character, which no email or text can "
                            "carry: type or paste it again as plain text")
    try:
        check_header_value("Subject", subject)
        CampaignRenderer(subject, body_text, body_html).render(None)
    except UnsafeHeader as exc:
        raise CampaignError(str(exc)) from None
    except TemplateError as exc:
        raise CampaignError(f"the template cannot be used: {exc.message}") from None
    return key


def queue_campaign(topic: str, channel: str, subject: str, body_text: str,
                   created_by: str | None = None, progress: Progress | None = None) -> Campaign:
    """Queue one message to every person ``consent.audience`` allows for ``channel:topic``.

    ``progress(queued, expected)`` is called after each chunk. Everything happens in the
    caller's transaction: commit to release the messages, roll back and nothing is queued."""
    check_campaign(topic, channel, subject, body_text)
    campaign = Campaign(topic=topic, channel=channel, subject=subject, body_text=body_text,
                        created_by=created_by, status="queueing", queued_count=0,
                        excluded_count=0)
    db.session.add(campaign)
    db.session.flush()
    return queue_messages(campaign, progress)


def queue_messages(campaign: Campaign, progress: Progress | None = None) -> Campaign:
    """Queue the messages of a checked campaign row: one to every person ``consent.audience``
    allows for its topic right now (``queue_campaign`` and the console's send both end
    here). In the caller's transaction."""
    channel, topic = campaign.channel, campaign.topic
    key = f"{channel}:{topic}"
    allowed = audience(channel, topic)
    expected = db.session.execute(
        select(func.count()).select_from(allowed.order_by(None).subquery())
    ).scalar_one()
    everyone = db.session.execute(select(func.count(Person.id))).scalar_one()
    queued = _insert_messages(campaign.id, channel, key, allowed, expected, progress)
    campaign.queued_count = queued
    campaign.excluded_count = max(everyone - queued, 0)
    campaign.status = "queued"
    return campaign


def _insert_messages(campaign_id: int, channel: str, key: str, allowed: Select,
                     expected: int, progress: Progress | None) -> int:
    """``INSERT ... SELECT`` from the audience query, a chunk of ids at a time: the ids never
    travel to Python and back, and each chunk's returned ids give the next chunk's start."""
    now = literal(clock.utcnow(), UTCDateTime)
    # Message-IDs stay unique across databases (a restored copy, a test run) with a nonce.
    prefix = literal(f"<c{campaign_id}.{secrets.token_hex(4)}.")
    suffix = literal(f"@{message_id_domain()}>")
    table = OutboxMessage.__table__
    columns = ["person_id", "campaign_id", "channel", "purpose", "kind", "message_id",
               "status", "attempts", "next_attempt_at", "created_at"]
    queued, last_id = 0, 0
    while True:
        chunk = allowed.where(Person.id > last_id).limit(CHUNK).subquery()
        rows = select(
            chunk.c.id, literal(campaign_id), literal(channel), literal(key),
            literal("campaign"), prefix + cast(chunk.c.id, String) + suffix,
            literal("queued"), literal(0), now, now,
        )
        ids = db.session.execute(
            table.insert().from_select(columns, rows).returning(table.c.person_id)
        ).scalars().all()
        if not ids:
            return queued
        queued += len(ids)
        last_id = max(ids)
        if progress is not None:
            progress(queued, expected)
