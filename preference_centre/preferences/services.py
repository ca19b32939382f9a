"""The preference form as a service: what the page offers, and applying what was posted.

Views pass explicit values (person id, posted keys, the actor, whether GPC is on); this
module never reads the request. Every change goes through the consent ledger.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..consent import Actor, current_state, record_changes
from ..consent.catalogue import (
    CHANNELS,
    CONSENT,
    CONTRACT,
    LEGITIMATE_INTERESTS,
    TOPICS,
    Purpose,
    gpc_purposes,
    stop_all_purposes,
)
from ..consent.ledger import LedgerEvent, stored_state
from .history import change_words

# Which purposes a page offers: the account page adds the cookie choices of this browser.
SCOPE_LINK = "link"
SCOPE_ACCOUNT = "account"


class InvalidChoice(ValueError):
    """A posted key is not a purpose this form offers (tampered or stale form)."""


@dataclass(frozen=True)
class Control:
    """One checkbox as the person sees it: a consent box (ticked = allowed) or an objection
    box (ticked = objected)."""

    purpose: Purpose
    kind: str  # "consent" or "object"
    checked: bool
    gpc_refused: bool = False

    @property
    def field_id(self) -> str:
        return "pc-" + self.purpose.key.replace(":", "-")


@dataclass(frozen=True)
class Slot:
    """Where a purpose's checkbox sits on the page; the same for everyone."""

    purpose: Purpose
    kind: str  # "consent" or "object"
    described: bool  # the purpose's description is shown under the box

    @property
    def key(self) -> str:
        return self.purpose.key


@dataclass
class MatrixRow:
    channel: str
    label: str
    cells: list[Slot | None]
    spans: bool = False  # one control across the topic columns (online ads)


@dataclass
class PageLayout:
    """The catalogue-derived part of the page: built once per catalogue, never per person."""

    topics: dict[str, str]
    matrix: list[MatrixRow]
    sections: dict[str, list[Slot]] = field(default_factory=dict)
    explained: list[Purpose] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    gpc_keys: frozenset[str] = frozenset()


def offered_purposes(purposes: dict[str, Purpose], scope: str) -> dict[str, Purpose]:
    """Everything a person can choose on this page; contract purposes are only explained."""
    return {
        key: p for key, p in purposes.items()
        if p.optional and (scope == SCOPE_ACCOUNT or not key.startswith("cookies:"))
    }


def page_layout(purposes: dict[str, Purpose], *, scope: str) -> PageLayout:
    """Which controls the page offers and where: the matrix of channels by topic, then the
    sections. Depends only on the catalogue, so callers may keep it."""
    def slot(purpose: Purpose, described: bool = True) -> Slot:
        kind = "object" if purpose.basis == LEGITIMATE_INTERESTS else "consent"
        return Slot(purpose, kind, described)

    offered = offered_purposes(purposes, scope)
    matrix, placed = [], set()
    for channel, label in CHANNELS.items():
        on_channel = [p for p in offered.values() if p.channel == channel]
        if not on_channel:
            continue
        by_topic = {p.topic: p for p in on_channel}
        if set(by_topic) <= set(TOPICS):
            cells = [slot(by_topic[t], False) if t in by_topic else None for t in TOPICS]
            matrix.append(MatrixRow(channel, label, cells))
        else:
            matrix.append(MatrixRow(channel, label, [slot(p) for p in on_channel], True))
        placed.update(p.key for p in on_channel)
    sections: dict[str, list[Slot]] = {"profiling": [], "sharing": [], "cookies": [],
                                       "objections": []}
    for key, purpose in offered.items():
        if key in placed:
            continue
        if key.startswith("sharing:"):
            name = "sharing"
        elif key.startswith("cookies:"):
            name = "cookies"
        elif purpose.basis == LEGITIMATE_INTERESTS:
            name = "objections"
        else:
            name = "profiling"
        sections[name].append(slot(purpose))
    slots = [c for row in matrix for c in row.cells if c is not None]
    slots += [c for section in sections.values() for c in section]
    explained = [p for p in purposes.values() if p.basis == CONTRACT]
    return PageLayout(dict(TOPICS), matrix, sections, explained, slots,
                      frozenset(gpc_purposes(purposes)))


def page_answers(person_id: int, layout: PageLayout, *, gpc: bool,
                 stored: dict[str, bool] | None = None) -> dict[str, tuple[bool, bool]]:
    """For each offered purpose, (ticked, refused by GPC) as its box shows the person's
    current answer (``stored``, as ``stored_state`` gives it, or one query). Consent boxes
    are ticked when allowed, objection boxes when objected to; with GPC on, its purposes
    show unticked and say why."""
    if stored is None:
        stored = stored_state(person_id)
    refused_by_gpc = layout.gpc_keys if gpc else frozenset()
    answers = {}
    for slot in layout.slots:
        key = slot.key
        allowed = stored.get(key, slot.purpose.default_allowed)
        if slot.kind == "object":
            answers[key] = (not allowed, False)
        else:
            refused = key in refused_by_gpc
            answers[key] = (allowed and not refused, refused)
    return answers


@dataclass
class SaveResult:
    events: list[LedgerEvent]
    notes: list[str]


def desired_from_form(purposes: dict[str, Purpose], scope: str, consented: Iterable[str],
                      objected: Iterable[str]) -> dict[str, bool]:
    """The full answer the form states: boxes not sent are refused (consent) or not objected
    to (legitimate interests). Keys that this form does not offer raise InvalidChoice."""
    offered = offered_purposes(purposes, scope)
    consented, objected = set(consented), set(objected)
    wrong = {k for k in consented if getattr(offered.get(k), "basis", None) != CONSENT}
    wrong |= {k for k in objected if getattr(offered.get(k), "basis", None)
              != LEGITIMATE_INTERESTS}
    if wrong:
        raise InvalidChoice(", ".join(sorted(wrong)))
    return {
        key: (key in consented) if p.basis == CONSENT else (key not in objected)
        for key, p in offered.items()
    }


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


def describe_changes(events: list[LedgerEvent], purposes: dict[str, Purpose]) -> list[str]:
    """"You turned on Offers by email." for each event, in the order they were made."""
    return [f"You {change_words(e.purpose, e.new_value, purposes)}." for e in events]


def form_keys(values: Any, name: str) -> list[str]:
    """The posted values of a repeated field, tolerant of a plain dict in tests."""
    getter = getattr(values, "getlist", None)
    if getter is not None:
        return [str(v) for v in getter(name)]
    raw = values.get(name) or []
    return [raw] if isinstance(raw, str) else [str(v) for v in raw]


def record_gpc(person_id: int, purposes: dict[str, Purpose], actor: Actor) -> list[LedgerEvent]:
    """Record a browser's GPC signal once: each GPC purpose not already refused on record
    becomes a refusal with source ``gpc``. Later requests find nothing left to record."""
    stored = stored_state(person_id)
    pending = [key for key in gpc_purposes(purposes) if stored.get(key) is not False]
    if not pending:
        return []
    return record_changes(person_id, dict.fromkeys(pending, False), actor)
