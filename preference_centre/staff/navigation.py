"""The console's navigation: each entry appears only when its page exists and the signed-in
role may open it (read from the page's own ``staff_required``, never listed twice)."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, request, url_for

from . import bp
from .access import LookUpFirst, access_of, current_staff, may_open

# Label and endpoint, in the order shown. People, Exports and Campaigns appear once their
# pages are registered under these endpoint names.
NAVIGATION = (
    ("Dashboard", "staff.dashboard"),
    ("People", "staff.people"),
    ("Exports", "staff.exports"),
    ("Campaigns", "staff.campaigns"),
    ("Undelivered", "staff.undelivered"),
    ("Audit", "staff.audit"),
    ("Team", "staff.team"),
)


def navigation_for(role: str) -> list[tuple[str, str, str]]:
    """(label, address, endpoint) of every page ``role`` may open."""
    return [(label, url_for(endpoint), endpoint) for label, endpoint in NAVIGATION
            if may_open(endpoint, role)]


@bp.context_processor
def staff_template_globals() -> dict[str, Any]:
    user = current_staff()
    return {"staff_user": user,
            "staff_navigation": navigation_for(user.role) if user is not None else []}


@bp.errorhandler(403)
def not_for_this_role(error: Exception) -> tuple[str, int]:
    """A colleague who opens a page or record their role does not cover stays in the console:
    the page says which roles it is for (or what would open the record) and leads back to
    what they may open."""
    access = access_of(current_app.view_functions.get(request.endpoint or ""))
    roles = sorted(access.roles) if access is not None else []
    why = error.description if isinstance(error, LookUpFirst) else None
    return render_template("staff/not_for_this_role.html", roles=roles, why=why), 403


@bp.errorhandler(404)
def not_in_the_console(_error: Exception) -> tuple[str, int]:
    """A record a console page looked for and did not find (erased, or a mistyped number) is
    said so inside the console, with the way back. (An address no route matches, or with a
    record number no row can have (``<id:...>``, refused while routing), gets the site's own
    404 page: no console view ran.)"""
    return render_template("staff/not_found.html"), 404
