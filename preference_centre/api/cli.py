"""``flask api-key create|revoke|list``: keys for the systems that call the API."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from .auth import ApiKeyError, create_api_key, list_api_keys, revoke_api_key

api_key_cli = AppGroup("api-key", help="API keys for other company systems.")


@api_key_cli.command("create")
@click.argument("name")
def create_command(name: str) -> None:
    """Create a key for the system NAME and print it. It is shown this once only."""
    try:
        key, raw = create_api_key(name)
    except ApiKeyError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(raw)
    click.echo(f"Created API key {key.key_prefix} for {key.name}. Store it now: it is not "
               "shown again.", err=True)


@api_key_cli.command("revoke")
@click.argument("prefix")
def revoke_command(prefix: str) -> None:
    """Revoke the key whose first characters are PREFIX (as printed by create and list)."""
    try:
        key = revoke_api_key(prefix)
    except ApiKeyError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Revoked API key {key.key_prefix} ({key.name}).")


@api_key_cli.command("list")
def list_command() -> None:
    """List keys: prefix, name, created, last used, revoked. Never the keys themselves."""
    keys = list_api_keys()
    if not keys:
        click.echo("No API keys. Create one with: flask api-key create NAME")
    for key in keys:
        used = key.last_used_at.isoformat(timespec="minutes") if key.last_used_at else "never"
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "live"
        click.echo(f"{key.key_prefix}  {key.name}  created {key.created_at:%Y-%m-%d}  "
                   f"used {used}  {state}")
