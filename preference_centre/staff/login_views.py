"""Signing in to the console: password, then a code from the authenticator (or a recovery
code), enrolment at the first log-in, the set-up link, and logging out."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for

from .. import clock, tokens
from ..extensions import db
from ..passwords import decoy_hash, verify_secret
from . import bp, limits, totp
from .access import (
    clear_session_cookie,
    next_step,
    set_session_cookie,
    signed_in,
    staff_pending,
    staff_public,
)
from .audit import record_audit
from .forms import CodeForm, RecoveryForm, SetupForm, StaffLoginForm
from .services import complete_setup, find_staff_by_email, user_from_setup_token
from .sessions import end_staff_session, mark_verified, start_staff_session

NOT_RIGHT = "The email address or password is not right."
WRONG_CODE = "That code is not right, or was already used. Wait for the next one and try again."


def _next_step() -> Any:
    """Where this request's session goes next: enrolment, the code, or the dashboard."""
    return redirect(url_for(next_step(signed_in())))


@bp.route("/login", methods=["GET", "POST"])
@limits.password_per_ip
@limits.password_per_email
@staff_public
def login() -> Any:
    if signed_in() is not None:
        return _next_step()
    form = StaffLoginForm()
    error = None
    if form.validate_on_submit():
        user = find_staff_by_email(form.email.data)
        stored = user.password_hash if user else None
        right = verify_secret(stored or decoy_hash(), form.password.data) and stored is not None
        if user is not None and right and user.is_active:
            row, key = start_staff_session(user)
            db.session.commit()
            step = "staff.enrol" if user.totp_enrolled_at is None else "staff.code"
            return set_session_cookie(redirect(url_for(step)), key)
        reason = "disabled" if right else "password"
        record_audit(user, "login.failed", "staff", user.id if user else None,
                     detail=reason, ip=request.remote_addr)
        db.session.commit()
        error = NOT_RIGHT
    return render_template("staff/login.html", form=form, error=error)


def _signed_in_with(found: Any, how: str) -> None:
    mark_verified(found.session, found.user)
    record_audit(found.user, "login", "staff", found.user.id, detail=how, ip=request.remote_addr)
    db.session.commit()


@bp.route("/login/code", methods=["GET", "POST"])
@limits.code_per_ip
@limits.code_per_account
@staff_pending
def code() -> Any:
    found = signed_in()
    if found.user.totp_enrolled_at is None or found.session.verified_at is not None:
        return _next_step()
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        if totp.check_code(found.user, form.code.data):
            _signed_in_with(found, "authenticator")
            return redirect(url_for("staff.dashboard"))
        error = WRONG_CODE
    if form.is_submitted():
        record_audit(found.user, "login.failed", "staff", found.user.id, detail="code",
                     ip=request.remote_addr)
        db.session.commit()
    return render_template("staff/code.html", form=form, error=error)


@bp.route("/login/recovery", methods=["GET", "POST"])
@limits.code_per_ip
@limits.code_per_account
@staff_pending
def recovery() -> Any:
    found = signed_in()
    if found.user.totp_enrolled_at is None or found.session.verified_at is not None:
        return _next_step()
    form = RecoveryForm()
    error = None
    if form.validate_on_submit():
        if totp.use_recovery_code(found.user, form.code.data):
            record_audit(found.user, "recovery_code.used", "staff", found.user.id,
                         ip=request.remote_addr)
            _signed_in_with(found, "recovery code")
            left = totp.recovery_codes_left(found.user)
            flash(f"You used a recovery code. You have {left} left: if you have lost your "
                  "phone, ask an admin to reset your authenticator.", "info")
            return redirect(url_for("staff.dashboard"))
        error = "That recovery code is not right, or was already used."
    if form.is_submitted():
        record_audit(found.user, "login.failed", "staff", found.user.id,
                     detail="recovery code", ip=request.remote_addr)
        db.session.commit()
    return render_template("staff/recovery.html", form=form, error=error)


@bp.route("/enrol", methods=["GET", "POST"])
@limits.code_per_ip
@limits.code_per_account
@staff_pending
def enrol() -> Any:
    """The first log-in (or the first after a reset): link an authenticator app."""
    found = signed_in()
    user = found.user
    if user.totp_enrolled_at is not None:
        return _next_step()
    if user.totp_secret is None:
        user.totp_secret = totp.new_secret()
        db.session.commit()
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        if totp.check_code(user, form.code.data):
            user.totp_enrolled_at = clock.utcnow()
            codes = totp.new_recovery_codes(user)
            record_audit(user, "authenticator.enrolled", "staff", user.id, ip=request.remote_addr)
            _signed_in_with(found, "authenticator")
            # Shown in this response only: just their hashes are stored.
            return render_template("staff/recovery_codes.html", codes=codes)
        error = WRONG_CODE
    issuer = current_app.config["COMPANY_NAME"]
    uri = totp.provisioning_uri(user.totp_secret, user.email, issuer)
    return render_template(
        "staff/enrol.html", form=form, error=error, email=user.email,
        qr=totp.qr_svg(uri, "QR code for your authenticator app"),
        key=totp.grouped(user.totp_secret))


@bp.route("/setup/<token>", methods=["GET", "POST"])
@limits.password_per_ip
@staff_public
def setup(token: str) -> Any:
    """The single-use link from ``flask staff create`` or the team page."""
    try:
        user = user_from_setup_token(token)
    except tokens.TokenInvalid as problem:
        expired = isinstance(problem, tokens.TokenExpired)
        return render_template("staff/link_problem.html", expired=expired), 400
    form = SetupForm()
    if form.validate_on_submit():
        complete_setup(user, form.password.data, ip=request.remote_addr)
        row, key = start_staff_session(user)
        db.session.commit()
        flash("Your password is set. Now link an authenticator app.", "success")
        return set_session_cookie(redirect(url_for("staff.enrol")), key)
    return render_template("staff/setup.html", form=form, email=user.email)


@bp.route("/logout", methods=["POST"])
@staff_pending
def logout() -> Any:
    found = signed_in()  # CSRFProtect has checked the form's token, as on every POST
    end_staff_session(found.session)
    record_audit(found.user, "logout", "staff", found.user.id, ip=request.remote_addr)
    db.session.commit()
    flash("You are logged out of the staff console.", "success")
    return clear_session_cookie(redirect(url_for("staff.login")))
