"""Re-encrypting stored personal fields under the newest key of DATA_ENCRYPTION_KEYS.

After a new key is put first in DATA_ENCRYPTION_KEYS, old values still decrypt with the
older keys; ``flask --app app keys rotate-data`` rewrites every encrypted value under the new
key so the old key can then be removed. The columns are found in the models' metadata (every
column of type ``EncryptedText``), so a newly encrypted column is covered without being
listed here. Each batch is its own transaction: a stopped run keeps what it did, and a run
again skips values already under the newest key. A row changed by the site while a batch
runs is left as the site wrote it (the site writes under the newest key already).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import click
from cryptography.fernet import InvalidToken
from flask.cli import AppGroup
from sqlalchemy import Column, Table, Text, select, true, type_coerce, update

from .crypto import field_crypto
from .extensions import db
from .models.types import EncryptedText

# Short write transactions, as for the retention run: SQLite has one writer at a time.
DEFAULT_BATCH_SIZE = 400

keys_cli = AppGroup("keys", help="Maintain the encryption keys of stored personal data.")


class UnreadableValue(Exception):
    """A stored value that no key of DATA_ENCRYPTION_KEYS decrypts."""


@dataclass
class BatchResult:
    last_key: Any = None  # primary key of the batch's last row; None: the table is done
    rotated: int = 0  # values rewritten under the newest key
    current: int = 0  # values already under it


def encrypted_columns() -> dict[Table, list[Column]]:
    """Every table with encrypted columns, with those columns, from the models' metadata."""
    found: dict[Table, list[Column]] = {}
    for table in db.metadata.sorted_tables:
        columns = [column for column in table.columns if isinstance(column.type, EncryptedText)]
        if columns:
            found[table] = columns
    return found


def rotate_batch(table: Table, columns: list[Column], after: Any, size: int) -> BatchResult:
    """Re-encrypt the encrypted ``columns`` of up to ``size`` rows of ``table`` whose primary
    key follows ``after`` (None: from the first row). Does not commit."""
    (key,) = table.primary_key.columns
    # Text, not EncryptedText: read and write the stored tokens, never the plain values.
    stored = [type_coerce(column, Text()) for column in columns]
    query = select(key, *stored).where(true() if after is None else key > after)
    rows = db.session.execute(query.order_by(key).limit(size)).all()
    result = BatchResult(last_key=rows[-1][0] if rows else None)
    crypto = field_crypto()
    for row in rows:
        changes: dict[str, Any] = {}
        for column, token in zip(columns, row[1:], strict=True):
            if token is None:
                continue
            if crypto.is_newest(token):
                result.current += 1
                continue
            try:
                changes[column.name] = token, crypto.rotate(token)
            except InvalidToken:
                raise UnreadableValue(f"{table.name}.{column.name} of row {row[0]}") from None
        if not changes:
            continue
        unchanged = [type_coerce(table.c[name], Text()) == old
                     for name, (old, _new) in changes.items()]
        done = db.session.execute(
            update(table).where(key == row[0], *unchanged)
            .values({name: type_coerce(new, Text()) for name, (_old, new) in changes.items()}))
        if done.rowcount:
            result.rotated += len(changes)
    return result


@keys_cli.command("rotate-data")
@click.option("--batch", "batch_size", type=click.IntRange(min=1), default=DEFAULT_BATCH_SIZE,
              show_default=True, help="Rows per transaction.")
def rotate_data_command(batch_size: int) -> None:
    """Re-encrypt every encrypted field under the newest key. Prints counts only."""
    rotated = current = 0
    for table, columns in encrypted_columns().items():
        table_rotated = table_current = 0
        after = None
        while True:
            try:
                result = rotate_batch(table, columns, after, batch_size)
            except UnreadableValue as exc:
                db.session.rollback()
                raise click.ClickException(
                    f"{exc} cannot be decrypted with any key of DATA_ENCRYPTION_KEYS; "
                    "the batches before it are done") from None
            db.session.commit()
            table_rotated += result.rotated
            table_current += result.current
            if result.last_key is None:
                break
            after = result.last_key
        click.echo(f"{table.name}: {table_rotated} re-encrypted, "
                   f"{table_current} already under the newest key")
        rotated += table_rotated
        current += table_current
    click.echo(f"total: {rotated} re-encrypted, {current} already under the newest key")
