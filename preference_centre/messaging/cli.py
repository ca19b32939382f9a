"""``flask outbox send`` and ``flask campaign send``: thin commands over the services."""

from __future__ import annotations

import time
from pathlib import Path

import click

from ..extensions import db
from .campaigns import CampaignError, queue_campaign
from .outbox import OUTCOMES, deliver_due

outbox_cli = click.Group("outbox", help="Deliver queued messages.")
campaign_cli = click.Group("campaign", help="Marketing campaigns.")

POLL_SECONDS = 1.0
PROGRESS_FROM = 10_000  # show progress for runs at least this large


@outbox_cli.command("send")
@click.option("--once", is_flag=True, help="Drain what is due now, then exit.")
@click.option("--batch", type=click.IntRange(1, 10_000), default=None,
              help="Messages per batch (one SMTP connection each); default OUTBOX_BATCH_SIZE.")
@click.option("--poll", is_flag=True, help="Keep running, checking every second (the default).")
def send_outbox(once: bool, batch: int | None, poll: bool) -> None:
    """Deliver queued messages: keeps running unless --once is given. Prints counts only."""
    if once and poll:
        raise click.UsageError("choose --once or --poll, not both")
    totals = dict.fromkeys(OUTCOMES, 0)
    try:
        while True:
            counts = deliver_due(batch)
            for key, value in counts.items():
                totals[key] += value
            db.session.remove()
            if not any(counts.values()):
                if once:
                    break
                time.sleep(POLL_SECONDS)
    except KeyboardInterrupt:
        pass
    click.echo(", ".join(f"{key} {value}" for key, value in totals.items()))


@campaign_cli.command("send")
@click.option("--topic", required=True, help="Topic key, e.g. offers, updates, policy.")
@click.option("--channel", default="email", show_default=True, help="Channel, e.g. email.")
@click.option("--subject", default="", help="Subject line; {{ name }} is the person's name.")
@click.option("--body-file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Plain-text body; {{ name }} is replaced by the person's name.")
def send_campaign(topic: str, channel: str, subject: str, body_file: Path) -> None:
    """Queue one message to every person whose consent allows it right now."""
    try:
        body = body_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"cannot read the body file: {type(exc).__name__}") from None

    def progress(queued: int, expected: int) -> None:
        if expected >= PROGRESS_FROM:
            click.echo(f"  queued {queued:,} of {expected:,}", err=True)

    try:
        campaign = queue_campaign(topic, channel, subject, body, created_by="cli",
                                  progress=progress)
        db.session.commit()
    except CampaignError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"campaign {campaign.id}: queued {campaign.queued_count}, "
               f"excluded {campaign.excluded_count}")
