"""Rate limits for the pages that guess passwords or send mail (Flask-Limiter).

Limits are windows, never a lock-out: an address under attack can be tried again once the
window has passed. Each limit can be tuned in config without touching code. The app has no
default or application-wide limits: only the views declared with these decorators (or
``limit`` / ``blueprint_limit``) are counted.

Counts live in ``RATELIMIT_STORAGE_URI``. With ``memory://`` each process keeps its own, so
under several workers or servers an attacker gets each limit once per process: the app says
so at start-up and in ``/healthz?detail=1``; ``redis://`` shares one count between them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from .. import crypto
from ..extensions import limiter
from ..requestinfo import network_of

limit = limiter.limit  # a limit of a view's own, e.g. ``@limits.limit("5 per hour")``
_NEVER_LIMITED: set[Callable[..., Any]] = set()

PER_PROCESS_WARNING = (
    "Rate limits are counted per process (RATELIMIT_STORAGE_URI is memory://): with several "
    "workers or servers each keeps its own count. Set RATELIMIT_STORAGE_URI=redis://... to "
    "share one count."
)


def blueprint_limit(blueprint: Blueprint, *args: Any, **kwargs: Any) -> None:
    """One shared limit over every view of a blueprint (``limiter.shared_limit``)."""
    limiter.shared_limit(*args, **kwargs)(blueprint)


def never_limited(view: Callable[..., Any]) -> Callable[..., Any]:
    """Put directly above ``@bp.route`` (it names the function the route registered): no
    limit, the app-wide default included, ever counts or refuses this view. Flask-Limiter's
    ``exempt`` would too, but only after resolving the request's limits on every request; a
    request filter answers before that, for views that take bursts (one-click)."""
    _NEVER_LIMITED.add(view)
    return view


@limiter.request_filter
def _is_never_limited() -> bool:
    return current_app.view_functions.get(request.endpoint or "") in _NEVER_LIMITED


def _setting(name: str) -> Callable[[], str]:
    """A limit read from config at request time (defaults in config.py: AUTH_RATE_LIMIT per
    client IP for every form that checks a password or sends mail; LOGIN_EMAIL_RATE_LIMIT per
    address and network at log-in, and per account where a signed-in person types their
    password, against slow, spread-out guessing)."""
    return lambda: str(current_app.config[name])


def _network_of(address: str) -> str:
    """The IPv4 /24 or IPv6 /64 around ``address``: one household, office or provider
    customer, however its devices' addresses change."""
    return network_of(address, 24, 64) or address


def _email_and_network_key() -> str:
    """The address typed into the form, as a keyed hash (the limiter's storage never holds
    addresses), with the network it is tried from. Failures from one network limit only that
    network: nobody can lock a person out of logging in from their own."""
    address = (request.form.get("email") or "")[:320]
    return f"login-email:{crypto.email_hash(address)}:{_network_of(get_remote_address())}"


def _account_key() -> str:
    """The signed-in account (its session may move between addresses); the client IP for
    a visitor who is not logged in (they are sent to log in and are not counted)."""
    person_id = getattr(current_user, "id", None)
    return f"account:{person_id}" if person_id is not None else get_remote_address()


def _not_a_success(response: Response) -> bool:
    """Only attempts that did not succeed count: a successful form redirects."""
    return response.status_code != 302


per_ip = limiter.limit(_setting("AUTH_RATE_LIMIT"), methods=["POST"])

login_per_ip = limiter.limit(_setting("AUTH_RATE_LIMIT"), methods=["POST"],
                             deduct_when=_not_a_success)
login_per_email = limiter.limit(
    _setting("LOGIN_EMAIL_RATE_LIMIT"), key_func=_email_and_network_key, methods=["POST"],
    deduct_when=_not_a_success,
)

# Forms where a signed-in person types their password: a stolen session must not become a
# way to guess it, from one address or many.
password_per_ip = login_per_ip
password_per_account = limiter.limit(
    _setting("LOGIN_EMAIL_RATE_LIMIT"), key_func=_account_key, methods=["POST"],
    deduct_when=_not_a_success,
)


def counted_per_process(app: Flask) -> bool:
    """True when limits are on and each process keeps its own counts."""
    storage = str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    return bool(app.config.get("RATELIMIT_ENABLED", True)) and storage.startswith("memory://")


def warn_if_counted_per_process(app: Flask) -> None:
    """Say once, at start-up, that memory:// counts are per process; debug runs are one
    process, so they stay quiet."""
    if counted_per_process(app) and not app.debug:
        app.logger.warning(PER_PROCESS_WARNING)


def health_detail(app: Flask) -> dict[str, Any]:
    """What ``/healthz?detail=1`` says about rate limiting (the storage's scheme only: the
    URI may hold a password)."""
    if not app.config.get("RATELIMIT_ENABLED", True):
        return {"enabled": False}
    storage = str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    detail: dict[str, Any] = {"enabled": True, "storage": storage.split("://", 1)[0],
                              "shared_between_processes": not counted_per_process(app)}
    if counted_per_process(app):
        detail["warning"] = PER_PROCESS_WARNING
    return detail
