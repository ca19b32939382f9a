"""Plain helpers for the account tests: the forms posted through a test client, links read
out of caught mail."""

from __future__ import annotations

import re
from typing import Any

from tests.helpers_messaging import body_text

DEFAULT_PASSWORD = "correct horse battery staple"
LINK = re.compile(r"https?://\S+")
# A CSRF token is signed with a timestamp in seconds: two pages rendered either side of a
# second boundary differ there and nowhere else.
CSRF_VALUE = re.compile(rb'(name="csrf_token"[^>]*value=")[^"]*"')


def without_csrf(page: bytes) -> bytes:
    """The page with every CSRF token's value blanked, to compare two answers."""
    return CSRF_VALUE.sub(rb'\1"', page)


def links_in(message: Any) -> list[str]:
    return LINK.findall(body_text(message))


def path_of(url: str, app: Any) -> str:
    """The path of an absolute link built from BASE_URL."""
    base = app.config["BASE_URL"].rstrip("/")
    assert url.startswith(base), f"{url} is not under {base}"
    return url[len(base):]


def register(client: Any, email: str, password: str = DEFAULT_PASSWORD, **fields: str) -> Any:
    return client.post("/register", data={"email": email, "password": password, **fields})


def login(client: Any, email: str, password: str = DEFAULT_PASSWORD,
          headers: dict[str, str] | None = None, **fields: Any) -> Any:
    return client.post("/login", data={"email": email, "password": password, **fields},
                       headers=headers)
