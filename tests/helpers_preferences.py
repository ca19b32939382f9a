"""Helpers for the preference tests: read form controls out of rendered HTML."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


class ControlParser(HTMLParser):
    """Collects every <input> (as a dict of attributes) and every <label for=...>."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, Any]] = []
        self.label_for: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input":
            self.inputs.append(found)
        elif tag == "label" and found.get("for"):
            self.label_for.add(str(found["for"]))


def controls(html: str) -> ControlParser:
    parser = ControlParser()
    parser.feed(html)
    return parser


def checkboxes(html: str, name: str) -> dict[str, bool]:
    """value -> ticked, for the checkboxes named ``name``."""
    return {i["value"]: "checked" in i for i in controls(html).inputs
            if i.get("type") == "checkbox" and i.get("name") == name}
