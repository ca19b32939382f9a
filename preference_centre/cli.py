"""Command-line groups; each command is thin and calls a service (see the feature packages)."""

from __future__ import annotations

from flask import Flask

from .api.cli import api_key_cli
from .contacts.cli import contacts_cli
from .demo import demo_cli
from .key_rotation import keys_cli
from .messaging.cli import campaign_cli, outbox_cli
from .privacy.cli import notice_cli
from .retention.cli import retention_cli
from .staff.cli import staff_cli
from .suppression.cli import suppression_cli

COMMAND_GROUPS = (demo_cli, api_key_cli, staff_cli, suppression_cli, outbox_cli, campaign_cli,
                  notice_cli, retention_cli, keys_cli, contacts_cli)


def register_commands(app: Flask) -> None:
    """Every ``flask --app app …`` command group of CONTRACT.md and the features."""
    for group in COMMAND_GROUPS:
        app.cli.add_command(group)
