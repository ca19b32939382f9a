"""``flask notice publish``: a new privacy notice version."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from .versions import NoticeError, publish_notice

notice_cli = AppGroup("notice", help="Privacy notice versions.")


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
