"""``flask contacts import``: people from a list, under the same consent rules as the API."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..api.schemas import CONTROL_CHARACTERS
from ..extensions import db
from .csvfile import BadFile, open_contacts
from .importer import (
    DEFAULT_BATCH_SIZE,
    SOURCE_MAX,
    SQLITE_BATCH_SIZE,
    ImportInterrupted,
    ImportResult,
    import_contacts,
)
from .rows import importable_purposes, parse_records

contacts_cli = AppGroup("contacts", help="People imported from lists.")


@contacts_cli.command("import")
@click.argument("file", metavar="FILE.csv")
@click.option("--source", metavar="NAME",
              help="Where the list came from, e.g. \"Spring fair sign-up sheets\". Recorded "
                   "with every change and shown to each person as the source of their data; "
                   "also the collection point of rows that give evidence without one. "
                   "Default: the file's name (then never a collection point).")
@click.option("--dry-run", is_flag=True, help="Check every row and count; write nothing.")
@click.option("--batch", type=click.IntRange(1, 10000), default=None, metavar="N",
              help=f"Rows per transaction (default {DEFAULT_BATCH_SIZE}; {SQLITE_BATCH_SIZE} on "
                   "SQLite, where a transaction holds the whole database's write lock).")
def import_command(file: str, source: str | None, dry_run: bool, batch: int | None) -> None:
    """Import people from FILE.csv (UTF-8, comma separated, a header row) and print
    "created N, updated M, skipped K" with the line and reason of each skip.

    \b
    Columns (names in any case; any other column fails the whole file):
      email                  required; finds the person, or creates them
      name, phone, address   changed when given and different; blank: no change
      email_verified         yes if the earlier system confirmed the address (a new
                             person is then active; otherwise they wait for confirmation)
      <purpose key>          e.g. email:offers, sms:updates, post:offers:
                             yes/no, true/false, 1/0; blank: no change
      captured_at            when the person made these choices (ISO 8601, not future)
      collection_point       where (a form, a stand, a call script)
      notice_version         the privacy notice version they were shown ...
      wording                ... or the words they agreed to

    \b
    A "yes" counts only with its evidence (captured_at, collection_point, and
    notice_version or wording), captured after the person's own latest refusal; never for
    an erased address or a number that replied STOP. A refused row is skipped and writes
    nothing but its "no"s: withdrawals always count. Erased addresses are not imported.
    Reasons name line numbers, never addresses. Exit status 0 once the file was read,
    skips or not; non-zero, with nothing written, when the file cannot be read as a whole.
    """
    name = _source_name(source, file)
    purposes = importable_purposes(current_app.config)
    try:
        contact_file = open_contacts(Path(file), purposes)
    except BadFile as exc:
        raise click.ClickException(str(exc)) from exc
    # Only a name the operator gave stands for where choices were collected.
    rows = parse_records(contact_file.records(), purposes,
                         default_collection_point=name if source is not None else None)
    try:
        result = import_contacts(rows, source=name, dry_run=dry_run, batch_size=batch)
    except ImportInterrupted as exc:
        db.session.rollback()
        saved = exc.saved
        raise click.ClickException(
            f"stopped at line {exc.line}: the database failed. Saved before it: created "
            f"{saved.created}, updated {saved.updated}, skipped {saved.skipped}; run the "
            "import again to finish (rows already imported come out unchanged).") from exc
    _report(result, dry_run)


def _source_name(source: str | None, file: str) -> str:
    name = (source if source is not None else Path(file).name).strip()
    if not name or len(name) > SOURCE_MAX or CONTROL_CHARACTERS.search(name) or "\n" in name:
        raise click.ClickException(
            f"--source must be one line of 1 to {SOURCE_MAX} characters.")
    return name


def _report(result: ImportResult, dry_run: bool) -> None:
    click.echo(f"created {result.created}, updated {result.updated}, "
               f"skipped {result.skipped}")
    if result.unchanged:
        click.echo(f"unchanged {result.unchanged} (already as the file says)")
    for skip in result.skips:
        click.echo(f"line {skip.line}: {skip.reason}")
    unlisted = result.skipped - len(result.skips)
    if unlisted:
        click.echo(f"... and {unlisted} more skipped lines, not listed: fix these and run "
                   "the import again.")
    if dry_run:
        click.echo("dry run: nothing was written.")
