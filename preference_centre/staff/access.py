"""Who may open which console page: the staff cookie, the signed-in staff member, and the
one decorator every ``/staff`` view carries.

    @bp.route("/people")
    @staff_required("marketing", "privacy")     # or "all" for every role
    def people(): ...

The decorator records what it allows on the view (``view.staff_access``), so the navigation
shows only what a role may open and a test can walk every rule of the URL map and find any
console page left without a declared role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    request,
    url_for,
)
from werkzeug.exceptions import Forbidden

from .. import tokens
from ..extensions import db
from ..models import STAFF_ROLES, StaffSession, StaffUser
from .audit import found_by_address
from .sessions import live_staff_session

COOKIE_NAME = "staff_session"

View = TypeVar("View", bound=Callable[..., Any])


@dataclass(frozen=True)
class StaffAccess:
    """What a console view lets in. ``stage``: "public" (the log-in and set-up link: anyone),
    "pending" (the code and enrolment steps: a session whose password was right) or "staff"
    (a fully signed-in member of one of ``roles``)."""

    stage: str
    roles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SignedIn:
    session: StaffSession
    user: StaffUser

    @property
    def verified(self) -> bool:
        return self.session.verified_at is not None and self.user.totp_enrolled_at is not None


def _cookie_path() -> str:
    return url_for("staff.dashboard")


def set_session_cookie(response: Response, key: str) -> Response:
    """The console's own cookie: only sent to /staff pages, never readable by script, never
    sent from another site's page, over HTTPS only when the site is."""
    response.set_cookie(
        COOKIE_NAME, tokens.make_token("staff_session", key), path=_cookie_path(),
        httponly=True, samesite="Strict", secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


def clear_session_cookie(response: Response) -> Response:
    response.delete_cookie(COOKIE_NAME, path=_cookie_path(), httponly=True, samesite="Strict",
                           secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def signed_in() -> SignedIn | None:
    """The staff session of this request (verified or not), loaded once per request."""
    if "staff_signed_in" in g:
        return g.staff_signed_in
    found = None
    cookie = request.cookies.get(COOKIE_NAME)
    if cookie:
        try:
            key = tokens.read_token("staff_session", cookie, max_age=None)
        except tokens.TokenInvalid:
            key = None
        idle = timedelta(minutes=current_app.config["STAFF_IDLE_MINUTES"])
        live = live_staff_session(key, idle) if isinstance(key, str) else None
        db.session.commit()  # the last-seen time, or the end of an idle session
        found = SignedIn(*live) if live else None
        if found is None:
            g.staff_session_lapsed = True
    g.staff_signed_in = found
    return found


class LookUpFirst(Forbidden):
    """The role opens people's records, but only ones it found by their address."""

    description = ("You can open a person's record once you have looked them up by their "
                   "email address since you logged in.")


# Who may open any person's record by its number (the privacy desk answers requests about
# anyone). Marketing opens only the records it found by exact address in this session, so
# record numbers cannot be walked through to list people and their addresses.
OPENS_ANY_RECORD = frozenset({"privacy"})


def check_may_open_person(person_id: int) -> None:
    """Raise :class:`LookUpFirst` unless the signed-in role opens any record, or this
    session found ``person_id`` by their address."""
    found = signed_in()
    if found is None or found.user.role in OPENS_ANY_RECORD:
        return
    if not found_by_address(found.user.id, person_id, found.session.created_at):
        raise LookUpFirst()


def current_staff() -> StaffUser | None:
    """The fully signed-in staff member (password and code given), or None."""
    found = signed_in()
    return found.user if found and found.verified else None


def _to_login() -> Response:
    response = redirect(url_for("staff.login"))
    if g.get("staff_session_lapsed"):
        flash("Your session has ended. Please log in again.", "info")
        clear_session_cookie(response)
    return response


def next_step(found: SignedIn | None) -> str:
    """The endpoint a session goes to next. One whose password was right but whose second
    factor is still to come opens nothing but that step (enrolment first, at the first
    log-in)."""
    if found is None:
        return "staff.login"
    if found.user.totp_enrolled_at is None:
        return "staff.enrol"
    if found.session.verified_at is None:
        return "staff.code"
    return "staff.dashboard"


def _declare(view: View, access: StaffAccess, guarded: Callable[..., Any]) -> View:
    guarded = wraps(view)(guarded)
    guarded.staff_access = access  # type: ignore[attr-defined]
    return guarded  # type: ignore[return-value]


def staff_required(*roles: str) -> Callable[[View], View]:
    """Only a signed-in staff member whose role is one of ``roles`` ("all": any role) opens
    the page; anyone else not signed in as staff goes to the log-in, a colleague of another
    role gets 403."""
    allowed = frozenset(STAFF_ROLES) if roles == ("all",) else frozenset(roles)
    unknown = allowed - set(STAFF_ROLES)
    if not allowed or unknown:
        raise ValueError(f"staff_required needs roles from {STAFF_ROLES} or 'all', "
                         f"not {sorted(unknown) or 'none'}")

    def decorate(view: View) -> View:
        def guarded(*args: Any, **kwargs: Any) -> Any:
            found = signed_in()
            if found is None:
                return _to_login()
            if not found.verified:
                return redirect(url_for(next_step(found)))
            if found.user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return _declare(view, StaffAccess("staff", allowed), guarded)

    return decorate


def staff_pending(view: View) -> View:
    """A step of signing in after the password: needs a live session, verified or not."""
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if signed_in() is None:
            return _to_login()
        return view(*args, **kwargs)

    return _declare(view, StaffAccess("pending"), guarded)


def staff_public(view: View) -> View:
    """Open to anyone: the log-in page and the set-up link."""
    view.staff_access = StaffAccess("public")  # type: ignore[attr-defined]
    return view


def access_of(view: Any) -> StaffAccess | None:
    """What a view declared, looking through decorators added over this module's (such as
    a rate limit); None when it declared nothing."""
    while view is not None:
        access = getattr(view, "staff_access", None)
        if isinstance(access, StaffAccess):
            return access
        view = getattr(view, "__wrapped__", None)
    return None


def may_open(endpoint: str, role: str) -> bool:
    """Whether ``role`` may open the console page ``endpoint`` (False if there is none)."""
    access = access_of(current_app.view_functions.get(endpoint))
    return access is not None and access.stage == "staff" and role in access.roles
