"""What every page needs of the cookie choice: this request's consent, the banner's
context, the GPC signal on record, and setting the choice cookie on a response."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, request
from flask_login import current_user
from werkzeug.wrappers import Response

from ..actors import person_actor
from ..consent import current_state, purposes_from_config
from ..extensions import db
from ..preferences.services import record_gpc
from . import bp
from .choice import (
    ANALYTICS,
    COOKIE_DAYS,
    COOKIE_NAME,
    GPC_MESSAGE,
    MARKETING,
    CookieConsent,
    format_choice,
    gpc_from_headers,
    read_choice,
)

CONSENT_ENVIRON_KEY = "preference_centre.cookie_consent"


def cookie_consent() -> CookieConsent:
    """This request's cookie consent, kept in the request's environ (not ``g``: an app
    context, and so ``g``, can outlive one request)."""
    cached = request.environ.get(CONSENT_ENVIRON_KEY)
    if cached is None:
        cached = request.environ[CONSENT_ENVIRON_KEY] = read_choice(
            request.cookies.get(COOKIE_NAME), current_app.config["COOKIE_POLICY_REVISION"],
            gpc=gpc_from_headers(request.headers),
        )
    return cached


@bp.app_context_processor
def banner_context() -> dict[str, Any]:
    if not has_request_context():  # emails rendered by the worker have no request
        return {}
    return {"cookie_consent": cookie_consent(), "gpc_message": GPC_MESSAGE,
            "on_cookie_page": request.endpoint == "cookies.choose"}


@bp.before_app_request
def honour_gpc() -> None:
    """A signed-in browser sending ``Sec-GPC: 1``: its refusals go on record once."""
    if request.endpoint in (None, "static") or not gpc_from_headers(request.headers):
        return
    if not current_user.is_authenticated:
        return
    purposes = purposes_from_config(current_app.config)
    if record_gpc(current_user.id, purposes, person_actor(current_user.id, "gpc")):
        db.session.commit()


def set_choice_cookie(response: Response, analytics: bool, marketing: bool) -> None:
    revision = current_app.config["COOKIE_POLICY_REVISION"]
    response.set_cookie(COOKIE_NAME, format_choice(analytics, marketing, revision),
                        max_age=COOKIE_DAYS * 86400, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])


def remember_cookie_choice_of(person_id: int, response: Response) -> None:
    """After the account form saved cookie choices, this browser follows them too."""
    state = current_state(person_id)
    set_choice_cookie(response, state[ANALYTICS], state[MARKETING])
