"""The privacy notice page, "I have read it", and the banner about a material change."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, has_request_context, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response

from ..extensions import db
from ..models import NoticeVersion
from ..redirects import safe_next
from . import bp
from .text import notice_text
from .versions import (
    all_notices,
    ensure_current_notice,
    mark_notice_seen,
    needs_notice_banner,
    notice_of,
    version_on_page,
)


def notice_banner() -> Any:
    """The material notice version the signed-in person has not yet seen, or None."""
    if not current_user.is_authenticated:
        return None
    return needs_notice_banner(current_user.notice_version_seen)


@bp.app_context_processor
def banner_context() -> dict[str, Any]:
    if not has_request_context():  # emails rendered by the worker have no request
        return {}
    # Forms that record a choice carry the version of the notice the page links to.
    return {"notice_banner": notice_banner, "notice_shown": version_on_page}


def published_text(row: NoticeVersion) -> Markup | None:
    """The text a version published (trusted HTML: ours or the operator's), or None for a
    version published before texts were kept."""
    return Markup(row.body) if row.body else None  # noqa: S704 - stored as published


@bp.route("/privacy")
def notice() -> str:
    current = ensure_current_notice()
    db.session.commit()  # version "1" is created on first use
    # A version published before texts were kept: its words were the draft's.
    text = published_text(current) or notice_text()
    return render_template("privacy/notice.html", notice=current, current=current,
                           text=text, versions=all_notices())


@bp.route("/privacy/<version>", endpoint="version")
def published_version(version: str) -> str:
    """One version exactly as it was published (the ledger names it for every choice)."""
    row = notice_of(version)
    if row is None:
        abort(404, description=f"We have never published a privacy notice version "
                               f"called {version!r}.")
    current = ensure_current_notice()
    return render_template("privacy/notice.html", notice=row, current=current,
                           text=published_text(row), versions=all_notices())


@bp.route("/privacy/seen", methods=["POST"])
@login_required
def seen() -> Response:
    version = mark_notice_seen(current_user._get_current_object())
    db.session.commit()
    flash(f"Thank you. We have noted that you have seen privacy notice version {version}.",
          "success")
    return redirect(safe_next(request.form.get("next")) or url_for(".notice"), code=303)
