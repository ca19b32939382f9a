"""Sign-up pages: the form, "check your email", and the confirmation link's button."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for

from ..auth import limits
from ..consent import Purpose, purposes_from_config
from ..extensions import db
from ..links import preference_link
from ..preferences.formdata import form_keys
from ..privacy.versions import NOTICE_FIELD, UnknownNotice, shown_version
from . import bp
from .forms import SignupForm
from .services import (
    SIGNUP_TOPICS,
    SignupError,
    confirm_days,
    confirm_signup,
    read_confirmation,
    start_signup,
)


def topic_purposes() -> list[Purpose]:
    purposes = purposes_from_config(current_app.config)
    return [purposes[key] for key in SIGNUP_TOPICS]


@bp.route("/signup", methods=["GET", "POST"])
@limits.limit("5 per minute; 30 per hour", methods=["POST"])
def signup() -> Any:
    form = SignupForm()
    chosen = form_keys(request.form, "topics")
    if form.validate_on_submit():
        if form.is_bot:  # the same answer as for a person, and nothing stored
            return redirect(url_for(".sent"), code=303)
        try:
            # The confirmation records the notice version this form showed.
            shown = shown_version(request.form.get(NOTICE_FIELD))
            start_signup(form.email.data, form.name.data, chosen, shown)
        except (SignupError, UnknownNotice) as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            return redirect(url_for(".sent"), code=303)
    status = 400 if request.method == "POST" else 200
    return render_template("signup/signup.html", form=form, topics=topic_purposes(),
                           chosen=chosen), status


@bp.route("/signup/sent")
def sent() -> str:
    return render_template("signup/signup_sent.html", days=confirm_days())


def could_not_confirm(error: SignupError) -> tuple[str, int]:
    return render_template("errors/error.html", code=400, title="We could not confirm "
                           "your sign-up", explanation=str(error), detail=None), 400


@bp.route("/signup/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str) -> Any:
    """GET only shows a button: mail scanners follow links, and consent needs a person."""
    try:
        payload = read_confirmation(token)
    except SignupError as exc:
        return could_not_confirm(exc)
    purposes = purposes_from_config(current_app.config)
    chosen = [purposes[k] for k in payload.get("t") or [] if k in SIGNUP_TOPICS]
    if request.method == "GET":
        return render_template("signup/signup_confirm.html", topics=chosen)
    try:
        result = confirm_signup(payload, request.remote_addr, request.user_agent.string)
    except SignupError as exc:
        db.session.rollback()
        return could_not_confirm(exc)
    db.session.commit()
    return render_template("signup/signup_done.html", topics=chosen,
                           suppression_removed=result.suppression_removed,
                           link=preference_link(result.person.id))
