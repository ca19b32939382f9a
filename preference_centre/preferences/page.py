"""The preference page's per-app pieces: the layout (from the catalogue) and each checkbox's
markup, rendered once by the ``control`` macro and then reused.

A checkbox has at most four forms (ticked or not, refused by GPC or not), so every form is
rendered once per app and catalogue; a request only picks the form that matches the
person's answer. The page stays plain server-side markup, and no macro runs per box per
request (a Jinja macro call per box was the largest cost of the page).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, get_template_attribute
from markupsafe import Markup

from ..consent import purposes_from_config
from .services import PageLayout, page_controls, page_layout

_EXTENSION_KEY = "preference_centre.preference_page"


@dataclass
class _Cache:
    partners: str
    layouts: dict[str, PageLayout] = field(default_factory=dict)
    markup: dict[tuple[str, bool, bool, bool], Markup] = field(default_factory=dict)


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


def boxes_for(app: Flask, person_id: int, scope: str, *, gpc: bool
              ) -> tuple[PageLayout, dict[str, Markup]]:
    """The page layout and, for each offered purpose, its checkbox markup with the person's
    answer. Only the answers are read per request."""
    cache = _cache(app)
    layout = layout_for(app, scope, cache)
    controls = page_controls(person_id, layout, gpc=gpc)
    boxes = {}
    for slot in layout.slots:
        control = controls[slot.key]
        form = (slot.key, control.checked, control.gpc_refused, slot.described)
        markup = cache.markup.get(form)
        if markup is None:
            macro: Any = get_template_attribute("preferences/_controls.html", "control")
            # An autoescaping template: the macro returns Markup with every value escaped.
            markup = cache.markup[form] = macro(control, slot.described)
        boxes[slot.key] = markup
    return layout, boxes
