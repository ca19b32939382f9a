"""Command-line groups; each command is thin and calls a service (see the feature packages)."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    from .demo import demo_cli

    app.cli.add_command(demo_cli)
    for module_name, attribute in COMMAND_GROUPS:
        module = __import__(f"preference_centre.{module_name}", fromlist=[attribute])
        app.cli.add_command(getattr(module, attribute))


# (module, click group) pairs, registered when the module exists: features add their line.
COMMAND_GROUPS: list[tuple[str, str]] = [
    ("api.cli", "api_key_cli"),
    ("staff.cli", "staff_cli"),
    ("suppression", "suppression_cli"),
    ("messaging.cli", "outbox_cli"),
    ("messaging.cli", "campaign_cli"),
    ("preferences.notices", "notice_cli"),
    ("retention", "retention_cli"),
]
