"""The privacy notice's draft text: what the next published version will say.

The text shipped with the project is ``templates/privacy/notice_text.html``.
An operator replaces it by placing ``instance/privacy_notice.html`` (trusted HTML, shown as
written) or ``instance/privacy_notice.txt`` (plain text; blank lines separate paragraphs).
Visitors never see the draft itself: each published version keeps a copy of its text
(``versions.py``), and that copy is what ``/privacy`` and ``/privacy/<version>`` show, so
editing a file changes nothing until it is published with ``flask notice publish``.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from markupsafe import Markup, escape

from ..links import external_url

HTML_SUFFIXES = (".html", ".htm")


def notice_text() -> Markup:
    """The draft: the operator's file in ``instance/`` if present, else our own."""
    folder = Path(current_app.instance_path)
    for name in ("privacy_notice.html", "privacy_notice.txt"):
        if (folder / name).is_file():
            return text_from_file(folder / name)
    # Rendered without the request (its links point at BASE_URL): the same text whoever
    # publishes it, from a page, the command line or the first ledger event.
    template = current_app.jinja_env.get_template("privacy/notice_text.html")
    return Markup(template.render(  # noqa: S704 - our own template, autoescaped
        company_name=current_app.config["COMPANY_NAME"], config=current_app.config,
        url_for=external_url))


def text_from_file(path: Path) -> Markup:
    """A notice file as HTML: ``.html``/``.htm`` files are trusted HTML, kept as written;
    anything else is plain text, escaped, with blank lines separating paragraphs."""
    content = path.read_text(encoding="utf-8")
    if path.suffix.lower() in HTML_SUFFIXES:
        return Markup(content)  # noqa: S704 - the operator's own file
    paragraphs = [p.strip() for p in content.replace("\r\n", "\n").split("\n\n")]
    return Markup("\n").join(Markup("<p>%s</p>") % escape(p) for p in paragraphs if p)
