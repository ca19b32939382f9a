"""Public pages of the preferences blueprint: sign-up, privacy notice, cookie choices."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..auth import limits
from ..consent import purposes_from_config
from ..consent.notices import all_notices, ensure_current_notice
from ..extensions import csrf, db
from ..redirects import safe_next
from . import bp
from .cookies import ANALYTICS, MARKETING, choice_from_form
from .forms import SignupForm
from .links import preference_link
from .notices import mark_notice_seen, notice_text
from .services import form_keys, save_choices
from .signup import (
    SIGNUP_TOPICS,
    SignupError,
    confirm_days,
    confirm_signup,
    read_confirmation,
    start_signup,
)
from .views import actor_for, cookie_consent, set_choice_cookie


def topic_purposes() -> list[Any]:
    purposes = purposes_from_config(current_app.config)
    return [purposes[key] for key in SIGNUP_TOPICS]


# Sign-up ------------------------------------------------------------------------------------

@bp.route("/signup", methods=["GET", "POST"])
@limits.limit("5 per minute; 30 per hour", methods=["POST"])
def signup() -> Any:
    form = SignupForm()
    chosen = form_keys(request.form, "topics")
    if form.validate_on_submit():
        if form.is_bot:  # the same answer as for a person, and nothing stored
            return redirect(url_for(".signup_sent"), code=303)
        try:
            start_signup(form.email.data, form.name.data, chosen)
        except SignupError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            return redirect(url_for(".signup_sent"), code=303)
    status = 400 if request.method == "POST" else 200
    return render_template("preferences/signup.html", form=form, topics=topic_purposes(),
                           chosen=chosen), status


@bp.route("/signup/sent")
def signup_sent() -> str:
    return render_template("preferences/signup_sent.html", days=confirm_days())


@bp.route("/signup/confirm/<token>", methods=["GET", "POST"])
def signup_confirm(token: str) -> Any:
    """GET only shows a button: mail scanners follow links, and consent needs a person."""
    try:
        payload = read_confirmation(token)
    except SignupError as exc:
        return render_template("errors/error.html", code=400, title="We could not confirm "
                               "your sign-up", explanation=str(exc), detail=None), 400
    purposes = purposes_from_config(current_app.config)
    chosen = [purposes[k] for k in payload.get("t") or [] if k in SIGNUP_TOPICS]
    if request.method == "GET":
        return render_template("preferences/signup_confirm.html", topics=chosen)
    try:
        result = confirm_signup(payload, request.remote_addr, request.user_agent.string)
    except SignupError as exc:
        db.session.rollback()
        return render_template("errors/error.html", code=400, title="We could not confirm "
                               "your sign-up", explanation=str(exc), detail=None), 400
    db.session.commit()
    return render_template("preferences/signup_done.html", topics=chosen,
                           suppression_removed=result.suppression_removed,
                           link=preference_link(result.person.id))


# Privacy notice -----------------------------------------------------------------------------

@bp.route("/privacy")
def privacy() -> str:
    notice = ensure_current_notice()
    db.session.commit()  # version "1" is created on first use
    return render_template("preferences/privacy.html", notice=notice, text=notice_text(),
                           versions=all_notices())


@bp.route("/privacy/seen", methods=["POST"])
@login_required
def notice_seen() -> Response:
    version = mark_notice_seen(current_user._get_current_object())
    db.session.commit()
    flash(f"Thank you. We have noted that you have seen privacy notice version {version}.",
          "success")
    return redirect(safe_next(request.form.get("next")) or url_for(".privacy"), code=303)


# Cookies ------------------------------------------------------------------------------------

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
def cookies() -> Any:
    consent = cookie_consent()
    if request.method == "GET":
        return render_template("preferences/cookies.html", consent=consent,
                               next=safe_next(request.args.get("next")) or "")
    if not banner_post_allowed():
        flash("Nothing was changed. Please make your cookie choice here.", "info")
        return redirect(url_for(".cookies", next=safe_next(request.form.get("next")) or ""),
                        code=303)
    action = request.form.get("choice", "save")
    analytics, marketing = choice_from_form(action, form_keys(request.form, "consent"),
                                            gpc=consent.gpc)
    if current_user.is_authenticated:
        person = current_user._get_current_object()
        save_choices(person.id, purposes_from_config(current_app.config),
                     {ANALYTICS: analytics, MARKETING: marketing},
                     actor_for(person, "cookie_banner"), gpc=consent.gpc,
                     restricted=person.restricted_at is not None)
        db.session.commit()
    kept = [name for name, on in (("analytics", analytics), ("marketing", marketing)) if on]
    flash("Cookie choices saved: " + (" and ".join(kept) + " cookies allowed."
                                      if kept else "only necessary cookies."), "success")
    response = redirect(safe_next(request.form.get("next")) or url_for(".cookies"), code=303)
    set_choice_cookie(response, analytics, marketing)
    return response
