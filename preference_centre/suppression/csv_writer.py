"""Writing the suppression list as CSV: to any text stream, or to a file replaced whole."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable
from typing import IO

from ..data_rights.export import neutralise
from .queries import Entry

CSV_COLUMNS = ("email", "email_hash", "phone_hash", "channel", "reason", "since")


class MissingFolder(ValueError):
    """The file is to be written in a folder that does not exist."""


def write_csv(entries: Iterable[Entry], handle: IO[str]) -> int:
    """Write the entries as CSV rows, one at a time; returns how many."""
    writer = csv.writer(handle)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for entry in entries:
        # Only the address is someone's own text; hashes, labels and times are ours, and
        # none of them can start like a formula.
        writer.writerow((neutralise(entry.email or ""), entry.email_hash or "",
                         entry.phone_hash or "", entry.channel, entry.reason,
                         entry.since.isoformat()))
        count += 1
    return count


def write_file(path: str, entries: Iterable[Entry]) -> int:
    """Write to a temporary file beside ``path`` and rename it into place, so a failed
    export never leaves a half-written list where a reader expects a whole one."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise MissingFolder(f"The folder {folder} does not exist.")
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".suppression-", suffix=".csv")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
            count = write_csv(entries, handle)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return count
