"""The one per-app cache: values built from an app's configuration or URL map (signers, the
preference pages' layouts, the link remover), kept on ``app.extensions`` so that every app,
and so every test's fresh app, has its own and none outlives its app.

A value is rebuilt when the ``inputs`` it was built from differ (for instance the signing
keys after a rotation), and ``invalidate`` drops values explicitly. Nothing that depends on
an app's configuration may be kept in a module-level cache; pure functions of their
arguments may keep ``functools.lru_cache``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import Flask

T = TypeVar("T")
_SLOT = "preference_centre.app_cache"


def cached(app: Flask, name: str, build: Callable[[], T], inputs: Hashable = None) -> T:
    """The app's value called ``name``, built by ``build()`` on first use and again whenever
    ``inputs`` (what the value is made from) differs from the last build's."""
    store: dict[str, tuple[Any, Any]] = app.extensions.setdefault(_SLOT, {})
    entry = store.get(name)
    if entry is None or entry[0] != inputs:
        entry = store[name] = (inputs, build())
    return entry[1]


def invalidate(app: Flask, name: str | None = None) -> None:
    """Forget the app's value called ``name`` (every value when ``name`` is None)."""
    store = app.extensions.get(_SLOT)
    if store is None:
        return
    if name is None:
        store.clear()
    else:
        store.pop(name, None)
