"""This browser's cookie choice, kept in a first-party cookie, and the GPC signal.

The ``cookie_choice`` cookie holds ``<revision>.a<0|1>.m<0|1>``. A choice made under an
older COOKIE_POLICY_REVISION counts as no choice, so a new cookie policy asks again. It is
itself a necessary cookie: without it the banner would return on every page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

COOKIE_NAME = "cookie_choice"
COOKIE_DAYS = 180
ANALYTICS = "cookies:analytics"
MARKETING = "cookies:marketing"
GPC_MESSAGE = "Your browser's Global Privacy Control signal is being honoured"
_PATTERN = re.compile(r"^(\d{1,6})\.a([01])\.m([01])$")


@dataclass(frozen=True)
class CookieConsent:
    """What non-necessary cookies and scripts this browser allows right now."""

    chosen: bool
    analytics: bool = False
    marketing: bool = False
    gpc: bool = False


def read_choice(raw: str | None, revision: int, *, gpc: bool) -> CookieConsent:
    """The consent a ``cookie_choice`` value gives (nothing until a current choice exists);
    a GPC signal refuses marketing whatever the cookie says."""
    match = _PATTERN.match(raw or "")
    if match is None or int(match.group(1)) < revision:
        return CookieConsent(chosen=False, gpc=gpc)
    marketing = match.group(3) == "1" and not gpc
    return CookieConsent(True, match.group(2) == "1", marketing, gpc)


def format_choice(analytics: bool, marketing: bool, revision: int) -> str:
    return f"{int(revision)}.a{int(bool(analytics))}.m{int(bool(marketing))}"


def choice_from_form(action: str, consented: list[str], *, gpc: bool) -> tuple[bool, bool]:
    """(analytics, marketing) for the banner's buttons or the /cookies form."""
    if action == "accept_all":
        return True, not gpc
    if action == "reject_all":
        return False, False
    return ANALYTICS in consented, MARKETING in consented and not gpc


def gpc_from_headers(headers: dict[str, str] | object) -> bool:
    """True when the browser sends ``Sec-GPC: 1``."""
    get = getattr(headers, "get", None)
    return bool(get and str(get("Sec-GPC", "")).strip() == "1")
