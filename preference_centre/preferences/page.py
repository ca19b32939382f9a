"""The preference page's per-app pieces: the layout (from the catalogue), each checkbox's
markup, and the markup of the choices around the boxes, each rendered once and then reused.

A checkbox has at most four forms (ticked or not, refused by GPC or not), so every form is
rendered once per app and catalogue by the ``control`` macro; the headings, table and
fieldsets around the boxes (``_choices.html``) are the same for everyone, so they are
rendered once per scope with a marker where each box goes. A request only reads the
person's answers, picks each box's form and joins the pieces: the page stays plain
server-side markup, and no template runs per box per request (Jinja was the largest cost of
the page).
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from markupsafe import Markup, escape

from ..consent import purposes_from_config
from .services import Control, PageLayout, Slot, page_answers, page_layout

_EXTENSION_KEY = "preference_centre.preference_page"


@dataclass
class _Choices:
    """``_choices.html`` for one scope: ``text[0]``, box of ``slots[0]``, ``text[1]``, ..."""

    text: list[str]
    slots: list[Slot]


@dataclass
class LinkFrame:
    """The whole ``/p/`` page as one visitor state sees it (no session, a given cookie
    choice), split where the token, the masked address and the choices go:
    ``parts`` is text, kind, text, kind, ..., text with kind one of ``t``, ``e``, ``c``."""

    parts: list[str]

    def fill(self, token: str, masked_email: str, choices: Markup) -> str:
        values = {"t": token, "e": str(escape(masked_email)), "c": str(choices)}
        parts = self.parts
        out = [parts[0]]
        for n in range(1, len(parts), 2):
            out.append(values[parts[n]])
            out.append(parts[n + 1])
        return "".join(out)


@dataclass
class _Cache:
    partners: str
    layouts: dict[str, PageLayout] = field(default_factory=dict)
    choices: dict[str, _Choices] = field(default_factory=dict)
    markup: dict[tuple[str, bool, bool, bool], str] = field(default_factory=dict)
    frames: dict[Hashable, LinkFrame] = field(default_factory=dict)


def _cache(app: Flask) -> _Cache:
    """This app's cache for its current SHARING_PARTNERS (a new list starts a new cache).
    With template auto-reload on (development), nothing is kept between requests."""
    partners = json.dumps(app.config.get("SHARING_PARTNERS") or [], sort_keys=True,
                          default=str)
    cache = app.extensions.get(_EXTENSION_KEY)
    if cache is None or cache.partners != partners or app.jinja_env.auto_reload:
        cache = app.extensions[_EXTENSION_KEY] = _Cache(partners)
    return cache


def layout_for(app: Flask, scope: str, cache: _Cache | None = None) -> PageLayout:
    cache = cache or _cache(app)
    layout = cache.layouts.get(scope)
    if layout is None:
        layout = cache.layouts[scope] = page_layout(purposes_from_config(app.config),
                                                    scope=scope)
    return layout


class _Markers(dict):  # type: ignore[type-arg]
    """``boxes`` for rendering ``_choices.html`` once: a unique marker for every box."""

    def __init__(self, marker: str) -> None:
        super().__init__()
        self.marker = marker

    def __missing__(self, key: str) -> Markup:
        return Markup(f"<!--{self.marker}:{key}-->")  # noqa: S704 - key from the catalogue


def _choices_for(app: Flask, scope: str, layout: PageLayout) -> _Choices:
    marker = secrets.token_hex(8)  # cannot occur in the catalogue's own text
    html = app.jinja_env.get_template("preferences/_choices.html").render(
        page=layout, boxes=_Markers(marker), company_name=app.config["COMPANY_NAME"])
    parts = re.split(f"<!--{marker}:([^>]*)-->", html)
    slots = {slot.key: slot for slot in layout.slots}
    return _Choices(parts[0::2], [slots[key] for key in parts[1::2]])


def choices_for(app: Flask, person_id: int, scope: str, *, gpc: bool,
                stored: dict[str, bool] | None = None) -> tuple[PageLayout, Markup]:
    """The page layout and the markup of every choice on it with the person's answers
    (``stored``, or read here). Only the answers are read per request."""
    cache = _cache(app)
    layout = layout_for(app, scope, cache)
    choices = cache.choices.get(scope)
    if choices is None:
        choices = cache.choices[scope] = _choices_for(app, scope, layout)
    answers = page_answers(person_id, layout, gpc=gpc, stored=stored)
    markup, text = cache.markup, choices.text
    out = [text[0]]
    for n, slot in enumerate(choices.slots, 1):
        checked, refused = answers[slot.key]
        box = markup.get((slot.key, checked, refused, slot.described))
        if box is None:
            box = _render_box(app, cache, slot, checked, refused)
        out.append(box)
        out.append(text[n])
    return layout, Markup("".join(out))  # noqa: S704 - every piece rendered autoescaped


def _render_box(app: Flask, cache: _Cache, slot: Slot, checked: bool, refused: bool) -> str:
    macro: Any = app.jinja_env.get_template("preferences/_controls.html").module.control
    # An autoescaping template: the macro returns Markup with every value escaped.
    box = str(macro(Control(slot.purpose, slot.kind, checked, refused), slot.described))
    cache.markup[slot.key, checked, refused, slot.described] = box
    return box


def link_frame(app: Flask, key: Hashable,
               render: Callable[[str, str, Markup], str]) -> LinkFrame:
    """The frame for ``key`` (everything the page depends on besides the token, the address
    and the choices), made on first use by ``render(token, masked_email, choices)`` called
    with markers."""
    cache = _cache(app)
    frame = cache.frames.get(key)
    if frame is None:
        if len(cache.frames) > 64:  # a few cookie and GPC states in practice
            cache.frames.clear()
        marker = "pc" + secrets.token_hex(8)
        html = render(marker + "t", marker + "e", Markup(marker + "c"))  # noqa: S704
        frame = cache.frames[key] = LinkFrame(re.split(f"{marker}([tec])", html))
    return frame
