"""Rate limits for the pages that guess passwords or send mail (Flask-Limiter).

Limits are windows, never a lock-out: an address under attack can be tried again once the
window has passed. Each limit can be tuned in config without touching code.

Every limit is declared through ``limit`` or ``blueprint_limit`` here (never ``limiter.limit``
directly): they record which views carry a limit, and a request filter lets every other
view skip Flask-Limiter's per-request check (about 0.1 ms on every page and on /healthz;
extensions.Limiter asks this filter before anything else).
The app has no default or application-wide limits, so those views have nothing to check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, request

from .. import crypto
from ..extensions import limiter


def _setting(name: str) -> Callable[[], str]:
    """A limit read from config at request time (defaults in config.py: AUTH_RATE_LIMIT per
    client IP for every form that checks a password or sends mail; LOGIN_EMAIL_RATE_LIMIT per
    address tried at the login form, against slow, spread-out guessing)."""
    return lambda: str(current_app.config[name])


def _email_key() -> str:
    """The address typed into the form, as a keyed hash: the limiter's storage (Redis in
    production) never holds addresses."""
    address = (request.form.get("email") or "")[:320]
    return "login-email:" + crypto.email_hash(address)


def _not_a_success(response: Response) -> bool:
    """Only attempts that did not succeed count: a successful login redirects."""
    return response.status_code != 302


View = TypeVar("View", bound=Callable[..., Any])
_LIMITED_VIEWS: set[str] = set()  # module.qualname of every view with its own limit
_LIMITED_BLUEPRINTS: set[str] = set()
_UNLIMITED: dict[tuple[str, str | None], bool] = {}  # (endpoint, blueprint) -> no limit


def _name(function: Any) -> str:
    return f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', '')}"


def limit(*args: Any, **kwargs: Any) -> Callable[[View], View]:
    """``limiter.limit`` for a view, recorded so the request filter keeps checking it."""
    decorator = limiter.limit(*args, **kwargs)

    def apply(view: View) -> View:
        _LIMITED_VIEWS.add(_name(view))
        _UNLIMITED.clear()
        return decorator(view)

    return apply


def blueprint_limit(blueprint: Blueprint, *args: Any, **kwargs: Any) -> None:
    """``limiter.shared_limit`` over every view of a blueprint, recorded likewise."""
    _LIMITED_BLUEPRINTS.add(blueprint.name)
    _UNLIMITED.clear()
    limiter.shared_limit(*args, **kwargs)(blueprint)


def _has_limit(view: Any) -> bool:
    """True when this view, or any view it wraps (login decorators use functools.wraps),
    was declared with ``limit``."""
    while view is not None:
        if _name(view) in _LIMITED_VIEWS:
            return True
        view = getattr(view, "__wrapped__", None)
    return False


@limiter.request_filter
def _no_limit_here() -> bool:
    """Flask-Limiter skips its check when this returns True: views without any limit."""
    endpoint, blueprint = request.endpoint, request.blueprint
    known = _UNLIMITED.get((endpoint or "", blueprint))
    if known is None:
        parents = (blueprint or "").split(".")
        in_limited_blueprint = any(".".join(parents[:n + 1]) in _LIMITED_BLUEPRINTS
                                   for n in range(len(parents)))
        known = not in_limited_blueprint and not _has_limit(
            current_app.view_functions.get(endpoint or ""))
        _UNLIMITED[(endpoint or "", blueprint)] = known
    return known


per_ip = limit(_setting("AUTH_RATE_LIMIT"), methods=["POST"])

login_per_ip = limit(_setting("AUTH_RATE_LIMIT"), methods=["POST"], deduct_when=_not_a_success)
login_per_email = limit(
    _setting("LOGIN_EMAIL_RATE_LIMIT"), key_func=_email_key, methods=["POST"],
    deduct_when=_not_a_success,
)
