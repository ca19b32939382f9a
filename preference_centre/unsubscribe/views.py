"""One-click unsubscribe (RFC 8058) from the link in every message.

``GET /u/<token>`` only shows what would stop (mail scanners follow links). ``POST`` with
``List-Unsubscribe=One-Click`` is the mailbox provider's one-click: no cookie, no CSRF token,
no login; it answers a short text. The page's own buttons POST to the same address with a
``scope`` and get the full page back, with an undo and an optional "why?". The signed token
is the authority for all of them, so they are exempt from CSRF and never look at who is
logged in: a link for person A changes A, whoever's browser opens it.
"""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request

from ..auth import limits
from ..consent import Actor, pacing
from ..consent.catalogue import TOPICS
from ..crypto import mask_email, mask_phone
from ..extensions import csrf, db
from ..models import Person
from . import bp, services
from .forms import ReasonForm
from .services import (
    CHANNEL_NOUNS,
    RECEIPT_LIFETIME,
    LinkInvalid,
    Receipt,
    UndoUnavailable,
    UnsubscribeLink,
)

ONE_CLICK_BODY = "You are unsubscribed. Nothing more will be sent for this.\n"


@bp.after_request
def no_referrer(response: Response) -> Response:
    # The token is in the address: never pass it on to another site.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def what_stops(link: UnsubscribeLink) -> str:
    """``emails about offers``, or ``all marketing emails`` for a channel-wide link."""
    noun = CHANNEL_NOUNS.get(link.channel, link.channel)
    if link.topic == "*":
        return f"all marketing {noun}"
    return f"{noun} about {TOPICS.get(link.topic, link.topic).lower()}"


def masked_recipient(person: Person, link: UnsubscribeLink) -> str:
    """Who the link is for, as that person would recognise it: the number a text went to,
    the address an email went to; masked, since links get forwarded."""
    if link.channel == "sms" and person.phone:
        return mask_phone(person.phone)
    return mask_email(person.email)


@bp.get("/u/<token>")
def confirm(token: str) -> Any:
    """What this link would stop, with the two buttons. Changes nothing."""
    try:
        link = services.read_link(token)
        person = services.find_person(link)
    except LinkInvalid:
        return invalid()
    return render_template(
        "unsubscribe/confirm.html", token=token, link=link, what=what_stops(link),
        recipient=masked_recipient(person, link), has_account=person.has_account,
        topic_scope=services.describe_scope(link, everything=False),
        channel_names=services.channel_names(),
        paused_until=pacing.paused_until(person.id), pause_months=pacing.PAUSE_MONTHS,
    )


@csrf.exempt
@limits.never_limited  # providers POST in bursts from a few addresses: never refused
@bp.post("/u/<token>")
def unsubscribe(token: str) -> Any:
    """The unsubscribe itself: RFC 8058 one-click, or a button from the page."""
    one_click = request.form.get("List-Unsubscribe") == "One-Click"
    scope = request.form.get("scope")
    if not one_click and scope not in ("topic", "all"):
        return invalid("The request did not say what to stop. Nothing was changed.")
    try:
        link = services.read_link(token)
        everything = scope == "all"
        receipt = services.unsubscribe(link, everything=everything, ip=request.remote_addr,
                                       user_agent=request.user_agent.string,
                                       for_undo=not one_click)
    except LinkInvalid:
        return invalid()
    if one_click:
        # Providers POST in bursts and show nobody this body: keep it tiny.
        return Response(ONE_CLICK_BODY, 200, mimetype="text/plain")
    return done(token, link, receipt)


def done(token: str, link: UnsubscribeLink, receipt: Receipt) -> str:
    return render_template(
        "unsubscribe/done.html", token=token, link=link, everything=receipt.everything,
        stopped=services.describe_scope(link, everything=receipt.everything),
        changed=receipt.changed, receipt=services.make_receipt(link, receipt),
        reasons=services.REASONS, form=ReasonForm(), undo_days=RECEIPT_LIFETIME.days,
    )


