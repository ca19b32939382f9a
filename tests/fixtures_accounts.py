"""Account fixtures: ``reload(person)`` rereads a person, ``link_to(address, marker)``
delivers the outbox and follows a link in the newest mail."""

from __future__ import annotations

from typing import Any

import pytest

from preference_centre.extensions import db
from preference_centre.messaging import deliver_due
from tests.helpers_accounts import links_in, path_of


@pytest.fixture
def reload(app: Any) -> Any:
    """``reload(person)``: the person as the database now has them (the views commit in
    other sessions)."""
    def fresh(person: Any) -> Any:
        db.session.expire_all()
        return db.session.get(type(person), person.id)
    return fresh


@pytest.fixture
def link_to(app: Any, mailbox: Any) -> Any:
    """``link_to(address, marker)``: deliver the outbox, then the path of the link containing
    ``marker`` in the newest mail to ``address``."""
    def follow(address: str, marker: str) -> str:
        deliver_due()
        for url in links_in(mailbox.last_to(address)):
            if marker in url:
                return path_of(url, app)
        raise AssertionError(f"no {marker} link in the mail to {address}")
    return follow
