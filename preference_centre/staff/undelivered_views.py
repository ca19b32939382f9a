"""Undelivered mail: marketing sees how many messages are in each state; admins also see
which failed and why (never an address or a body) and can put them back in the queue. The
same service as ``flask outbox status`` and ``flask outbox requeue``."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from ..extensions import db
from ..messaging import undelivered as outbox_undelivered
from . import bp
from .access import current_staff, staff_required
from .audit import record_audit


@bp.route("/undelivered")
@staff_required("marketing", "admin")
def undelivered() -> str:
    user = current_staff()
    admin = user.role == "admin"
    return render_template(
        "staff/undelivered.html", counts=outbox_undelivered.counts(),
        messages=outbox_undelivered.undelivered() if admin else None)


@bp.route("/undelivered/requeue", methods=["POST"])
@staff_required("admin")
def requeue() -> Any:
    """Requeue one message (``ids``) or every failed and dead one (``status=all``)."""
    # CSRFProtect has checked the token, as on every POST; the buttons carry nothing else.
    ids = [int(part) for part in request.form.get("ids", "").split(",")
           if part.strip().isdigit() and len(part.strip()) < 12]
    everything = request.form.get("status") == "all"
    if not ids and not everything:
        flash("Choose a message to requeue.", "error")
        return redirect(url_for("staff.undelivered"))
    count = outbox_undelivered.requeue(ids=ids, statuses=outbox_undelivered.UNDELIVERED
                                       if everything else ())
    record_audit(current_staff(), "outbox.requeued", "outbox",
                 ids[0] if len(ids) == 1 else None, detail=f"{count} requeued",
                 ip=request.remote_addr)
    db.session.commit()
    flash(f"{count} message{'s' if count != 1 else ''} put back in the queue.", "success")
    return redirect(url_for("staff.undelivered"))
