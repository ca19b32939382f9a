"""Rate limits for the pages that guess passwords or send mail (Flask-Limiter).

Limits are windows, never a lock-out: an address under attack can be tried again once the
window has passed. Each limit can be tuned in config without touching code.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, current_app, request

from .. import crypto
from ..extensions import limiter

DEFAULTS = {
    # Per client IP address, for every form that checks a password or sends mail.
    "AUTH_RATE_LIMIT": "10 per minute; 50 per hour",
    # Per email address tried at the login form, whatever the IP (slow, spread-out guessing).
    "LOGIN_EMAIL_RATE_LIMIT": "5 per minute; 30 per hour",
}


def _setting(name: str) -> Callable[[], str]:
    return lambda: str(current_app.config.get(name) or DEFAULTS[name])


def _email_key() -> str:
    """The address typed into the form, as a keyed hash: the limiter's storage (Redis in
    production) never holds addresses."""
    address = (request.form.get("email") or "")[:320]
    return "login-email:" + crypto.email_hash(address)


def _not_a_success(response: Response) -> bool:
    """Only attempts that did not succeed count: a successful login redirects."""
    return response.status_code != 302


per_ip = limiter.limit(_setting("AUTH_RATE_LIMIT"), methods=["POST"])

login_per_ip = limiter.limit(
    _setting("AUTH_RATE_LIMIT"), methods=["POST"], deduct_when=_not_a_success
)
login_per_email = limiter.limit(
    _setting("LOGIN_EMAIL_RATE_LIMIT"), key_func=_email_key, methods=["POST"],
    deduct_when=_not_a_success,
)
