"""Home page, health check and (debug only) the caught-mail viewer."""

from __future__ import annotations

import email
from dataclasses import dataclass
from email import policy
from email.parser import BytesHeaderParser
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from flask import abort, current_app, jsonify, render_template, request
from sqlalchemy import text

from ..auth import limits
from ..extensions import db
from . import bp


@bp.route("/")
def home() -> str:
    return render_template("public/home.html")


@bp.route("/healthz")
def healthz() -> Any:
    """``ok`` (200) or ``database unavailable`` (503) for monitors; with ``?detail=1`` the
    same status with a JSON body that also says how rate limits are counted."""
    try:
        db.session.execute(text("SELECT 1"))
        healthy = True
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        db.session.rollback()
        healthy = False
    status = 200 if healthy else 503
    if request.args.get("detail"):
        return jsonify(status="ok" if healthy else "unhealthy",
                       database="ok" if healthy else "unavailable",
                       rate_limits=limits.health_detail(current_app)), status
    return ("ok" if healthy else "database unavailable"), status, {"Content-Type": "text/plain"}


def _mail_folder() -> Path:
    return Path(current_app.instance_path) / "mail"


@dataclass(frozen=True)
class CaughtMail:
    name: str
    subject: str
    to: str
    sent: str


def _caught(path: Path) -> CaughtMail:
    """What a person looks for in a list of mail: subject, recipient, time (headers only)."""
    with path.open("rb") as handle:
        headers = BytesHeaderParser(policy=policy.default).parse(handle)
    try:
        sent = parsedate_to_datetime(headers["Date"]).strftime("%-d %b %Y, %H:%M:%S")
    except (TypeError, ValueError):
        sent = ""
    return CaughtMail(path.name, str(headers["Subject"] or "(no subject)"),
                      str(headers["To"] or ""), sent)


@bp.route("/dev/mail")
def dev_mail() -> str:
    """Mail caught by the local catcher, newest first. Exists only in debug mode."""
    if not current_app.debug:
        abort(404)
    folder = _mail_folder()
    files = sorted(folder.glob("*.eml"), reverse=True)[:50] if folder.exists() else []
    return render_template("public/dev_mail.html", messages=[_caught(f) for f in files])


@bp.route("/dev/mail/<name>")
def dev_mail_message(name: str) -> str:
    if not current_app.debug:
        abort(404)
    path = _mail_folder() / name
    if "/" in name or not name.endswith(".eml") or not path.is_file():
        abort(404)
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    text_part = message.get_body(preferencelist=("plain",))
    body = text_part.get_content() if text_part is not None else ""
    return render_template("public/dev_mail_message.html", name=name, message=message, body=body)
