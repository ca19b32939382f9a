"""Plain helpers for the staff console tests: the "record a choice the person asked us to
make" form as a browser posts it, and the refusal the page shows."""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")  # the form takes the time the person asked in UK time
_REFUSAL = re.compile(r"<h2>This choice was not recorded</h2>\s*<p>(.*?)</p>", re.S)


def on_request_form(purpose: str, allowed: bool, asked_at: datetime, *,
                    asked_by: str = "phone", notice_version: str = "",
                    wording: str = "") -> dict[str, str]:
    """The form's fields for a choice the person asked for at ``asked_at`` (aware)."""
    local = asked_at.astimezone(UK)
    return {"purpose": purpose, "choice": "on" if allowed else "off", "asked_by": asked_by,
            "asked_on-day": str(local.day), "asked_on-month": str(local.month),
            "asked_on-year": str(local.year), "asked_time": f"{local:%H:%M}",
            "notice_version": notice_version, "wording": wording}


def look_up(client: Any, address: str) -> Any:
    """Look a person up by address, as the console's form does."""
    return client.post("/staff/people", data={"email": address})


def record_on_request(client: Any, person: Any, purpose: str, allowed: bool,
                      asked_at: datetime, **given: str) -> Any:
    """Post the form for ``person`` through a signed-in staff ``client``, after looking them
    up by address as a colleague does (marketing opens only records it found so)."""
    look_up(client, person.email)
    return client.post(f"/staff/people/{person.id}/choices",
                       data=on_request_form(purpose, allowed, asked_at, **given))


def refusal_on(page: str) -> str | None:
    """The consent rules' reason the page gives for not recording a grant, or None."""
    found = _REFUSAL.search(page)
    return html.unescape(found.group(1)) if found else None
