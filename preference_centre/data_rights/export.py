"""The export: a versioned JSON document, or a zip of that JSON, one CSV per table and a
README, streamed as it is produced so memory stays flat however much a person has.

Schema (version 1, documented at ``/account/data/export/schema``)::

    {"schema": "<BASE_URL>/account/data/export/schema#v1", "version": 1,
     "generated_at": ISO 8601 UTC, "controller": company name,
     "categories": {<category key>: {"title", "source", "purpose", "legal_basis",
                                     "retention", "records": {<table key>: [{field: value}]}}}}
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

from flask import current_app

from .. import clock
from .reading import iter_rows, json_value
from .registry import CATEGORIES, Category, Source

SCHEMA_VERSION = 1
FLUSH_BYTES = 64 * 1024
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def schema_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/") + "/account/data/export/schema#v1"


def _category_header(cat: Category) -> dict[str, str]:
    return {"title": cat.title, "source": cat.source, "purpose": cat.purpose,
            "legal_basis": cat.legal_basis, "retention": cat.retention}


def iter_json(person_id: int) -> Iterator[str]:
    """The JSON document in pieces; concatenated, it parses as one object."""
    head = {"schema": schema_url(), "version": SCHEMA_VERSION,
            "generated_at": clock.utcnow().isoformat(),
            "controller": current_app.config["COMPANY_NAME"]}
    yield json.dumps(head)[:-1] + ', "categories": {'
    for c_index, cat in enumerate(CATEGORIES):
        header = json.dumps(_category_header(cat))[:-1]
        yield ("," if c_index else "") + f"{json.dumps(cat.key)}: {header}, \"records\": {{"
        for s_index, source in enumerate(cat.sources):
            yield ("," if s_index else "") + f"{json.dumps(source.key)}: ["
            buffer: list[str] = []
            size = 0
            for r_index, row in enumerate(iter_rows(source, person_id)):
                piece = ("," if r_index else "") + json.dumps(
                    {key: json_value(value) for key, value in row.items()}, ensure_ascii=False
                )
                buffer.append(piece)
                size += len(piece)
                if size >= FLUSH_BYTES:
                    yield "".join(buffer)
                    buffer, size = [], 0
            yield "".join(buffer) + "]"
        yield "}}"
    yield "}}"


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula is prefixed with ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def iter_csv(source: Source, person_id: int) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f.label for f in source.fields])
    for row in iter_rows(source, person_id):
        writer.writerow([neutralise(json_value(row[f.key])) for f in source.fields])
        if out.tell() >= FLUSH_BYTES:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def csv_name(cat: Category, source: Source) -> str:
    return f"{cat.key}-{source.key}.csv" if len(cat.sources) > 1 else f"{cat.key}.csv"


def readme_text() -> str:
    lines = [
        f"Your data from {current_app.config['COMPANY_NAME']}",
        f"Generated {clock.utcnow().isoformat()}", "",
        "data.json  everything, in one machine-readable file (schema version "
        f"{SCHEMA_VERSION}: {schema_url()})",
        "*.csv      the same records, one file per kind, for spreadsheets. Text that starts",
        "           with = + - or @ is prefixed with ' so a spreadsheet shows it, not runs it.",
        "", "Files:",
    ]
    for cat in CATEGORIES:
        for source in cat.sources:
            lines.append(f"  {csv_name(cat, source):<40} {cat.title}: {source.title}")
    lines += ["", "Dates and times are UTC (ISO 8601). Amounts are in pence."]
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
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        entries: list[tuple[str, Any]] = [("README.txt", iter([readme_text()])),
                                          ("data.json", iter_json(person_id))]
        entries += [(csv_name(cat, source), iter_csv(source, person_id))
                    for cat in CATEGORIES for source in cat.sources]
        for name, pieces in entries:
            with archive.open(name, "w", force_zip64=True) as entry:
                for piece in pieces:
                    entry.write(piece.encode("utf-8"))
                    if len(pipe.chunks) > 8:
                        yield pipe.drain()
            yield pipe.drain()
    yield pipe.drain()


def export_filename(fmt: str) -> str:
    stamp = clock.utcnow().strftime("%Y-%m-%d")
    return f"my-data-{stamp}.{'zip' if fmt == 'zip' else 'json'}"
