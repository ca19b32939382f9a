"""The export: a versioned JSON document, or a zip of that JSON, one CSV per table and a
README, streamed as it is produced so memory stays flat however much a person has.

Schema (version 1, documented at ``/account/data/export/schema``)::

    {"schema": "<BASE_URL>/account/data/export/schema#v1", "version": 1,
     "generated_at": ISO 8601 UTC, "controller": company name,
     "categories": {<category key>: {"title", "source", "purpose", "legal_basis",
                                     "retention", "records": {<table key>: [{field: value}]}}}}
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

from flask import current_app

from .. import clock, links
from .link_removal import MARKER
from .reading import iter_chunks
from .registry import CATEGORIES, Category, Source

SCHEMA_VERSION = 1
FLUSH_BYTES = 64 * 1024
SPOOL_BYTES = 1024 * 1024
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _category_header(cat: Category) -> dict[str, str]:
    return {"title": cat.title, "source": cat.source, "purpose": cat.purpose,
            "legal_basis": cat.legal_basis, "retention": cat.retention}


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot export {type(value).__name__}")


OnChunk = Callable[[Category, Source, list[list[Any]]], None]


def iter_json(person_id: int, on_chunk: OnChunk | None = None) -> Iterator[str]:
    """The JSON document in pieces; concatenated, it parses as one object. ``on_chunk`` sees
    every chunk of rows on the way (the zip writes its CSV files from the same pass)."""
    head = {"schema": links.export_schema_url(), "version": SCHEMA_VERSION,
            "generated_at": clock.utcnow().isoformat(),
            "controller": current_app.config["COMPANY_NAME"]}
    yield json.dumps(head)[:-1] + ', "categories": {'
    for c_index, cat in enumerate(CATEGORIES):
        header = json.dumps(_category_header(cat))[:-1]
        yield ("," if c_index else "") + f"{json.dumps(cat.key)}: {header}, \"records\": {{"
        for s_index, source in enumerate(cat.sources):
            yield ("," if s_index else "") + f"{json.dumps(source.key)}: ["
            keys = [f.key for f in source.fields]
            for n, chunk in enumerate(iter_chunks(source, person_id)):
                if on_chunk is not None:
                    on_chunk(cat, source, chunk)
                records = [dict(zip(keys, row)) for row in chunk]  # noqa: B905 - same length
                text = json.dumps(records, default=_json_default, ensure_ascii=False)
                yield ("," if n else "") + text[1:-1]
            yield "]"
        yield "}}"
    yield "}}"


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula is prefixed with ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv_rows(writer: Any, chunk: list[list[Any]]) -> None:
    # ``neutralise`` inlined: this runs for every cell of every row.
    writer.writerows([["'" + v if v.__class__ is str and v.startswith(FORMULA_STARTS) else v
                       for v in row] for row in chunk])


def csv_name(cat: Category, source: Source) -> str:
    return f"{cat.key}-{source.key}.csv" if len(cat.sources) > 1 else f"{cat.key}.csv"


def readme_text() -> str:
    lines = [
        f"Your data from {current_app.config['COMPANY_NAME']}",
        f"Generated {clock.utcnow().isoformat()}", "",
        "data.json  everything, in one machine-readable file (schema version "
        f"{SCHEMA_VERSION}: {links.export_schema_url()})",
        "*.csv      the same records, one file per kind, for spreadsheets. Text that starts",
        "           with = + - or @ is prefixed with ' so a spreadsheet shows it, not runs it.",
        "", "Files:",
    ]
    for cat in CATEGORIES:
        for source in cat.sources:
            lines.append(f"  {csv_name(cat, source):<40} {cat.title}: {source.title}")
    lines += ["", "Dates and times are UTC (ISO 8601). Amounts are in pence.",
              f"Links in the messages we sent you read {MARKER}: each was a key to your",
              "account or your choices, and this file may be passed on."]
    return "\n".join(lines) + "\n"


class _Pipe(io.RawIOBase):
    """A write-only, unseekable sink: zipfile then writes data descriptors, so each entry
    can be streamed out without going back to patch its header."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


def iter_zip(person_id: int) -> Iterator[bytes]:
    """README, data.json, then one CSV per record set. The data is read once: while the
    JSON streams out, each record set's CSV goes to a spooled temporary file (memory up to
    SPOOL_BYTES each, then a private temporary file, deleted when done)."""
    pipe = _Pipe()
    with contextlib.ExitStack() as stack:
        spools: dict[str, Any] = {}
        writers: dict[str, Any] = {}
        for cat in CATEGORIES:
            for source in cat.sources:
                name = csv_name(cat, source)
                spools[name] = stack.enter_context(tempfile.SpooledTemporaryFile(
                    SPOOL_BYTES, "w+", newline="", encoding="utf-8"))
                writers[name] = csv.writer(spools[name])
                writers[name].writerow([f.label for f in source.fields])

        def to_csv(cat: Category, source: Source, chunk: list[list[Any]]) -> None:
            write_csv_rows(writers[csv_name(cat, source)], chunk)

        with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("README.txt", readme_text())
            with archive.open("data.json", "w", force_zip64=True) as entry:
                for piece in iter_json(person_id, on_chunk=to_csv):
                    entry.write(piece.encode("utf-8"))
                    if len(pipe.chunks) > 8:
                        yield pipe.drain()
            for name, spool in spools.items():
                spool.seek(0)
                with archive.open(name, "w", force_zip64=True) as entry:
                    while block := spool.read(FLUSH_BYTES):
                        entry.write(block.encode("utf-8"))
                        yield pipe.drain()
        yield pipe.drain()


def export_filename(fmt: str) -> str:
    stamp = clock.utcnow().strftime("%Y-%m-%d")
    return f"my-data-{stamp}.{'zip' if fmt == 'zip' else 'json'}"
