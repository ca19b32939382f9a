"""What the preference page shows, as plain data for templates/preferences/edit.html.

Two steps: ``page_layout`` places every purpose a page offers (the matrix of consent
channels by topic, where a tick always means yes, then the sections, objections among them),
from the catalogue alone; ``preference_page`` puts one person's answers into that layout, as
one ``Control`` per box (ticked or not, refused by GPC or not), leaving out what the page
does not ask them about. The template renders the result once; no markup is made here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..consent.catalogue import (
    CHANNELS,
    CONSENT,
    CONTRACT,
    LEGITIMATE_INTERESTS,
    TOPICS,
    Purpose,
    gpc_purposes,
)
from ..consent.pacing import PACES, PAUSE_MONTHS, PacingChoices
from .services import offered_purposes

SECTIONS = ("profiling", "sharing", "cookies", "objections")


@dataclass(frozen=True)
class Slot:
    """Where a purpose's checkbox sits on the page; the same for everyone."""

    purpose: Purpose
    kind: str  # "consent" or "object"
    described: bool  # the purpose's description is shown under the box
    topic_label: str | None = None  # a matrix cell: its column's heading

    @property
    def key(self) -> str:
        return self.purpose.key


@dataclass(frozen=True)
class Control:
    """One checkbox as the person sees it: a consent box (ticked = allowed) or an objection
    box (ticked = objected), with its description shown or not."""

    purpose: Purpose
    kind: str  # "consent" or "object"
    checked: bool
    gpc_refused: bool = False
    described: bool = False
    topic_label: str | None = None  # a matrix cell: its column's heading

    @property
    def field_id(self) -> str:
        return "pc-" + self.purpose.key.replace(":", "-")

    @property
    def label_parts(self) -> tuple[str, str]:
        """A matrix cell's label as (the words shown on a phone, the rest): together the
        full title for screen readers, e.g. ("Offers", " by email")."""
        title, shown = self.purpose.title, self.topic_label
        if shown and title.startswith(shown):
            return shown, title[len(shown):]
        return title, ""


@dataclass(frozen=True)
class PaceControl:
    """How often one email topic may be sent: a choice of ``options`` (value -> words), the
    field named ``pace:<purpose key>``."""

    purpose: Purpose
    chosen: str
    options: dict[str, str]

    @property
    def name(self) -> str:
        return "pace:" + self.purpose.key

    @property
    def label(self) -> str:
        """The topic alone (the fieldset says "how often we email you")."""
        return TOPICS.get(self.purpose.topic or "", self.purpose.title)

    @property
    def field_id(self) -> str:
        return "pace-" + self.purpose.key.replace(":", "-")


@dataclass(frozen=True)
class MatrixRow:
    """One channel of the matrix: a cell per topic (None where we do not use it), or one
    cell across the topic columns (``spans``, e.g. online ads)."""

    channel: str
    label: str
    cells: list[Slot | None]
    spans: bool = False


@dataclass(frozen=True)
class PageLayout:
    """The catalogue-derived part of the page: the same for everyone on one scope."""

    topics: dict[str, str]
    matrix: list[MatrixRow]
    sections: dict[str, list[Slot]] = field(default_factory=dict)
    explained: list[Purpose] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    gpc_keys: frozenset[str] = frozenset()
    purposes: dict[str, Purpose] = field(default_factory=dict)  # the catalogue

@dataclass(frozen=True)
class ChoiceRow:
    """A matrix row with the person's boxes in it."""

    label: str
    cells: list[Control | None]
    spans: bool


@dataclass(frozen=True)
class PreferencePage:
    """Everything edit.html shows besides the site's own chrome."""

    topics: list[str]  # the matrix's column headings
    matrix: list[ChoiceRow]
    sections: dict[str, list[Control]]
    explained: list[Purpose]  # what we always do (contract): explained, not chosen
    restricted: bool  # processing restricted (Art 18): the page says so
    action: str  # where both forms post
    masked_email: str | None = None  # shown on /p/, where nobody has signed in
    export_url: str | None = None
    erase_url: str | None = None
    paused_until: date | None = None  # all marketing paused until this day
    pause_months: tuple[int, ...] = ()
    paces: list[PaceControl] = field(default_factory=list)


