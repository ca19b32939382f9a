"""Preference pages: the account page and the signed ``/p/`` link."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from .. import tokens
from ..actors import person_actor
from ..auth import limits
from ..consent import purposes_from_config
from ..consent.ledger import history_summary
from ..cookies.hooks import CONSENT_ENVIRON_KEY, cookie_consent, remember_cookie_choice_of
from ..crypto import mask_email
from ..extensions import csrf, db
from ..models import Person
from ..privacy.versions import NOTICE_FIELD, UnknownNotice, shown_version, version_on_page
from . import bp
from .forms import FreshLinkForm
from .history import describe_event
from .links import LinkHolder, LinkPersonGone, holder_of_link, record_visit, send_fresh_link
from .page import choices_for, link_frame
from .services import (
    SCOPE_ACCOUNT,
    SCOPE_LINK,
    InvalidChoice,
    PageLayout,
    SaveResult,
    describe_changes,
    desired_from_form,
    form_keys,
    save_choices,
    stop_all_marketing,
)

HISTORY_LIMIT = 50


# The preference form, shared by the account page and the link -------------------------------

def apply_post(person: Person | LinkHolder, scope: str, source: str) -> SaveResult | None:
    """Form -> service -> flash. None when the form was not one we sent (nothing saved)."""
    purposes = purposes_from_config(current_app.config)
    try:  # the ledger names the notice version the page showed
        shown = shown_version(request.form.get(NOTICE_FIELD))
    except UnknownNotice as exc:
        flash(str(exc), "error")
        return None
    actor = person_actor(person.id, source, shown)
    try:
        if request.form.get("action") == "stop_all":
            result = stop_all_marketing(person.id, purposes, actor)
        else:
            desired = desired_from_form(purposes, scope, form_keys(request.form, "consent"),
                                        form_keys(request.form, "object"))
            result = save_choices(person.id, purposes, desired, actor,
                                  gpc=cookie_consent().gpc,
                                  restricted=person.restricted_at is not None)
    except InvalidChoice:
        db.session.rollback()
        flash("That form did not match the choices we offer, so nothing was changed. "
              "Please try again.", "error")
        return None
    db.session.commit()
    changes = describe_changes(result.events, purposes)
    for line in changes:
        flash(line, "success")
    if not changes:
        flash("Nothing changed: your choices are as they were.", "info")
    for note in result.notes:
        flash(note, "warning")
    return result


def render_preferences(person: Person | LinkHolder, scope: str, **context: Any) -> str:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    page, choices = choices_for(app, person.id, scope, gpc=cookie_consent().gpc)
    return render_template("preferences/edit.html", page=page, choices=choices, scope=scope,
                           restricted=person.restricted_at is not None, **context)


@bp.route("/account/preferences", methods=["GET", "POST"])
@login_required
def edit() -> Any:
    person = current_user._get_current_object()
    if request.method == "POST":
        result = apply_post(person, SCOPE_ACCOUNT, "form")
        response = redirect(url_for(".edit"), code=303)
        if result is not None:
            remember_cookie_choice_of(person.id, response)
        return response
    purposes = purposes_from_config(current_app.config)
    events = history_summary(person.id, HISTORY_LIMIT + 1)
    lines = [describe_event(e, purposes) for e in events[:HISTORY_LIMIT]]
    return render_preferences(person, SCOPE_ACCOUNT, history_lines=lines,
                              history_more=len(events) > HISTORY_LIMIT,
                              action=url_for(".edit"))


# The signed token in the address is the authority, as for /u/: a post can only change the
# person the token names, so no CSRF token, and the page needs no session and sets no cookie.
@csrf.exempt
@bp.route("/p/<token>", methods=["GET", "POST"])
def link(token: str) -> Any:
    try:
        person = holder_of_link(token)
    except tokens.TokenExpired:
        return link_problem("This link has expired",
                            "Links to your preferences work for "
                            f"{current_app.config['PREFERENCE_LINK_DAYS']} days.", 200)
    except tokens.TokenInvalid:
        return link_problem("This link is not valid",
                            "It may have been copied incompletely. Nothing was changed.", 400)
    except LinkPersonGone:
        return link_problem("This link no longer works",
                            "We no longer hold preferences for it. Nothing was changed.", 404)
    if request.method == "POST":
        if apply_post(person, SCOPE_LINK, "email_link") is not None:
            record_visit(person)
        return redirect(url_for(".link", token=token), code=303)
    # The token is in the address: never send it to another site as a Referer.
    return link_page(person, token), 200, {"Referrer-Policy": "no-referrer"}


# Verified tokens only ever hold these: safe as they are in a path, a query and HTML.
_PLAIN_TOKEN = re.compile(r"[A-Za-z0-9._-]+")


def link_page(person: LinkHolder, token: str) -> str:
    """The ``/p/`` page. A visitor without a session or remember cookie (everyone who comes
    from a message) sees nothing that depends on the request besides the cookie choice, the
    token, the address and the choices, so the page is a frame rendered once per cookie
    choice with those filled in; anyone else gets a full render."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    consent = cookie_consent()
    layout, choices = choices_for(app, person.id, SCOPE_LINK, gpc=consent.gpc,
                                  stored=person.stored)
    restricted = person.restricted_at is not None
    masked = mask_email(person.email)
    cookies = request.cookies
    if (app.config["SESSION_COOKIE_NAME"] in cookies
            or app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies
            or not _PLAIN_TOKEN.fullmatch(token)):
        return _render_link(layout, choices, restricted, masked)
    # The page's links are relative: the frame needs this mount point, not this host (the
    # Host header is the visitor's to choose).
    base_url = "http://localhost" + request.script_root

    def render(marker_token: str, marker_email: str, marker_choices: Markup) -> str:
        # Rendered as a request for the marker token from a visitor with no cookies but
        # this one's cookie choice.
        with app.test_request_context(f"/p/{marker_token}", base_url=base_url):
            request.environ[CONSENT_ENVIRON_KEY] = consent
            return _render_link(layout, marker_choices, restricted, marker_email)

    key = (request.script_root, consent, restricted, version_on_page())  # forms carry it
    return link_frame(app, key, render).fill(token, masked, choices)


def _render_link(layout: PageLayout, choices: Markup, restricted: bool, masked: str) -> str:
    action = request.script_root + request.path  # the page posts to its own address
    return render_template("preferences/edit.html", page=layout, choices=choices,
                           scope=SCOPE_LINK, restricted=restricted, masked_email=masked,
                           sessionless=True, action=action,
                           export_url=action + "/export-request",
                           erase_url=action + "/erase-request")


def link_problem(title: str, explanation: str, status: int) -> tuple[str, int]:
    form = FreshLinkForm()
    return render_template("preferences/link_problem.html", title=title,
                           explanation=explanation, form=form), status


@bp.route("/p/new-link", methods=["GET", "POST"])
@limits.limit("5 per minute; 20 per hour", methods=["POST"])
def fresh_link() -> Any:
    form = FreshLinkForm()
    if form.validate_on_submit():
        send_fresh_link(form.email.data)
        db.session.commit()
        return render_template("preferences/link_sent.html")
    status = 400 if request.method == "POST" else 200
    return render_template("preferences/link_problem.html", title="Get a link to your "
                           "preferences", explanation=None, form=form), status

