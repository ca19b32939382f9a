"""``flask outbox send|status|requeue`` and ``flask campaign send``: thin commands over the
services."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from ..extensions import db
from . import undelivered
from .campaigns import CampaignError, queue_campaign
from .outbox import OUTCOMES, deliver_due

outbox_cli = click.Group("outbox", help="Deliver queued messages; see and retry undelivered ones.")
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
    with _stop_requests() as stop:
        while not stop.requested:
            counts = deliver_due(batch)
            for key, value in counts.items():
                totals[key] += value
            db.session.remove()
            if not any(counts.values()):
                if once:
                    break
                time.sleep(POLL_SECONDS)  # so a stop takes effect within a second
    click.echo(", ".join(f"{key} {value}" for key, value in totals.items()))


class _StopRequest:
    requested = False


@contextmanager
def _stop_requests() -> Iterator[_StopRequest]:
    """SIGTERM (a service manager) and SIGINT (Ctrl-C) let the batch in hand finish and be
    recorded before the worker stops, so nothing is left claimed for another worker to send
    again later. The handler only sets a flag: taking a lock in it could deadlock."""
    stop = _StopRequest()
    if threading.current_thread() is not threading.main_thread():  # signals reach only it
        yield stop
        return

    def request_stop(signum: int, frame: object) -> None:
        stop.requested = True

    previous = {number: signal.signal(number, request_stop)
                for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@outbox_cli.command("status")
@click.option("--limit", type=click.IntRange(0, 10_000), default=20, show_default=True,
              help="How many failed or dead messages to list, newest first.")
def outbox_status(limit: int) -> None:
    """Messages per status, then the failed and dead ones (no addresses or content)."""
    click.echo(", ".join(f"{status} {count}" for status, count in undelivered.counts().items()))
    for message in undelivered.undelivered(limit):
        source = f"campaign {message.campaign_id}" if message.campaign_id else message.kind
        tries = f"{message.attempts} attempt" + ("" if message.attempts == 1 else "s")
        click.echo(f"#{message.id} {message.status} {message.channel} {message.purpose} "
                   f"({source}), {tries}, queued "
                   f"{message.created_at:%Y-%m-%d %H:%M} UTC: {message.last_error or '-'}")


@outbox_cli.command("requeue")
@click.argument("ids", nargs=-1, type=click.IntRange(1))
@click.option("--dead", is_flag=True, help="Every dead message.")
@click.option("--failed", is_flag=True, help="Every failed message.")
@click.option("--kind", default=None, help="Only messages of this kind (as `status` lists it).")
def outbox_requeue(ids: tuple[int, ...], dead: bool, failed: bool, kind: str | None) -> None:
    """Send failed or dead messages again (by id, or all of a status), once the cause is
    fixed. Consent is checked again when each one leaves."""
    statuses = [name for name, chosen in (("dead", dead), ("failed", failed)) if chosen]
    if not ids and not statuses:
        raise click.UsageError("name message ids, or --dead or --failed")
    count = undelivered.requeue(ids, statuses, kind)
    db.session.commit()
    click.echo(f"requeued {count}")


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
