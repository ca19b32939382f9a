"""Reading a contacts file: UTF-8 CSV with a header row, streamed one record at a time.

The file is read twice. The first pass checks the whole file (text encoding, CSV quoting,
the header), so a file that is not CSV fails before a single row is written; the second
pass yields the records. Neither pass holds more than one record, so a file of any length
takes the same memory. Reasons never quote a value: a value may be someone's address.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..api.schemas import EVIDENCE_FIELDS

DETAIL_COLUMNS = ("name", "phone", "address")
FIXED_COLUMNS = ("email", *DETAIL_COLUMNS, "email_verified", *EVIDENCE_FIELDS)
SHOWN_NAME_MAX = 40  # an unknown column's name is quoted at most this long


class BadFile(ValueError):
    """The file as a whole cannot be imported; the message is one line saying why."""


@dataclass(frozen=True)
class Record:
    """One data row: the line it starts on, and its values by (lower-case) column name, or
    ``problem`` when its shape is wrong (the values are then empty)."""

    line: int
    values: dict[str, str]
    problem: str | None = None


class ContactFile:
    """A checked contacts file; ``records()`` reads it again from the start."""

    def __init__(self, path: Path, columns: tuple[str, ...]) -> None:
        self.path = path
        self.columns = columns

    def records(self) -> Iterator[Record]:
        with _open(self.path) as handle:
            reader = csv.reader(handle, strict=True)
            next(reader)  # the header, checked by open_contacts
            end = reader.line_num
            for values in reader:
                line, end = end + 1, reader.line_num
                if not any(value.strip() for value in values):
                    continue  # a blank line separates nothing and is no one
                if len(values) != len(self.columns):
                    yield Record(line, {}, f"has {len(values)} values where the header names "
                                           f"{len(self.columns)} columns")
                else:
                    yield Record(line, dict(zip(self.columns, values, strict=True)))


def open_contacts(path: Path, purpose_keys: Iterable[str]) -> ContactFile:
    """Check the file at ``path`` whole, in one pass: its header must name ``email`` and only
    known columns (``FIXED_COLUMNS`` and the purpose keys, in any case), and every line after
    it must read as CSV. Raises ``BadFile`` with a one-line reason."""
    with _open(path) as handle:
        reader = csv.reader(handle, strict=True)
        try:
            columns = _columns(path, next(reader, None), set(purpose_keys))
            for _values in reader:
                pass
        except csv.Error as exc:
            raise BadFile(f"{path.name} is not a readable CSV file "
                          f"(line {reader.line_num}: {exc}); nothing was imported.") from exc
        except UnicodeDecodeError as exc:
            raise BadFile(_NOT_UTF8.format(name=path.name)) from exc
    return ContactFile(path, columns)


_NOT_UTF8 = ("{name} is not UTF-8 text: save it as \"CSV UTF-8\" (comma separated); nothing "
             "was imported.")


def _open(path: Path) -> IO[str]:
    try:
        binary = path.open("rb")
    except OSError as exc:
        raise BadFile(f"cannot read {path}: {exc.strerror or exc}.") from exc
    # utf-8-sig: a spreadsheet's "CSV UTF-8" starts with a byte-order mark.
    return io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")


def _columns(path: Path, first: list[str] | None, purpose_keys: set[str]) -> tuple[str, ...]:
    """The columns the header row ``first`` names, or ``BadFile`` saying what is wrong."""
    if not first or not any(cell.strip() for cell in first):
        raise BadFile(f"{path.name} is empty: its first line must name the columns, "
                      "e.g. email,name,email:offers.")
    columns = tuple(cell.strip().lower() for cell in first)
    if "email" not in columns:
        # Not quoted: without an email column the first line may well be a person's data.
        hint = " (it seems to use ';': separate columns with commas)" if (
            len(columns) == 1 and ";" in columns[0]) else ""
        raise BadFile(f"the first line of {path.name} must name the columns and include "
                      f"email{hint}; nothing was imported.")
    if "" in columns:
        raise BadFile(f"column {columns.index('') + 1} of the header has no name; nothing "
                      "was imported.")
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        raise BadFile(f"the header names {_quoted(repeated)} more than once; nothing was "
                      "imported.")
    unknown = [name for name in columns if name not in FIXED_COLUMNS and name not in purpose_keys]
    if unknown:
        raise BadFile(f"unknown column{'s' if len(unknown) > 1 else ''} {_quoted(unknown)}: "
                      f"use {', '.join(FIXED_COLUMNS)} or purpose keys such as email:offers; "
                      "nothing was imported.")
    return columns


def _quoted(names: list[str]) -> str:
    return ", ".join(f'"{name[:SHOWN_NAME_MAX]}"' for name in names)
