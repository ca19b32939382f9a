"""The building blocks of the data-rights registry: what a field, a source (one table's
rows for a person), a category and an erasure rule are, and the shared erasure rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, case, literal

from ..models import OutboxMessage
from ..models.consent import PSEUDONYMISED_COLUMNS


@dataclass(frozen=True)
class Field:
    """One value shown on the data page and exported. ``kind`` picks the display format:
    text, datetime, flag (set / not set), bool (yes / no), money (pence), purpose (its title
    in the catalogue), notice (a privacy notice version, linked to its text). ``words`` turns
    a stored code into plain words on the page (the export keeps the code); ``missing`` is
    what the page says when there is no value."""

    key: str
    label: str
    expr: Any
    kind: str = "text"
    on_page: bool = True  # False: exported, but too long for the data page's tables
    # Text that may quote a signed link (our messages, notes of them): each link to a token
    # route is replaced by a marker when shown or exported (``link_removal``).
    remove_links: bool = False
    words: Mapping[str, str] | None = None
    missing: str = "—"


@dataclass(frozen=True)
class Erasure:
    """What erasure does to one table's rows for a person.

    ``delete`` removes the rows. ``strip`` and ``pseudonymise`` keep the rows but set
    ``values`` (a function of the erasure receipt's reference) and cut the person link;
    ``keep_setting`` names a setting that, when off, turns ``strip`` into ``delete``.
    ``person`` is the people row itself, deleted last.
    """

    action: str
    summary: str
    values: Callable[[Any], dict[str, Any]] | None = None
    keep_setting: str | None = None

    def effective_action(self, config: Any) -> str:
        if self.keep_setting and not config.get(self.keep_setting):
            return "delete"
        return self.action


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    model: Any
    fields: tuple[Field, ...]
    erasure: Erasure
    order_by: Any = None
    where: Callable[[], Any] | None = None
    person_column: str = "person_id"

    @property
    def table(self) -> Table:
        return self.model.__table__

    @property
    def single_row(self) -> bool:
        """The people row itself: shown as a list of fields, not a table."""
        return self.person_column == "id"

    @property
    def page_fields(self) -> list[Field]:
        return [f for f in self.fields if f.on_page]

    @property
    def person_link(self) -> Any:
        return getattr(self.model, self.person_column)


@dataclass(frozen=True)
class Category:
    key: str
    title: str
    source: str
    purpose: str
    legal_basis: str
    retention: str
    sources: tuple[Source, ...]
    kept_after_erasure: str | None = None
    # When part is kept: what of it erasure removes, so a category is never listed as both
    # erased and kept without saying which part is which.
    erased_when_kept: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


DELETE = Erasure("delete", "deleted")
PERSON_ROW = Erasure("person", "deleted")
# Accounts need the reference, dates, amount, currency and status; nothing else is kept.
STRIP_ORDERS = Erasure(
    "strip",
    "kept for accounting with your name, address, what you ordered and account link removed",
    values=lambda ref: {"person_id": None, "delivery_address": None, "product": ""},
    keep_setting="KEEP_ORDERS_FOR_ACCOUNTING",
)
# Sent messages stay as anonymous counts for delivery statistics; queued ones are cancelled.
STRIP_OUTBOX = Erasure(
    "strip",
    "queued messages cancelled; sent ones kept only as anonymous delivery counts",
    values=lambda ref: {
        "person_id": None, "recipient": None, "subject": None, "body_text": None,
        "body_html": None, "last_error": None, "claimed_by": None,
        "status": case(
            (OutboxMessage.status.in_(("queued", "sending", "failed")), literal("cancelled")),
            else_=OutboxMessage.status,
        ),
    },
)
# The ledger is append-only evidence of what was allowed when; erasure cuts it loose from
# the person and their request context, and marks which erasure did it.
PSEUDONYMISE_LEDGER = Erasure(
    "pseudonymise",
    "kept as anonymous evidence of consent, with no link to you",
    values=lambda ref: {**dict.fromkeys(PSEUDONYMISED_COLUMNS), "erasure_ref": ref},
)
