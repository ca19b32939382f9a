"""Campaigns from the console: compose a draft once, preview it, count who would get it and
who would not (and why), send it once, and follow its progress.

A draft is one ``campaigns`` row per compose form (its ``idempotency_key``, e.g. a random
value put in the form when it was shown): submitting the form again finds the same row.
Sending moves the row out of ``draft`` with one conditional UPDATE, so a double click, a
reload or a second tab sends nothing more; the messages are queued by the very function
``flask campaign send`` uses (``messaging.campaigns.queue_messages``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update

from .. import clock
from ..extensions import db
from ..messaging.campaigns import CampaignError, CampaignRenderer, check_campaign, queue_messages
from ..messaging.compose import Content
from ..messaging.senders import Contact
from ..models import Campaign, OutboxMessage
from .dashboard import purpose_figures

CONSOLE_CHANNELS = ("email", "sms")
SAMPLE_NAME = "Alex Sample"
# Outbox statuses as the progress view groups them: "paused" and "capped" were held back by
# the person's pause and by their pace for the topic.
PROGRESS_GROUPS = {"queued": ("queued", "sending"), "sent": ("sent",),
                   "suppressed": ("suppressed",), "failed": ("failed", "dead"),
                   "cancelled": ("cancelled",), "paused": ("paused",), "capped": ("capped",)}


class AlreadySent(CampaignError):
    """The campaign has left draft: it cannot be changed."""


@dataclass(frozen=True)
class Audience:
    recipients: int
    excluded: dict[str, int]  # reason (dashboard.REASON_WORDS keys) -> people

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())


@dataclass(frozen=True)
class SendOutcome:
    campaign: Campaign
    sent_now: bool  # False: it had been sent already, nothing more was queued


def compose_campaign(topic: str, channel: str, subject: str, body_text: str,
                     body_html: str | None, idempotency_key: str,
                     created_by: str | None = None) -> Campaign:
    """A draft, checked with the CLI's own rules and sandbox (CampaignError says what is
    wrong). The same ``idempotency_key`` again returns the draft already made; a changed
    text for a draft updates it, for a sent campaign raises AlreadySent."""
    if channel not in CONSOLE_CHANNELS:
        raise CampaignError(f"campaigns from the console go by {' or '.join(CONSOLE_CHANNELS)}")
    if not idempotency_key or len(idempotency_key) > 64:
        raise CampaignError("the form has expired; open it again")
    body_html = body_html or None
    check_campaign(topic, channel, subject, body_text, body_html)
    found = db.session.execute(
        select(Campaign).where(Campaign.idempotency_key == idempotency_key)
    ).scalar_one_or_none()
    fields = {"topic": topic, "channel": channel, "subject": subject, "body_text": body_text,
              "body_html": body_html}
    if found is not None:
        if any(getattr(found, name) != value for name, value in fields.items()):
            if found.status != "draft":
                raise AlreadySent("this campaign has been sent and can no longer change")
            for name, value in fields.items():
                setattr(found, name, value)
        return found
    campaign = Campaign(**fields, idempotency_key=idempotency_key, created_by=created_by,
                        status="draft", queued_count=0, excluded_count=0,
                        created_at=clock.utcnow())
    db.session.add(campaign)
    db.session.flush()
    return campaign


def preview_campaign(campaign: Campaign, sample_name: str = SAMPLE_NAME) -> Content:
    """The message as a recipient called ``sample_name`` would get it (subject, text and
    HTML; the opt-out footer is added when it is sent). No real person's data is used."""
    renderer = CampaignRenderer(campaign.subject, campaign.body_text, campaign.body_html)
    return renderer.render(Contact(0, None, sample_name, None))


def campaign_audience(topic: str, channel: str) -> Audience:
    """Who would get it if sent now and who would not, by reason: the dashboard's counts,
    which the database keeps equal to ``consent.audience``."""
    key = f"{channel}:{topic}"
    for figures in purpose_figures():
        if figures.key == key:
            return Audience(figures.may, dict(figures.may_not))
    raise CampaignError(f"unknown marketing topic {topic!r} on channel {channel!r}")


def send_campaign(campaign_id: int) -> SendOutcome:
    """Queue the draft's messages, once. The draft is claimed with ``UPDATE ... WHERE
    status = 'draft'``: of two sends (a double click, a reload, two staff members) one
    claims it and queues; the other finds nothing to claim (on PostgreSQL it waits for the
    first to commit) and queues nothing. The caller commits."""
    claimed = db.session.execute(
        update(Campaign).where(Campaign.id == campaign_id, Campaign.status == "draft")
        .values(status="queueing", sent_at=clock.utcnow())
        .execution_options(synchronize_session="fetch")
    ).rowcount
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignError("no such campaign")
    if not claimed:
        return SendOutcome(campaign, sent_now=False)
    db.session.refresh(campaign)
    return SendOutcome(queue_messages(campaign), sent_now=True)


def campaign_progress(campaign_id: int) -> dict[str, int]:
    """Messages of the campaign by progress group (queued, sent, suppressed at send time,
    failed, cancelled, paused, capped), read from the outbox."""
    counts = dict(db.session.execute(
        select(OutboxMessage.status, func.count()).where(
            OutboxMessage.campaign_id == campaign_id).group_by(OutboxMessage.status)).all())
    return {group: sum(counts.get(status, 0) for status in statuses)
            for group, statuses in PROGRESS_GROUPS.items()}
