"""Helpers shared by the account tests: reading links out of caught mail, signing up."""

from __future__ import annotations

import re
from typing import Any

from preference_centre.extensions import db
from preference_centre.messaging import deliver_due
from tests.conftest import DEFAULT_PASSWORD, body_text

LINK = re.compile(r"https?://\S+")
# A CSRF token is signed with a timestamp in seconds: two pages rendered either side of a
# second boundary differ there and nowhere else.
CSRF_VALUE = re.compile(rb'(name="csrf_token"[^>]*value=")[^"]*"')


def without_csrf(page: bytes) -> bytes:
    """The page with every CSRF token's value blanked, to compare two answers."""
    return CSRF_VALUE.sub(rb'\1"', page)


def deliver() -> None:
    deliver_due()


def links_in(message: Any) -> list[str]:
    return LINK.findall(body_text(message))


def path_of(url: str, app: Any) -> str:
    """The path of an absolute link built from BASE_URL."""
    base = app.config["BASE_URL"].rstrip("/")
    assert url.startswith(base), f"{url} is not under {base}"
    return url[len(base):]


def link_to(mailbox: Any, address: str, app: Any, marker: str) -> str:
    """Deliver the outbox, then the path of the link containing ``marker`` in the newest
    mail to ``address``."""
    deliver()
    for url in links_in(mailbox.last_to(address)):
        if marker in url:
            return path_of(url, app)
    raise AssertionError(f"no {marker} link in the mail to {address}")


def register(client: Any, email: str, password: str = DEFAULT_PASSWORD, **fields: str) -> Any:
    return client.post("/register", data={"email": email, "password": password, **fields})


def login(client: Any, email: str, password: str = DEFAULT_PASSWORD,
          headers: dict[str, str] | None = None, **fields: Any) -> Any:
    return client.post("/login", data={"email": email, "password": password, **fields},
                       headers=headers)


def reload(person: Any) -> Any:
    """The person as the database now has them (the views commit in other sessions)."""
    db.session.expire_all()
    return db.session.get(type(person), person.id)
