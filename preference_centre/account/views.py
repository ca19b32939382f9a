"""The customer's own account: overview, profile, password and email address."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from .. import crypto
from ..auth import limits, sessions
from ..auth.decorators import recent_login_required
from ..auth.views import confirm_on_post
from ..extensions import db
from ..passwords import PasswordRejected
from . import bp, services
from .forms import (
    EmailChangeForm,
    EndSessionsForm,
    PasswordChangeForm,
    ProfileForm,
    gender_choice,
)


def _form_error(form: FlaskForm, error: Exception, default_field: str) -> None:
    """Show a domain error beside the field it concerns."""
    name = getattr(error, "field", None) or default_field
    form[name].errors = [*form[name].errors, str(error)]


@bp.route("")
@login_required
def overview() -> str:
    person = current_user
    return render_template(
        "account/overview.html", person=person, masked_email=crypto.mask_email(person.email),
        sign_ins=services.recent_sign_ins(person.id),
        current_session_id=getattr(person.login_session, "id", None),
        end_sessions_form=EndSessionsForm(),
    )


def _stored_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> Any:
    person = current_user
    stored = {name: getattr(person, name) for name in services.PROFILE_FIELDS}
    stored["date_of_birth"] = _stored_date(person.date_of_birth)
    gender = gender_choice(person.gender)
    form = ProfileForm(data={**stored, "gender": gender})
    form.allow_stored_gender(gender)
    if form.validate_on_submit():
        values = {name: form[name].data for name in services.PROFILE_FIELDS}
        values["security_answer"] = form.security_answer.data
        try:
            changed = services.update_profile(person, values)
        except services.ProfileError as error:
            db.session.rollback()
            _form_error(form, error, "name")
        else:
            db.session.commit()
            flash("Your details are saved." if changed else "Nothing was changed.", "success")
            return redirect(url_for("account.profile"))
    return render_template("account/profile.html", form=form, person=person,
                           has_answer=bool(person.security_answer_hash))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limits.password_per_ip
@limits.password_per_account
def password() -> Any:
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            ended = services.change_password(current_user, form.current_password.data,
                                             form.new_password.data, current_user.login_session)
        except (services.ProfileError, PasswordRejected) as error:
            db.session.rollback()
            _form_error(form, error, "new_password")
        else:
            db.session.commit()
            others = f" {ended} other sign-in(s) ended." if ended else ""
            flash("Your password is changed." + others, "success")
            return redirect(url_for("account.overview"))
    return render_template("account/password.html", form=form)


@bp.route("/email", methods=["GET", "POST"])
@recent_login_required
@limits.per_ip
def email() -> Any:
    form = EmailChangeForm()
    if form.validate_on_submit():
        try:
            services.request_email_change(current_user, form.email.data)
        except services.ProfileError as error:
            _form_error(form, error, "email")
        else:
            db.session.commit()
            flash("We have sent a link to the new address. Your address changes when you "
                  "follow it; until then, keep using the current one.", "success")
            return redirect(url_for("account.overview"))
    return render_template("account/email.html", form=form, person=current_user)


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str) -> Any:
    """Change the address to the confirmed new one (a button: see ``confirm_on_post``)."""
    try:
        return confirm_on_post(
            token, check=services.check_email_change_token, act=services.confirm_email_change,
            done="Your email address is changed. Use the new one to log in.",
            then="account.overview", retry="account.email",
            template="account/confirm_email.html")
    except services.ProfileError as error:
        db.session.commit()  # the pending change is dropped; nothing else was touched
        flash(str(error), "error")
        return redirect(url_for("account.email"))


@bp.route("/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions() -> Any:
    if EndSessionsForm().validate_on_submit():
        ended = sessions.revoke_sessions(current_user.id, keep=current_user.login_session)
        db.session.commit()
        flash(f"Logged out everywhere else ({ended} sign-in(s) ended).", "success")
    return redirect(url_for("account.overview"))
