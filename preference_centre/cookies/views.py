"""The /cookies page and the banner's buttons."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..actors import person_actor
from ..consent import purposes_from_config
from ..extensions import csrf, db
from ..preferences.formdata import form_keys
from ..preferences.services import save_choices
from ..privacy.versions import NOTICE_FIELD, UnknownNotice, shown_version
from ..redirects import safe_next
from . import bp
from .choice import ANALYTICS, MARKETING, choice_from_form
from .hooks import cookie_consent, set_choice_cookie


def banner_post_allowed() -> bool:
    """CSRF for a cookie choice. Forms on pages with a session carry the usual token (checked
    here, raising CSRFError as the global check would). The banner on pages that keep no
    session (``/p/``: opening a message link must not set a cookie) has none; for a visitor
    who is not signed in, the browser's own ``Sec-Fetch-Site: same-origin`` says the form came
    from this site (another site cannot forge that header), and all the post can do is set
    this browser's choice. Anything else changes nothing."""
    if not current_app.config["WTF_CSRF_ENABLED"]:
        return True
    if request.form.get("csrf_token"):
        csrf.protect()
        return True
    return (not current_user.is_authenticated
            and request.headers.get("Sec-Fetch-Site") == "same-origin")


@csrf.exempt  # checked in the view: see banner_post_allowed
@bp.route("/cookies", methods=["GET", "POST"])
def choose() -> Any:
    consent = cookie_consent()
    if request.method == "GET":
        return render_template("cookies/choose.html", consent=consent,
                               next=safe_next(request.args.get("next")) or "")
    if not banner_post_allowed():
        flash("Nothing was changed. Please make your cookie choice here.", "info")
        return redirect(url_for(".choose", next=safe_next(request.form.get("next")) or ""),
                        code=303)
    try:  # the ledger names the notice version the page showed
        shown = shown_version(request.form.get(NOTICE_FIELD))
    except UnknownNotice as exc:
        flash(str(exc), "error")
        return redirect(url_for(".choose", next=safe_next(request.form.get("next")) or ""),
                        code=303)
    action = request.form.get("choice", "save")
    analytics, marketing = choice_from_form(action, form_keys(request.form, "consent"),
                                            gpc=consent.gpc)
    if current_user.is_authenticated:
        person = current_user._get_current_object()
        save_choices(person.id, purposes_from_config(current_app.config),
                     {ANALYTICS: analytics, MARKETING: marketing},
                     person_actor(person.id, "cookie_banner", shown), gpc=consent.gpc,
                     restricted=person.restricted_at is not None)
        db.session.commit()
    kept = [name for name, on in (("analytics", analytics), ("marketing", marketing)) if on]
    flash("Cookie choices saved: " + (" and ".join(kept) + " cookies allowed."
                                      if kept else "only necessary cookies."), "success")
    response = redirect(safe_next(request.form.get("next")) or url_for(".choose"), code=303)
    set_choice_cookie(response, analytics, marketing)
    return response
