"""API fixtures: a live key, a client that sends it, and ``erase_address(address)``."""

from __future__ import annotations

from typing import Any

import pytest

from preference_centre import crypto
from preference_centre.api.auth import create_api_key
from preference_centre.extensions import db
from preference_centre.models import Suppression


@pytest.fixture
def api_key(app: Any) -> tuple[str, str]:
    """A live key: (raw key, its prefix)."""
    key, raw = create_api_key("Shop")
    db.session.commit()
    return raw, key.key_prefix


@pytest.fixture
def api(client: Any, api_key: tuple[str, str]) -> Any:
    """The test client with the key's Authorization header on every call."""

    class Api:
        headers = {"Authorization": f"Bearer {api_key[0]}"}
        prefix = api_key[1]

        def __getattr__(self, method):
            def call(url, **kwargs):
                return getattr(client, method)(url, headers=self.headers, **kwargs)
            return call

    return Api()


@pytest.fixture
def erase_address(app: Any) -> Any:
    """``erase_address(address)``: what erasure leaves behind, only the keyed hash on the
    suppression list."""
    def erase(address: str) -> None:
        db.session.add(Suppression(kind="email", value_hash=crypto.email_hash(address),
                                   reason="erased"))
        db.session.commit()
    return erase
