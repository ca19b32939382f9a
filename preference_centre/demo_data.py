"""Demo data for ``flask demo seed`` (filled in by the data-rights work)."""

from __future__ import annotations


def seed_demo(customers: int) -> list[str]:
    return ["No demo data yet."]
