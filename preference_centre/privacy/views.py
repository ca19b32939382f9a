"""The privacy notice page, "I have read it", and the banner about a material change."""

from __future__ import annotations

from typing import Any

from flask import flash, has_request_context, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..extensions import db
from ..redirects import safe_next
from . import bp
from .text import mark_notice_seen, notice_text
from .versions import all_notices, ensure_current_notice, needs_notice_banner


def notice_banner() -> Any:
    """The material notice version the signed-in person has not yet seen, or None."""
    if not current_user.is_authenticated:
        return None
    return needs_notice_banner(current_user.notice_version_seen)


@bp.app_context_processor
def banner_context() -> dict[str, Any]:
    if not has_request_context():  # emails rendered by the worker have no request
        return {}
    return {"notice_banner": notice_banner}


@bp.route("/privacy")
def notice() -> str:
    current = ensure_current_notice()
    db.session.commit()  # version "1" is created on first use
    return render_template("privacy/notice.html", notice=current, text=notice_text(),
                           versions=all_notices())


@bp.route("/privacy/seen", methods=["POST"])
@login_required
def seen() -> Response:
    version = mark_notice_seen(current_user._get_current_object())
    db.session.commit()
    flash(f"Thank you. We have noted that you have seen privacy notice version {version}.",
          "success")
    return redirect(safe_next(request.form.get("next")) or url_for(".notice"), code=303)
