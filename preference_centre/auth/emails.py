"""The account's emails, one function each: subject, template and what it says, here only.

Each queues its message through the one composer (``messaging``) and leaves the commit to
the caller. The link tokens come from the caller (``link_tokens`` makes them, with the
fingerprint of the state the link may change); a message only knows the page its link
opens and how long it lives.
"""

from __future__ import annotations

from flask import current_app

from ..links import external_url
from ..messaging import queue_service_email
from ..models import OutboxMessage, Person


def send_verification(person: Person, token: str) -> OutboxMessage:
    """templates/email/verify_email: confirm the address of a new account."""
    return queue_service_email(person, "verify_email", "Confirm your email address", {
        "link": external_url("auth.verify", token=token),
        "hours": current_app.config["VERIFY_TOKEN_HOURS"]})


def send_set_password(person: Person, token: str, unfinished: bool) -> OutboxMessage:
    """templates/email/set_password: whoever reads a held address chooses the password
    (``unfinished``: a registration was started but never confirmed)."""
    return queue_service_email(person, "set_password", "Choose a password for your account", {
        "link": external_url("auth.set_password", token=token),
        "hours": current_app.config["VERIFY_TOKEN_HOURS"], "unfinished": unfinished})


def send_password_reset(person: Person, token: str) -> OutboxMessage:
    """templates/email/reset_password: a link to choose a new password."""
    return queue_service_email(person, "reset_password", "Reset your password", {
        "link": external_url("auth.reset_password", token=token),
        "minutes": current_app.config["RESET_TOKEN_MINUTES"]})


ACCOUNT_EXISTS_SUBJECTS = {
    "register": "You already have an account",
    "change_email": "Someone tried to use your address",
}


def send_account_exists(person: Person, reason: str) -> OutboxMessage:
    """templates/email/account_exists: someone tried to register this address
    (``reason`` ``register``) or to move another account to it (``change_email``)."""
    return queue_service_email(person, "account_exists", ACCOUNT_EXISTS_SUBJECTS[reason], {
        "reason": reason, "login_link": external_url("auth.login"),
        "reset_link": external_url("auth.reset_request")})