def page_layout(purposes: dict[str, Purpose], *, scope: str) -> PageLayout:
    """Which controls the page offers and where: the matrix of channels by topic, then the
    sections. Depends only on the catalogue."""
    def slot(purpose: Purpose, described: bool = True, topic_label: str | None = None) -> Slot:
        kind = "object" if purpose.basis == LEGITIMATE_INTERESTS else "consent"
        return Slot(purpose, kind, described, topic_label)

    offered = offered_purposes(purposes, scope)
    matrix, placed = [], set()
    for channel, label in CHANNELS.items():
        # Only consent in the matrix, so a tick there always means yes; post and phone
        # (legitimate interests) are objections, in their own section.
        on_channel = [p for p in offered.values()
                      if p.channel == channel and p.basis == CONSENT]
        if not on_channel:
            continue
        by_topic = {p.topic: p for p in on_channel}
        if set(by_topic) <= set(TOPICS):
            cells = [slot(by_topic[t], False, TOPICS[t]) if t in by_topic else None
                     for t in TOPICS]
            matrix.append(MatrixRow(channel, label, cells))
        else:
            matrix.append(MatrixRow(channel, label, [slot(p) for p in on_channel], True))
        placed.update(p.key for p in on_channel)
    sections: dict[str, list[Slot]] = {name: [] for name in SECTIONS}
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
                      frozenset(gpc_purposes(purposes)), dict(purposes))


def page_answers(layout: PageLayout, stored: dict[str, bool], *,
                 gpc: bool) -> dict[str, Control]:
    """Each offered purpose's box showing the person's current answer (``stored``, as
    ``stored_state`` gives it; a purpose not answered shows its default). Consent boxes are
    ticked when allowed, objection boxes when objected to; with GPC on, its purposes show
    unticked and say why."""
    refused_by_gpc = layout.gpc_keys if gpc else frozenset()
    controls = {}
    for slot in layout.slots:
        allowed = stored.get(slot.key, slot.purpose.default_allowed)
        if slot.kind == "object":
            checked, refused = not allowed, False
        else:
            refused = slot.key in refused_by_gpc
            checked = allowed and not refused
        controls[slot.key] = Control(slot.purpose, slot.kind, checked, refused, slot.described,
                                     slot.topic_label)
    return controls


def preference_page(layout: PageLayout, stored: dict[str, bool], *, gpc: bool,
                    restricted: bool, action: str, hidden: frozenset[str] = frozenset(),
                    masked_email: str | None = None, export_url: str | None = None,
                    erase_url: str | None = None,
                    pacing: PacingChoices | None = None) -> PreferencePage:
    """The page for one person: ``layout`` with their answers in every box, without the
    purposes in ``hidden`` (``services.not_asked``; a row left empty goes), and their pause
    and paces (``pacing``) when given."""
    controls = page_answers(layout, stored, gpc=gpc)

    def boxes(slots: list[Slot | None]) -> list[Control | None]:
        return [controls[s.key] if s is not None and s.key not in hidden else None
                for s in slots]

    matrix = []
    for row in layout.matrix:
        cells = boxes(row.cells)
        if any(cells):
            matrix.append(ChoiceRow(row.label, cells, row.spans))
    sections = {name: [controls[s.key] for s in slots if s.key not in hidden]
                for name, slots in layout.sections.items()}
    explained = [p for p in layout.explained if p.key not in hidden]
    paces = []
    if pacing is not None:
        paces = [PaceControl(layout.purposes[key], pace, PACES)
                 for key, pace in pacing.paces.items() if key in layout.purposes]
    return PreferencePage(list(layout.topics.values()), matrix, sections, explained,
                          restricted, action, masked_email, export_url, erase_url,
                          paused_until=pacing.paused_until if pacing else None,
                          pause_months=PAUSE_MONTHS if pacing else (), paces=paces)
