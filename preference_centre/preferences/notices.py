"""The privacy notice page's text, the "I have read it" action, and ``flask notice``.

The text shipped with the project is ``templates/preferences/privacy_notice_text.html``.
An operator replaces it by placing ``instance/privacy_notice.html`` (trusted HTML, shown as
written) or ``instance/privacy_notice.txt`` (plain text; blank lines separate paragraphs).
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app, render_template
from flask.cli import AppGroup
from markupsafe import Markup, escape

from ..consent.notices import NoticeError, ensure_current_notice, publish_notice
from ..extensions import db
from ..models import Person

notice_cli = AppGroup("notice", help="Privacy notice versions.")


def notice_text() -> Markup:
    """The notice body: the operator's file in ``instance/`` if present, else our own."""
    folder = Path(current_app.instance_path)
    html_file, text_file = folder / "privacy_notice.html", folder / "privacy_notice.txt"
    if html_file.is_file():
        return Markup(html_file.read_text(encoding="utf-8"))  # noqa: S704 - operator's own file
    if text_file.is_file():
        paragraphs = [p.strip() for p in text_file.read_text(encoding="utf-8").split("\n\n")]
        return Markup("\n").join(Markup("<p>%s</p>") % escape(p) for p in paragraphs if p)
    return Markup(render_template("preferences/privacy_notice_text.html"))  # noqa: S704


def mark_notice_seen(person: Person) -> str:
    """Record that the person has read the notice in force; returns its version."""
    version = ensure_current_notice().version
    person.notice_version_seen = version
    return version


@notice_cli.command("publish")
@click.option("--version", "version", required=True, help="The new version's name, e.g. 2.")
@click.option("--material", is_flag=True, help="A material change: people see a banner.")
@click.option("--summary", required=True, help="One line: what changed.")
def publish_command(version: str, material: bool, summary: str) -> None:
    """Publish a new privacy notice version, in force from now."""
    try:
        row = publish_notice(version, material=material, summary=summary)
    except NoticeError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    kind = "material" if row.material else "minor"
    click.echo(f"Published privacy notice version {row.version} ({kind}).")
