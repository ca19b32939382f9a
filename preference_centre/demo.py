"""``flask demo seed``: realistic demo customers so every page has something to show."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from .demo_data import seed_demo
from .extensions import db

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("seed")
@click.option("--customers", default=5, show_default=True, type=click.IntRange(1, 100000))
def seed_command(customers: int) -> None:
    """Load demo customers, orders, communications and consent history (idempotent)."""
    summary = seed_demo(customers)
    db.session.commit()
    for line in summary:
        click.echo(line)
