"""View guards for the customer's own pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required

from . import sessions

View = TypeVar("View", bound=Callable[..., Any])


def recent_login_required(view: View) -> View:
    """Logged in, and the password entered within RECENT_LOGIN_MINUTES; otherwise the
    person is sent to ``/reauth`` and comes back here afterwards.

    Sensitive actions (change of email, export, erasure) use this: a session left open on a
    shared computer must not be enough to take the account or its data."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not sessions.is_recent(current_user.login_session):
            flash("For your security, please enter your password again to continue.", "info")
            target = request.full_path if request.query_string else request.path
            return redirect(url_for("auth.reauth", next=target))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]
