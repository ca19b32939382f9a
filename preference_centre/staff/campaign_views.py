"""Campaigns (marketing): compose, preview for a sample recipient, see who would get it and
who would not (and why), send once, and follow the progress.

The compose form carries a key made when it was shown, so sending the form again finds the
same campaign; sending is a POST answered by a redirect to the campaign's page, and the
service claims the draft once, so a double click, a reload or a second tab sends nothing
more. Every send is audited."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from ..consent.catalogue import CHANNELS, TOPICS
from ..console.campaigns import (
    SAMPLE_NAME,
    AlreadySent,
    campaign_audience,
    campaign_progress,
    compose_campaign,
    preview_campaign,
    send_campaign,
)
from ..console.dashboard import REASON_WORDS
from ..extensions import db
from ..messaging import CampaignError
from ..models import Campaign
from . import bp
from .access import current_staff, staff_required
from .audit import record_audit
from .forms import CampaignForm

LISTED = 50
# The HTML part is shown in a frame of its own: no script, no request anywhere else, and
# the staff page's own rules untouched by whatever styles the message carries.
PREVIEW_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                  "frame-ancestors 'self'; sandbox")


def _form(**values: Any) -> CampaignForm:
    form = CampaignForm(**values)
    form.topic.choices = list(TOPICS.items())
    return form


def _campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    return campaign


def _compose_page(form: CampaignForm, status: int = 200, problem: str | None = None,
                  campaign: Campaign | None = None) -> tuple[str, int]:
    return render_template("staff/campaign_compose.html", form=form, problem=problem,
                           campaign=campaign), status


@bp.route("/campaigns")
@staff_required("marketing")
def campaigns() -> str:
    rows = db.session.execute(
        select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id.desc())
        .limit(LISTED)).scalars().all()
    return render_template("staff/campaigns.html", campaigns=rows, channels=CHANNELS,
                           topics=TOPICS)


@bp.route("/campaigns/new")
@staff_required("marketing")
def campaign_new() -> Any:
    return _compose_page(_form(formdata=None, key=secrets.token_urlsafe(24)))


@bp.route("/campaigns/<id:campaign_id>/edit")
@staff_required("marketing")
def campaign_edit(campaign_id: int) -> Any:
    campaign = _campaign(campaign_id)
    if campaign.status != "draft":
        return redirect(url_for("staff.campaign", campaign_id=campaign.id))
    form = _form(formdata=None, key=campaign.idempotency_key, topic=campaign.topic,
                 channel=campaign.channel, subject=campaign.subject,
                 body_text=campaign.body_text, body_html=campaign.body_html or "")
    return _compose_page(form, campaign=campaign)


@bp.route("/campaigns/new", methods=["POST"])
@staff_required("marketing")
def campaign_compose() -> Any:
    form = _form()
    if not form.validate_on_submit():
        return _compose_page(form, 400)
    user = current_staff()
    try:
        campaign = compose_campaign(
            form.topic.data, form.channel.data, form.subject.data or "", form.body_text.data,
            form.body_html.data or None, form.key.data, created_by=f"staff:{user.id}")
    except AlreadySent:
        db.session.rollback()
        sent = db.session.execute(select(Campaign).where(
            Campaign.idempotency_key == form.key.data)).scalar_one()
        flash("This campaign has already been sent, so its text can no longer change.",
              "error")
        return redirect(url_for("staff.campaign", campaign_id=sent.id), code=303)
    except CampaignError as problem:
        db.session.rollback()
        return _compose_page(form, 400, problem=_sentence(str(problem)))
    if campaign.status == "draft":
        record_audit(user, "campaign.drafted", "campaign", campaign.id,
                     detail=f"{campaign.channel}:{campaign.topic}", ip=request.remote_addr)
    db.session.commit()
    return redirect(url_for("staff.campaign", campaign_id=campaign.id), code=303)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


@bp.route("/campaigns/<id:campaign_id>")
@staff_required("marketing")
def campaign(campaign_id: int) -> str:
    found = _campaign(campaign_id)
    draft = found.status == "draft"
    return render_template(
        "staff/campaign.html", campaign=found, draft=draft, sample_name=SAMPLE_NAME,
        preview=preview_campaign(found) if draft else None,
        audience=campaign_audience(found.topic, found.channel) if draft else None,
        progress=None if draft else campaign_progress(found.id),
        reason_words=REASON_WORDS, channels=CHANNELS, topics=TOPICS)


@bp.route("/campaigns/<id:campaign_id>/preview")
@staff_required("marketing")
def campaign_preview_html(campaign_id: int) -> Response:
    """The HTML part as the sample recipient would see it, for the frame on the page."""
    found = _campaign(campaign_id)
    html = preview_campaign(found).html
    if html is None:
        abort(404)
    return Response(html, mimetype="text/html", headers={
        "Content-Security-Policy": PREVIEW_POLICY, "X-Frame-Options": "SAMEORIGIN"})


@bp.route("/campaigns/<id:campaign_id>/send", methods=["POST"])
@staff_required("marketing")
def campaign_send(campaign_id: int) -> Response:
    _campaign(campaign_id)
    user = current_staff()
    outcome = send_campaign(campaign_id)
    if outcome.sent_now:
        record_audit(user, "campaign.sent", "campaign", campaign_id,
                     detail=f"{outcome.campaign.queued_count} queued", ip=request.remote_addr)
        db.session.commit()
        flash(f"Sent: {outcome.campaign.queued_count:,} messages are on their way.", "success")
    else:
        db.session.commit()
        flash("This campaign had already been sent. Nothing more was sent.", "info")
    return redirect(url_for("staff.campaign", campaign_id=campaign_id), code=303)
