"""A person's choices from the ledger, told in plain words."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import url_for
from markupsafe import Markup

from ..consent.catalogue import LEGITIMATE_INTERESTS, Purpose
from ..consent.ledger import asked_by
from ..consent.pacing import PACE_PREFIX, PACES, PAUSE
from ..models import ConsentEvent

SOURCE_WORDS = {
    "form": "preference page",
    "signup": "sign-up confirmation",
    "email_link": "link in an email",
    "one_click": "one-click unsubscribe",
    "staff": "our staff, at your request",
    "api": "one of our systems",
    "retention": "data retention rules",
    "gpc": "your browser's Global Privacy Control signal",
    "sms_stop": "STOP text reply",
    "import": "records imported from an earlier system",
    "cookie_banner": "cookie banner",
    "register": "confirming your address after registering",
    "sms_start": "START text reply",
    "undo": "undo of an unsubscribe",
}
# Events about an address or number rather than a purpose (consent/rules.py).
SUPPRESSION_WORDS = {
    "suppression:email": "took your email address off our do-not-contact list",
    "suppression:phone": "took your phone number off our do-not-text list",
}
ACTOR_WORDS = {"person": "you", "staff": "our staff", "api": "our systems", "system": "we"}
# The times people read are UK times (our customers are in the UK); stored times are UTC.
UK_TIME = ZoneInfo("Europe/London")


def short_date(when: datetime) -> str:
    """``24 Nov 2026``: unambiguous for readers in any country."""
    return f"{when.day} {when:%b %Y}"


def date_and_time(when: datetime) -> str:
    """``1 Dec 2026, 14:05``, in UK time: two choices on one day are told apart."""
    local = when.astimezone(UK_TIME)
    return f"{short_date(local)}, {local:%H:%M}"


def change_words(key: str, allowed: bool, purposes: dict[str, Purpose], *,
                 paused_until: datetime | None = None, pace: str | None = None) -> str:
    """``turned on Offers by email`` or ``objected to Offers by post`` (a pause or a pace
    names the end of the pause or the pace chosen)."""
    if key in SUPPRESSION_WORDS:
        return SUPPRESSION_WORDS[key]
    if key == PAUSE:
        if allowed and paused_until is not None:
            return f"paused all marketing until {short_date(paused_until)}"
        return "started marketing again"
    if key.startswith(PACE_PREFIX):
        topic = key.removeprefix(PACE_PREFIX)
        title = purposes[topic].title if topic in purposes else topic
        return f"chose {PACES.get(pace or '', pace or '').lower()} for {title}"
    purpose = purposes.get(key)
    title = purpose.title if purpose is not None else key
    if purpose is not None and purpose.basis == LEGITIMATE_INTERESTS:
        return f"withdrew your objection to {title}" if allowed else f"objected to {title}"
    return f"turned on {title}" if allowed else f"turned off {title}"


def describe_event(event: ConsentEvent | Any, purposes: dict[str, Purpose]) -> Markup:
    """An event (or a row with the same attributes) as
    ``On 24 Nov 2026, 12:00 you turned on Offers by email (preference page, privacy notice
    v2)``, the notice linked to the text the person saw (``/privacy/2``). A choice staff
    recorded for the person says so and how they asked: ``On ... our staff recorded, at
    your request by phone call, that you objected to Offers by post``: the choice is the
    person's, only the writing down was ours."""
    who = ACTOR_WORDS.get(event.actor_type, "we")
    what = change_words(event.purpose, event.new_value, purposes,
                        paused_until=getattr(event, "paused_until", None),
                        pace=getattr(event, "pace", None))
    when = date_and_time(event.occurred_at)
    notice = Markup("")
    if event.notice_version:
        notice = Markup('<a href="%s">privacy notice v%s</a>') % (
            url_for("privacy.version", version=event.notice_version), event.notice_version)
    if is_on_request(event):
        line = Markup("On %s our staff recorded, at your request%s, that you %s") % (
            when, request_words(event), what)
        return line + (Markup(" (%s)") % notice if notice else Markup(""))
    if who != "you":
        # "our staff turned on ..." reads right; "your objection" still names the person.
        what = what.replace("withdrew your objection", "withdrew the objection")
    how = SOURCE_WORDS.get(event.source, event.source)
    line = Markup("On %s %s %s (%s") % (when, who, what, how)
    if notice:
        line += Markup(", ") + notice
    return line + Markup(")")


def is_on_request(event: ConsentEvent | Any) -> bool:
    """A choice a colleague recorded because the person asked them to ("staff on request")."""
    return event.source == "staff" and event.actor_type == "staff"


def request_words(event: ConsentEvent | Any) -> str:
    """`` by phone call`` or `` in person`` (how the person asked), or nothing when the
    event does not say."""
    way = asked_by(getattr(event, "collection_point", None))
    return way_words(way) if way else ""


def way_words(way: str) -> str:
    """`` by phone call``, `` by letter``, `` in person``: how someone asked, after a verb."""
    return f" {way}" if way.startswith("in ") else f" by {way}"
