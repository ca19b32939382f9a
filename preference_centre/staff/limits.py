"""Rate limits on the console's log-in steps (Flask-Limiter, the app's one instance).

Windows, never a lock-out, as for customers (auth/limits.py, whose ``limit`` declares each
one so its request filter keeps checking these views): the password per network and per
address tried, the authenticator and recovery codes per network and per account.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, current_app, request

from .. import crypto
from ..auth.limits import limit
from .access import signed_in


def _setting(name: str) -> Callable[[], str]:
    return lambda: str(current_app.config[name])


def _not_a_success(response: Response) -> bool:
    """Only attempts that failed count: every successful step redirects."""
    return response.status_code != 302


def _email_key() -> str:
    """The address typed in, as a keyed hash: the limiter's storage never holds it."""
    return "staff-login-email:" + crypto.email_hash((request.form.get("email") or "")[:320])


def _account_key() -> str:
    """Codes are tried against one account: count them per account, whichever session."""
    found = signed_in()
    return f"staff-code:{found.user.id}" if found else "staff-code:none"


password_per_ip = limit(_setting("AUTH_RATE_LIMIT"), methods=["POST"],
                        deduct_when=_not_a_success)
password_per_email = limit(_setting("LOGIN_EMAIL_RATE_LIMIT"), key_func=_email_key,
                           methods=["POST"], deduct_when=_not_a_success)
code_per_ip = limit(_setting("AUTH_RATE_LIMIT"), methods=["POST"], deduct_when=_not_a_success)
code_per_account = limit(_setting("STAFF_CODE_RATE_LIMIT"), key_func=_account_key,
                         methods=["POST"], deduct_when=_not_a_success)
