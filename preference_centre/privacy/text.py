"""The privacy notice page's text and the "I have read it" action.

The text shipped with the project is ``templates/privacy/notice_text.html``.
An operator replaces it by placing ``instance/privacy_notice.html`` (trusted HTML, shown as
written) or ``instance/privacy_notice.txt`` (plain text; blank lines separate paragraphs).
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template
from markupsafe import Markup, escape

from ..models import Person
from .versions import ensure_current_notice


def notice_text() -> Markup:
    """The notice body: the operator's file in ``instance/`` if present, else our own."""
    folder = Path(current_app.instance_path)
    html_file, text_file = folder / "privacy_notice.html", folder / "privacy_notice.txt"
    if html_file.is_file():
        return Markup(html_file.read_text(encoding="utf-8"))  # noqa: S704 - operator's own file
    if text_file.is_file():
        paragraphs = [p.strip() for p in text_file.read_text(encoding="utf-8").split("\n\n")]
        return Markup("\n").join(Markup("<p>%s</p>") % escape(p) for p in paragraphs if p)
    return Markup(render_template("privacy/notice_text.html"))  # noqa: S704


def mark_notice_seen(person: Person) -> str:
    """Record that the person has read the notice in force; returns its version."""
    version = ensure_current_notice().version
    person.notice_version_seen = version
    return version
