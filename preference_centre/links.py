"""Every absolute address this service puts into a message or a document.

Links in mail, texts and exports are opened far from any request, so they are always built
against ``BASE_URL`` (the public address), never the Host header of whatever request made
them (a visitor chooses that). Paths come from the URL map, as ``url_for`` builds them; the
signed ones carry a token from :mod:`tokens`. This module depends on nothing else of ours,
so any feature can make a link without importing another feature.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from werkzeug.routing import Map, MapAdapter

from . import tokens
from .app_cache import cached

# The endpoints a message links to, named once.
PREFERENCES = "preferences.link"
ONE_CLICK = "unsubscribe.unsubscribe"
SIGNUP_CONFIRM = "signup.confirm"
EXPORT_SCHEMA = "data_rights.export_schema"


def external_url(endpoint: str, _anchor: str | None = None, **values: Any) -> str:
    """``url_for(endpoint, **values, _external=True)`` as seen from ``BASE_URL``."""
    base_url = str(current_app.config["BASE_URL"])
    # Keyed by the address itself, so a changed BASE_URL binds afresh.
    adapter = cached(current_app, f"links.adapter {base_url}",
                     lambda: _bind(current_app.url_map, base_url))
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{_anchor}" if _anchor else url


def _bind(url_map: Map, base_url: str) -> MapAdapter:
    """The URL map bound to ``base_url``, once per app: the outbox makes two links per
    message. Building with it only reads it, so threads may share it."""
    base = urlsplit(base_url)
    return url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/",
                        url_scheme=base.scheme or "http")


def preference_link(person_id: int) -> str:
    """The no-login page for all of a person's choices (``/p/<token>``)."""
    return external_url(PREFERENCES, token=tokens.make_preference_token(person_id))


def one_click_link(person_id: int, channel: str, topic: str, message_ref: int | str) -> str:
    """The signed link that stops marketing in one step (``/u/<token>``, RFC 8058): ``topic``
    is a topic key or ``*`` for all marketing on ``channel``."""
    token = tokens.make_unsubscribe_token(person_id, channel, topic, message_ref)
    return external_url(ONE_CLICK, token=token)


def signed_link(endpoint: str, purpose: str, data: Any) -> str:
    """A link to ``endpoint`` carrying a timed token for ``purpose`` (verification, reset,
    email change, sign-up confirmation, emailed export and erasure)."""
    return external_url(endpoint, token=tokens.make_token(purpose, data))


def export_schema_url() -> str:
    """Where the export's JSON schema is documented (named in every export)."""
    return external_url(EXPORT_SCHEMA, _anchor="v1")
