"""Registration, log-in, log-out, verification, password reset and re-authentication."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import update

from .. import tokens
from ..extensions import db
from ..models import Person
from ..passwords import verify_secret
from ..redirects import safe_next
from . import bp, limits, registration, reset, sessions, sign_in
from .forms import (
    ChoosePasswordForm,
    ConfirmForm,
    LoginForm,
    NewPasswordForm,
    ReauthForm,
    RegisterForm,
    ResendVerificationForm,
    ResetRequestForm,
)

# What the "check your email" page says; the same whether or not the address is known.
CHECK_EMAIL = {
    "register": "If you can use this address to create an account, we have sent it a link "
                "to confirm it. Follow the link within {hours} hours, then log in.",
    "resend": "If that account still needs confirming, we have sent a new link to its "
              "address. Follow it within {hours} hours.",
    "reset": "If there is an account with that address, we have sent it a link to choose a "
             "new password. The link works once, for {minutes} minutes.",
}


def _after_login() -> str:
    return url_for("account.overview")


def link_problem(error: tokens.TokenInvalid, retry: str) -> tuple[str, int]:
    """A clear 400 page for an expired, tampered or used link; ``retry`` is where to start
    again (an endpoint)."""
    expired = isinstance(error, tokens.TokenExpired)
    return render_template("auth/link_problem.html", expired=expired,
                           retry_url=url_for(retry)), 400


def confirm_on_post(token: str, *, check: Callable[[str], Any], act: Callable[[str], Any],
                    done: str, then: str, retry: str, template: str) -> Any:
    """An emailed link that changes something: GET only checks ``token`` and shows a button
    (mail scanners follow links), POST runs ``act``, commits, flashes ``done`` and goes to
    ``then``. A bad, used or expired link is a 400 pointing at ``retry``."""
    form = ConfirmForm()
    try:
        if form.validate_on_submit():
            act(token)
            db.session.commit()
            flash(done, "success")
            return redirect(url_for(then))
        check(token)
    except tokens.TokenInvalid as error:
        return link_problem(error, retry=retry)
    return render_template(template, form=form)


@bp.route("/register", methods=["GET", "POST"])
@limits.per_ip
def register() -> Any:
    if current_user.is_authenticated:
        return redirect(_after_login())
    form = RegisterForm()
    if form.validate_on_submit():
        registration.register_account(form.email.data, form.password.data, form.name.data)
        db.session.commit()
        return redirect(url_for("auth.check_email", about="register"))
    return render_template("auth/register.html", form=form)


@bp.route("/check-email")
def check_email() -> str:
    about = request.args.get("about", "register")
    if about not in CHECK_EMAIL:
        abort(404)
    config = current_app.config
    message = CHECK_EMAIL[about].format(hours=config["VERIFY_TOKEN_HOURS"],
                                        minutes=config["RESET_TOKEN_MINUTES"])
    return render_template("auth/check_email.html", message=message)


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify(token: str) -> Any:
    """Confirm the address of a new account (a button, as in ``confirm_on_post``: GET only
    shows it). When the password typed at registration was dropped (other data was
    attached to the record meanwhile), the confirmation leads on to choosing one."""
    form = ConfirmForm()
    try:
        if not form.validate_on_submit():
            registration.check_verification_token(token)
            return render_template("auth/verify.html", form=form)
        person = registration.verify_account(token)
    except tokens.TokenInvalid as error:
        return link_problem(error, retry="auth.register")
    if not person.has_account:
        target = url_for("auth.set_password", token=registration.set_password_token(person))
        db.session.commit()
        flash("Your email address is confirmed. Choose a password for your account.",
              "success")
        return redirect(target)
    db.session.commit()
    _prefill_login(person)
    flash("Your email address is confirmed. You can log in now.", "success")
    return redirect(url_for("auth.login"))


# The session, not the address bar: an address in a URL ends up in logs and histories.
_LOGIN_EMAIL_KEY = "login_email"


def _prefill_login(person: Person) -> None:
    """The person has just proven this address in this browser: the log-in form that
    follows has it filled in, once."""
    session[_LOGIN_EMAIL_KEY] = person.email


@bp.route("/verify/resend", methods=["POST"])
@limits.per_ip
def resend_verification() -> Any:
    form = ResendVerificationForm()
    if not form.validate_on_submit():
        flash("Enter a valid email address to get a new link.", "error")
        return redirect(url_for("auth.login"))
    registration.resend_verification(form.email.data)
    db.session.commit()
    return redirect(url_for("auth.check_email", about="resend"))


@bp.route("/login", methods=["GET", "POST"])
@limits.login_per_ip
@limits.login_per_email
def login() -> Any:
    target = safe_next(request.values.get("next")) or _after_login()
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm(next=request.args.get("next"))
    prefill = session.pop(_LOGIN_EMAIL_KEY, None)
    if prefill and request.method == "GET":
        form.email.data = prefill
    error = resend_form = None
    if form.validate_on_submit():
        check = sign_in.check_sign_in(form.email.data, form.password.data)
        if check.outcome == "ok" and check.person is not None:
            remember = bool(form.remember.data)
            sessions.start_session(check.person, remember=remember, ip=request.remote_addr,
                                   user_agent=request.headers.get("User-Agent"))
            login_user(check.person)
            # "Keep me logged in": the session cookie outlives the browser, for
            # PERMANENT_SESSION_LIFETIME (SESSION_DAYS); otherwise it ends with the browser.
            session.permanent = remember
            db.session.commit()
            return redirect(target)
        if check.outcome == "pending":
            resend_form = ResendVerificationForm(email=form.email.data, formdata=None)
        else:
            error = "The email address or password is not right. Check them and try again."
    return render_template("auth/login.html", form=form, error=error, resend_form=resend_form)


@bp.after_app_request
def save_visit(response: Response) -> Response:
    """Write the signed-in person's visit (the retention clock) that the user loader noted,
    at most once a day. Alone: what the view left uncommitted is not the visit's to keep. A
    streamed response is still reading the database, so its visit waits for the next page."""
    seen = g.pop("visit_seen", None)
    if seen is not None and not response.is_streamed:
        person_id, when = seen
        db.session.rollback()
        db.session.execute(update(Person).where(Person.id == person_id)
                           .values(last_seen_at=when))
        db.session.commit()
    return response


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    """End this sign-in on the server too: a copy of the cookie no longer works."""
    if current_user.is_authenticated:
        if current_user.login_session is not None:
            sessions.revoke_session(current_user.login_session)
        logout_user()
        db.session.commit()
        flash("You are logged out.", "success")
    return redirect(url_for("public.home"))


@bp.route("/reset", methods=["GET", "POST"])
@limits.per_ip
def reset_request() -> Any:
    form = ResetRequestForm()
    if form.validate_on_submit():
        reset.request_password_reset(form.email.data)
        db.session.commit()
        return redirect(url_for("auth.check_email", about="reset"))
    return render_template("auth/reset_request.html", form=form)


def password_from_link(token: str, form: Any, *, check: Callable[[str], Any],
                       act: Callable[[str, str], Any], done: str, retry: str,
                       template: str) -> Any:
    """An emailed link that leads to a new-password form: ``check`` the token on every
    request, ``act`` with the typed password on a valid POST, commit, flash ``done`` and go
    to the log-in page. A bad, used or expired link is a 400 pointing at ``retry``."""
    try:
        check(token)
        if form.validate_on_submit():
            act(token, form.password.data)
            db.session.commit()
            flash(done, "success")
            return redirect(url_for("auth.login"))
    except tokens.TokenInvalid as error:
        db.session.rollback()
        return link_problem(error, retry=retry)
    return render_template(template, form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limits.per_ip
def reset_password(token: str) -> Any:
    return password_from_link(
        token, NewPasswordForm(), check=reset.check_reset_token,
        act=reset.reset_password,
        done="Your password is changed and every sign-in has ended. Log in with your new "
             "password.",
        retry="auth.reset_request", template="auth/reset_password.html")


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@limits.per_ip
def set_password(token: str) -> Any:
    """Choose the password of an address we already held (see registration.register_account)."""
    return password_from_link(
        token, ChoosePasswordForm(), check=registration.check_set_password_token,
        act=registration.set_password,
        done="Your password is set and your email address is confirmed. You can log in now.",
        retry="auth.register", template="auth/set_password.html")


@bp.route("/reauth", methods=["GET", "POST"])
@login_required
@limits.per_ip
@limits.password_per_account
def reauth() -> Any:
    """Ask for the password again before a sensitive action (see recent_login_required)."""
    form = ReauthForm(next=request.args.get("next"))
    if form.validate_on_submit():
        if verify_secret(current_user.password_hash, form.password.data):
            sessions.confirm_password_entered(current_user.login_session)
            db.session.commit()
            return redirect(safe_next(form.next.data) or _after_login())
        form.password.errors.append("That password is not right.")
    return render_template("auth/reauth.html", form=form)
