"""Fixtures for the API tests: a live key and a client that sends it."""

from __future__ import annotations

import pytest

from preference_centre import crypto
from preference_centre.api.auth import create_api_key
from preference_centre.extensions import db
from preference_centre.models import Suppression


@pytest.fixture(name="api_key")
def api_key_fixture(app):
    """A live key: (raw key, its prefix)."""
    key, raw = create_api_key("Shop")
    db.session.commit()
    return raw, key.key_prefix


@pytest.fixture(name="api")
def api_fixture(client, api_key):
    """The test client with the key's Authorization header on every call."""

    class Api:
        headers = {"Authorization": f"Bearer {api_key[0]}"}
        prefix = api_key[1]

        def __getattr__(self, method):
            def call(url, **kwargs):
                return getattr(client, method)(url, headers=self.headers, **kwargs)
            return call

    return Api()


def erase_address(address: str) -> None:
    """What erasure leaves behind: only the keyed hash, on the suppression list."""
    db.session.add(Suppression(kind="email", value_hash=crypto.email_hash(address),
                               reason="erased"))
    db.session.commit()


# What another system sends with a choice it captured (a grant needs it: consent/rules.py).
EVIDENCE = {"captured_at": "2020-01-01T09:00:00Z", "collection_point": "shop checkout",
            "wording": "Tick to get offers from us by email."}