@csrf.exempt
@bp.post("/u/<token>/undo")
def undo(token: str) -> Any:
    """Put back exactly what the unsubscribe on this page stopped, once, if the person has
    changed nothing since."""
    try:
        link = services.read_link(token)
        receipt = services.read_receipt(link, request.form.get("receipt", ""))
        restored = services.undo_unsubscribe(link, receipt, ip=request.remote_addr,
                                             user_agent=request.user_agent.string)
        db.session.commit()
    except LinkInvalid as exc:
        db.session.rollback()
        return invalid(str(exc).capitalize() + ". Nothing was changed.")
    except UndoUnavailable:
        db.session.rollback()
        person = db.session.get(Person, link.person_id)
        # 409: the person's choices have moved on since the receipt was made.
        return render_template("unsubscribe/undo_unavailable.html",
                               has_account=person is not None and person.has_account), 409
    return render_template("unsubscribe/restored.html", token=token, link=link,
                           what=what_stops(link), restored=restored)


@csrf.exempt
@bp.post("/u/<token>/why")
def why(token: str) -> Any:
    """The optional reason, stored without any link to the person."""
    form = ReasonForm(request.form)
    try:
        link = services.read_link(token)
        receipt = services.read_receipt(link, form.receipt.data or "")
    except LinkInvalid as exc:
        return invalid(str(exc).capitalize() + ". Nothing was changed.")
    if not form.validate():
        return render_template(
            "unsubscribe/done.html", token=token, link=link, everything=receipt.everything,
            stopped=services.describe_scope(link, everything=receipt.everything),
            changed=receipt.changed, receipt=form.receipt.data, reasons=services.REASONS,
            form=form, undo_days=RECEIPT_LIFETIME.days,
        ), 400
    # The reason is optional: sending none is fine, and there is nothing to store.
    if form.reason.data:
        services.record_reason(link, form.reason.data, everything=receipt.everything)
        db.session.commit()
    return render_template("unsubscribe/thanks.html", link=link,
                           gave_reason=bool(form.reason.data))


def invalid(detail: str | None = None) -> tuple[str, int]:
    explanation = detail or (
        "This unsubscribe link is not valid: it may have been copied incompletely, changed, "
        "or it belongs to an account that no longer exists. Nothing was changed."
    )
    return render_template("unsubscribe/invalid.html", explanation=explanation), 400


# Fewer messages instead of none: a pause from the page's own buttons. Its own address, so
# a mailbox provider's one-click POST (to /u/<token>) can only ever unsubscribe.
@csrf.exempt
@bp.post("/u/<token>/pause")
def pause(token: str) -> Any:
    """Pause all marketing for the months chosen (1, 3 or 6) for the link's person."""
    try:
        link = services.read_link(token)
        services.find_person(link)
        event = pacing.pause(link.person_id, int(request.form.get("months", "")),
                             _page_actor(link))
    except LinkInvalid:
        return invalid()
    except (ValueError, pacing.BadChoice):
        db.session.rollback()
        return invalid("Choose a pause of 1, 3 or 6 months. Nothing was changed.")
    db.session.commit()
    return render_template("unsubscribe/paused.html", token=token,
                           paused_until=event.paused_until)


@csrf.exempt
@bp.post("/u/<token>/resume")
def resume(token: str) -> Any:
    """End the link's person's pause now."""
    try:
        link = services.read_link(token)
        services.find_person(link)
        pacing.resume(link.person_id, _page_actor(link))
    except LinkInvalid:
        return invalid()
    db.session.commit()
    return render_template("unsubscribe/paused.html", token=token, paused_until=None)


def _page_actor(link: UnsubscribeLink) -> Actor:
    return Actor(source="email_link", actor_type="person", actor_id=str(link.person_id),
                 ip=request.remote_addr, user_agent=request.user_agent.string,
                 message_ref=link.message_ref)
