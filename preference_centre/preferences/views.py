"""Preference pages: the account page and the signed ``/p/`` link."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import tokens
from ..account.forms import ContactDetailsForm
from ..account.services import correct_contact_details
from ..actors import person_actor
from ..app_cache import cached
from ..auth import limits
from ..consent import Actor, pacing, purposes_from_config
from ..consent.ledger import LedgerEvent, history_summary, stored_state
from ..cookies.hooks import cookie_consent, remember_cookie_choice_of
from ..crypto import mask_email
from ..extensions import csrf, db
from ..models import Person
from ..privacy.versions import NOTICE_FIELD, UnknownNotice, shown_version
from . import bp
from .formdata import desired_from_form, form_keys, paces_from_form
from .forms import FreshLinkForm
from .history import describe_event
from .links import LinkHolder, LinkPersonGone, holder_of_link, record_visit, send_fresh_link
from .services import (
    SCOPE_ACCOUNT,
    SCOPE_LINK,
    InvalidChoice,
    SaveResult,
    contact_facts,
    describe_changes,
    describe_paces,
    not_asked,
    pause_words,
    save_choices,
    stop_all_marketing,
    stop_all_preview,
)
from .viewmodel import PageLayout, page_layout, preference_page

HISTORY_LIMIT = 50


# The preference form, shared by the account page and the link -------------------------------

# "Stop all marketing" takes two posts: the page's button (action=stop_all) shows what will
# stop, and only the confirmation's button (action=stop_all_confirmed) records it.
ASK_STOP_ALL, STOP_ALL = "stop_all", "stop_all_confirmed"


def hidden_purposes(person_id: int) -> frozenset[str]:
    """What the page does not ask this person about, so neither shows nor changes."""
    return not_asked(purposes_from_config(current_app.config), contact_facts(person_id))


def apply_post(person: Person | LinkHolder, scope: str, source: str) -> SaveResult | None:
    """Form -> service -> flash. None when the form was not one we sent (nothing saved)."""
    purposes = purposes_from_config(current_app.config)
    try:  # the ledger names the notice version the page showed
        shown = shown_version(request.form.get(NOTICE_FIELD))
    except UnknownNotice as exc:
        flash(str(exc), "error")
        return None
    actor = person_actor(person.id, source, shown)
    action = request.form.get("action")
    if action in ("pause", "resume"):
        return apply_pause(person.id, action, actor)
    paced: list[LedgerEvent] = []
    try:
        if action == STOP_ALL:
            result = stop_all_marketing(person.id, purposes, actor)
        else:
            desired = desired_from_form(purposes, scope, form_keys(request.form, "consent"),
                                        form_keys(request.form, "object"),
                                        hidden_purposes(person.id))
            result = save_choices(person.id, purposes, desired, actor,
                                  gpc=cookie_consent().gpc,
                                  restricted=person.restricted_at is not None)
            paced = pacing.set_paces(person.id, paces_from_form(request.form), actor)
    except (InvalidChoice, pacing.BadChoice):
        db.session.rollback()
        flash("That form did not match the choices we offer, so nothing was changed. "
              "Please try again.", "error")
        return None
    db.session.commit()
    changes = describe_changes(result.events, purposes)
    changes += describe_paces(paced, purposes)
    for line in changes:
        flash(line, "success")
    if not changes:
        flash("Nothing changed: your choices are as they were.", "info")
    for note in result.notes:
        flash(note, "warning")
    return result


def stop_all_confirmation(person_id: int, stored: dict[str, bool], action: str, *,
                          sessionless: bool = False) -> str:
    """The step before "Stop all marketing": exactly what runs now and would stop."""
    purposes = purposes_from_config(current_app.config)
    hidden = hidden_purposes(person_id)
    stopping = stop_all_preview(purposes, stored, hidden)
    continuing = [p for key, p in purposes.items() if not p.optional and key not in hidden]
    return render_template("preferences/stop_all_confirm.html", stopping=stopping,
                           continuing=continuing, action=action, sessionless=sessionless)


def apply_pause(person_id: int, action: str, actor: Actor) -> SaveResult | None:
    """Pause all marketing for the months chosen, or resume it now."""
    if action == "resume":
        resumed = pacing.resume(person_id, actor)
        db.session.commit()
        flash("Marketing has started again." if resumed else "Marketing was not paused.",
              "success" if resumed else "info")
        return SaveResult([], [])
    try:
        event = pacing.pause(person_id, int(request.form.get("months", "")), actor)
    except (ValueError, pacing.BadChoice):
        db.session.rollback()
        flash("Choose a pause of 1, 3 or 6 months. Nothing was changed.", "error")
        return None
    db.session.commit()
    flash(pause_words(event.paused_until), "success")
    return SaveResult([event], [])


def layout_of(scope: str) -> PageLayout:
    """The scope's page layout, built once per app: it follows from the catalogue, which is
    configuration, so it stays as it is for the app's life."""
    return cached(current_app, f"preferences.layout.{scope}",
                  lambda: page_layout(purposes_from_config(current_app.config), scope=scope))


