"""What every console download shares: CSV lines from rows, and a file name that says which
list it is and when it was taken ("as at", UTC, to the minute)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from .. import clock


def attachment_name(stem: str, extension: str) -> str:
    """``suppression-email-2026-12-01T1530Z.csv``: safe characters only."""
    return f"{stem}-{clock.utcnow():%Y-%m-%dT%H%MZ}.{extension}"


CHUNK = 64 * 1024  # characters sent at a time: one write per row would be a packet per row


def csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    """The rows as CSV text (CRLF lines, as RFC 4180 and spreadsheets expect), in chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()
