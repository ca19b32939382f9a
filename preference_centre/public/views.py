"""Home page, health check and (debug only) the caught-mail viewer."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, render_template
from sqlalchemy import text

from ..extensions import db
from . import bp


@bp.route("/")
def home() -> str:
    return render_template("public/home.html")


@bp.route("/healthz")
def healthz() -> tuple[str, int, dict[str, str]]:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        db.session.rollback()
        return "database unavailable", 503, {"Content-Type": "text/plain"}
    return "ok", 200, {"Content-Type": "text/plain"}


def _mail_folder() -> Path:
    return Path(current_app.instance_path) / "mail"


@bp.route("/dev/mail")
def dev_mail() -> str:
    """Mail caught by the local catcher, newest first. Exists only in debug mode."""
    if not current_app.debug:
        abort(404)
    folder = _mail_folder()
    files = sorted(folder.glob("*.eml"), reverse=True)[:50] if folder.exists() else []
    return render_template("public/dev_mail.html", files=[f.name for f in files])


@bp.route("/dev/mail/<name>")
def dev_mail_message(name: str) -> str:
    if not current_app.debug:
        abort(404)
    path = _mail_folder() / name
    if "/" in name or not name.endswith(".eml") or not path.is_file():
        abort(404)
    import email
    from email import policy

    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    text_part = message.get_body(preferencelist=("plain",))
    body = text_part.get_content() if text_part is not None else ""
    return render_template("public/dev_mail_message.html", name=name, message=message, body=body)
