"""The audit log page (privacy, admin): newest first, filtered by who, what and when."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from . import bp
from .access import staff_required
from .audit import AuditFilter, audit_page, recorded_actions
from .forms import AuditFilterForm
from .services import all_staff


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


@bp.route("/audit")
@staff_required("privacy", "admin")
def audit() -> Any:
    form = AuditFilterForm(request.args)
    form.who.choices = [SelectChoice("", "Anyone"), SelectChoice("none", "No account")] + [
        SelectChoice(str(user.id), user.email) for user in all_staff()]
    form.action.choices = [SelectChoice("", "Any action")] + [
        SelectChoice(action, action) for action in recorded_actions()]
    valid = form.validate()
    chosen = AuditFilter()
    if valid:
        who = form.who.data or ""
        chosen = AuditFilter(actor_id=int(who) if who.isdigit() else None,
                             no_actor=who == "none", action=form.action.data or None,
                             since=form.since.data, until=form.until.data)
    result = audit_page(chosen, _page_number())
    filters = {name: value for name, value in request.args.items() if name != "page" and value}
    pages = {
        "previous": url_for("staff.audit", **filters, page=result.page - 1)
        if result.page > 1 else None,
        "next": url_for("staff.audit", **filters, page=result.page + 1)
        if result.has_next else None,
    }
    return render_template("staff/audit.html", form=form, result=result, pages=pages), (
        200 if valid else 400)
