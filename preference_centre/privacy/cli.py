"""``flask notice publish``: a new privacy notice version."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from ..extensions import db
from .text import text_from_file
from .versions import NoticeError, publish_notice

notice_cli = AppGroup("notice", help="Privacy notice versions.")


@notice_cli.command("publish")
@click.option("--version", "version", required=True, help="The new version's name, e.g. 2.")
@click.option("--material", is_flag=True, help="A material change: people see a banner.")
@click.option("--summary", required=True, help="One line: what changed.")
@click.option("--file", "text_file", type=click.Path(dir_okay=False, path_type=Path),
              help="The notice text: a .html/.htm file is HTML kept as written, any other "
                   "file plain text (blank lines separate paragraphs). Default: the text "
                   "in instance/privacy_notice.html or .txt, else the shipped text.")
def publish_command(version: str, material: bool, summary: str, text_file: Path | None) -> None:
    """Publish a new privacy notice version, in force from now; its text is kept for good
    and stays readable at /privacy/<version>."""
    try:
        text = text_from_file(text_file) if text_file is not None else None
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"cannot read {text_file}: {exc}") from exc
    try:
        row = publish_notice(version, material=material, summary=summary, text=text)
    except NoticeError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    kind = "material" if row.material else "minor"
    click.echo(f"Published privacy notice version {row.version} ({kind}).")
