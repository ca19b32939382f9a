"""``flask retention run``: erase everyone past the retention period. Prints counts only."""

from __future__ import annotations

from dataclasses import asdict

import click
from flask.cli import AppGroup

from .. import clock
from .rules import count_due
from .run import run_retention

retention_cli = AppGroup("retention", help="Erase data past its retention period.")


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Count what would happen; change nothing.")
@click.option("--batch", type=click.IntRange(1, 10000), default=None,
              help="People per transaction (default RETENTION_BATCH_SIZE).")
def run_command(dry_run: bool, batch: int | None) -> None:
    """Erase everyone past the retention period and send due reminders. Prints counts only."""
    now = clock.utcnow()
    summary = count_due(now) if dry_run else run_retention(now, batch_size=batch)
    prefix = "would be " if dry_run else ""
    labels = {"erased": "erased (past retention)", "warned": "sent a reminder",
              "warnings_reset": "reminders reset by new activity",
              "unverified_purged": "unverified accounts purged",
              "signups_purged": "unconfirmed sign-ups purged",
              "links_lapsed": "closed: requests whose emailed link went unused",
              "held_restricted": "held: past retention but processing restricted"}
    for key, value in asdict(summary).items():
        if dry_run and key == "warnings_reset":
            continue
        label = labels[key]
        if dry_run and not key.startswith("held"):
            label = prefix + label
        click.echo(f"{value:>8}  {label}")
