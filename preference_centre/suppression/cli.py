"""``flask suppression export``: the opt-out list as CSV, to standard output or a file."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from ..consent.catalogue import MARKETING_CHANNELS
from .csv_writer import MissingFolder, write_csv, write_file
from .queries import UnknownChannel, check_channel, export_entries

suppression_cli = AppGroup("suppression", help="The opt-out (suppression) list.")


@suppression_cli.command("export")
@click.option("--channel", help=f"One of {', '.join(MARKETING_CHANNELS)} (default: all).")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of standard output.")
def export_command(channel: str | None, out: str | None) -> None:
    """Write the opt-out list as CSV: email (or email_hash / phone_hash for erased people and
    STOP replies), channel, reason, since."""
    try:
        channels = [check_channel(channel)] if channel is not None else list(MARKETING_CHANNELS)
    except UnknownChannel as exc:
        raise click.ClickException(str(exc)) from exc
    if out is None:
        count = write_csv(export_entries(channels), sys.stdout)
    else:
        try:
            count = write_file(out, export_entries(channels))
        except MissingFolder as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Wrote {count} rows to {out}.", err=True)
