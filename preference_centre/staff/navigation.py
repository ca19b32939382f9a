"""The console's navigation: each entry appears only when its page exists and the signed-in
role may open it (read from the page's own ``staff_required``, never listed twice)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from . import bp
from .access import current_staff, may_open

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
