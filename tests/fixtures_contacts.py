"""Contacts-import fixtures: ``import_contacts(rows, *options)`` writes a CSV file and runs
``flask contacts import`` on it through the real CLI."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def contacts_csv(tmp_path: Path) -> Any:
    """``contacts_csv(rows)`` -> the path of a CSV file: ``rows`` is a list of dicts (every
    key a column, in the order first met; missing cells are blank), or the file's raw text
    or bytes."""
    counter = {"n": 0}

    def write(rows: list[dict[str, str]] | str | bytes) -> Path:
        counter["n"] += 1
        path = tmp_path / f"contacts-{counter['n']}.csv"
        if isinstance(rows, bytes):
            path.write_bytes(rows)
        elif isinstance(rows, str):
            path.write_text(rows, encoding="utf-8", newline="")
        else:
            with path.open("w", encoding="utf-8", newline="") as handle:
                columns = list(dict.fromkeys(key for row in rows for key in row))
                writer = csv.DictWriter(handle, fieldnames=columns, restval="")
                writer.writeheader()
                writer.writerows(rows)
        return path

    return write


@pytest.fixture
def import_contacts(runner: Any, contacts_csv: Any) -> Any:
    """``import_contacts(rows, "--dry-run", ...)`` -> the CLI's result (see ``contacts_csv``
    for ``rows``; a ``Path`` is imported as it is)."""
    def run(rows: Any, *options: str) -> Any:
        path = rows if isinstance(rows, Path) else contacts_csv(rows)
        return runner.invoke(args=["contacts", "import", str(path), *options])

    return run