@bp.route("/account/preferences", methods=["GET", "POST"])
@login_required
def edit() -> Any:
    person = current_user._get_current_object()
    if request.method == "POST" and request.form.get("action") == ASK_STOP_ALL:
        return stop_all_confirmation(person.id, stored_state(person.id), url_for(".edit"))
    if request.method == "POST":
        result = apply_post(person, SCOPE_ACCOUNT, "form")
        response = redirect(url_for(".edit"), code=303)
        if result is not None:
            remember_cookie_choice_of(person.id, response)
        return response
    purposes = purposes_from_config(current_app.config)
    events = history_summary(person.id, HISTORY_LIMIT + 1)
    lines = [describe_event(e, purposes) for e in events[:HISTORY_LIMIT]]
    page = preference_page(layout_of(SCOPE_ACCOUNT), stored_state(person.id),
                           gpc=cookie_consent().gpc, restricted=person.restricted_at is not None,
                           action=url_for(".edit"), hidden=hidden_purposes(person.id),
                           pacing=pacing.choices(person.id))
    return render_template("preferences/edit.html", page=page, history_lines=lines,
                           history_more=len(events) > HISTORY_LIMIT)


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
    if request.method == "POST" and request.form.get("action") == ASK_STOP_ALL:
        page = stop_all_confirmation(person.id, person.stored, url_for(".link", token=token),
                                     sessionless=True)
        return page, 200, {"Referrer-Policy": "no-referrer"}
    details = None if person.has_account else ContactDetailsForm(
        data={"name": person.name, "phone": person.phone})
    if request.method == "POST" and request.form.get("action") == "details":
        if details is None:
            return link_problem("Sign in to change your details",
                                "You have an account: correct your details on its profile "
                                "page. Nothing was changed.", 400)
        if details.validate():  # bound to the posted form
            correct_details(person.id, details)
            record_visit(person)
            return redirect(url_for(".link", token=token), code=303)
        return link_page(person, token, details), 400, {"Referrer-Policy": "no-referrer"}
    if request.method == "POST":
        if apply_post(person, SCOPE_LINK, "email_link") is not None and record_visit(person):
            db.session.commit()
        return redirect(url_for(".link", token=token), code=303)
    # The token is in the address: never send it to another site as a Referer.
    return link_page(person, token, details), 200, {"Referrer-Policy": "no-referrer"}


def correct_details(person_id: int, form: ContactDetailsForm) -> None:
    changed = correct_contact_details(db.session.get(Person, person_id),
                                      {"name": form.name.data, "phone": form.phone.data})
    db.session.commit()
    flash("Your details were saved." if changed else "Nothing changed: your details are "
          "as they were.", "success" if changed else "info")


def link_page(person: LinkHolder, token: str,
              details: ContactDetailsForm | None = None) -> str:
    """The ``/p/`` page: the person's answers, their masked address, forms that post to
    this same address, and for someone without an account their name and phone number to
    correct (``details``)."""
    action = url_for(".link", token=token)
    page = preference_page(layout_of(SCOPE_LINK), person.stored, gpc=cookie_consent().gpc,
                           restricted=person.restricted_at is not None, action=action,
                           hidden=hidden_purposes(person.id), masked_email=mask_email(person.email),
                           export_url=url_for("data_rights.export_request", token=token),
                           erase_url=url_for("data_rights.erase_request", token=token),
                           pacing=pacing.choices(person.id))
    # No session here: the forms and the cookie banner carry no CSRF token.
    return render_template("preferences/edit.html", page=page, sessionless=True,
                           details=details)


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

