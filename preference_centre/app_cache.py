"""The one per-app cache: values built from an app's configuration or URL map (the
preference pages' layouts, the link remover, the unsubscribe scopes), kept on
``app.extensions`` so that every app, and so every test's fresh app, has its own and none
outlives its app.

A value is built once per app; ``invalidate`` drops values explicitly. Nothing that depends on
an app's configuration may be kept in a module-level cache; pure functions of their
arguments may keep ``functools.lru_cache``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask

T = TypeVar("T")
_SLOT = "preference_centre.app_cache"


def cached(app: Flask, name: str, build: Callable[[], T]) -> T:
    """The app's value called ``name``, built by ``build()`` on first use."""
    store: dict[str, Any] = app.extensions.setdefault(_SLOT, {})
    if name not in store:
        store[name] = build()
    return store[name]


def invalidate(app: Flask, name: str | None = None) -> None:
    """Forget the app's value called ``name`` (every value when ``name`` is None)."""
    store = app.extensions.get(_SLOT)
    if store is None:
        return
    if name is None:
        store.clear()
    else:
        store.pop(name, None)
