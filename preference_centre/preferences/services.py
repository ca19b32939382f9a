"""The preference rules: what a page offers, and applying a person's answer to the ledger.

Views pass explicit values (person id, the desired answer, the actor, whether GPC is on);
this module never reads the request. Every change goes through the consent ledger. What the
page shows is in viewmodel.py, reading the posted form in formdata.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select

from ..consent import Actor, current_state, record_changes
from ..consent.catalogue import Purpose, gpc_purposes, stop_all_purposes
from ..consent.ledger import LedgerEvent, stored_state
from ..extensions import db
from ..models import Order, Person
from .history import change_words

# Which purposes a page offers: the account page adds the cookie choices of this browser.
SCOPE_LINK = "link"
SCOPE_ACCOUNT = "account"


class InvalidChoice(ValueError):
    """A posted key is not a purpose this form offers (tampered or stale form)."""


def offered_purposes(purposes: dict[str, Purpose], scope: str) -> dict[str, Purpose]:
    """Everything a person can choose on this page; contract purposes are only explained."""
    return {
        key: p for key, p in purposes.items()
        if p.optional and (scope == SCOPE_ACCOUNT or not key.startswith("cookies:"))
    }


@dataclass(frozen=True)
class ContactFacts:
    """What we hold that decides which choices a page asks about."""

    phone: bool  # a phone number: texts and calls
    postal_address: bool  # post
    account: bool  # a password: sign-ins, so security monitoring
    orders: bool  # messages about orders


def contact_facts(person_id: int) -> ContactFacts:
    """One query, nothing decrypted: only whether each detail is there. A person we no
    longer hold reads as holding nothing."""
    has_orders = exists().where(Order.person_id == Person.id)
    row = db.session.execute(
        select(Person.phone_hash.is_not(None), Person.address.is_not(None),
               Person.password_hash.is_not(None), has_orders)
        .where(Person.id == person_id)).one_or_none()
    return ContactFacts(*(bool(value) for value in row)) if row else ContactFacts(
        False, False, False, False)


def not_asked(purposes: dict[str, Purpose], facts: ContactFacts) -> frozenset[str]:
    """Purposes the page neither shows nor changes for this person: a channel's choices only
    when we hold the detail it uses, security monitoring only for account holders (it is
    about sign-ins), and messages about orders only for people with orders."""
    needs = {"sms": facts.phone, "phone": facts.phone, "post": facts.postal_address}
    return frozenset(
        key for key, p in purposes.items()
        if not needs.get(p.channel or "", True)
        or (key == "security_monitoring" and not facts.account)
        or (key == "service_messages" and not facts.orders))


@dataclass
class SaveResult:
    events: list[LedgerEvent]
    notes: list[str]


def save_choices(person_id: int, purposes: dict[str, Purpose], desired: dict[str, bool],
                 actor: Actor, *, gpc: bool = False, restricted: bool = False) -> SaveResult:
    """Record ``desired`` through the ledger, with two limits: while processing is
    restricted (Art 18) a person can only withdraw, and a GPC signal refuses its purposes.
    The caller commits."""
    notes: list[str] = []
    state = current_state(person_id)
    wanted = dict(desired)
    if gpc:
        for key in gpc_purposes(purposes):
            if wanted.get(key):
                wanted[key] = False
                notes.append(f"{purposes[key].title} stays off: your browser's Global Privacy "
                             "Control signal is being honoured.")
    if restricted:
        grants = [k for k, v in wanted.items() if v and not state.get(k, False)]
        for key in grants:
            del wanted[key]
        if grants:
            notes.append("While we have restricted the use of your data you can withdraw or "
                         "object, but not turn anything on.")
    events = record_changes(person_id, wanted, actor)
    return SaveResult(events, notes)


def stop_all_marketing(person_id: int, purposes: dict[str, Purpose],
                       actor: Actor) -> SaveResult:
    """One action: withdraw every marketing consent and object to every marketing use."""
    keys = stop_all_purposes(purposes)
    return SaveResult(record_changes(person_id, dict.fromkeys(keys, False), actor), [])


def stop_all_preview(purposes: dict[str, Purpose], stored: dict[str, bool],
                     hidden: frozenset[str] = frozenset()) -> list[Purpose]:
    """What "Stop all marketing" would end that runs now, of what the page asks about
    (``stored`` as ``stored_state`` gives it; an unanswered purpose runs by default)."""
    return [purposes[key] for key in stop_all_purposes(purposes)
            if key not in hidden and stored.get(key, purposes[key].default_allowed)]


def describe_changes(events: list[LedgerEvent], purposes: dict[str, Purpose]) -> list[str]:
    """"You turned on Offers by email." for each event, in the order they were made."""
    return [f"You {change_words(e.purpose, e.new_value, purposes)}." for e in events]


def describe_paces(events: list[LedgerEvent], purposes: dict[str, Purpose]) -> list[str]:
    """"You chose at most weekly for Offers by email." for each pace changed."""
    return [f"You {change_words(e.purpose, e.new_value, purposes, pace=e.pace)}."
            for e in events]


def pause_words(paused_until: datetime | None) -> str:
    """What a person who has just paused marketing is told."""
    day = f"{paused_until.day} {paused_until:%B %Y}" if paused_until else "later"
    return (f"All marketing is paused. It starts again by itself on {day}; messages about "
            "your orders continue.")


def record_gpc(person_id: int, purposes: dict[str, Purpose], actor: Actor) -> list[LedgerEvent]:
    """Record a browser's GPC signal once: each GPC purpose not already refused on record
    becomes a refusal with source ``gpc``. Later requests find nothing left to record."""
    stored = stored_state(person_id)
    pending = [key for key in gpc_purposes(purposes) if stored.get(key) is not False]
    if not pending:
        return []
    return record_changes(person_id, dict.fromkeys(pending, False), actor)
