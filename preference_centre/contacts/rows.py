"""One row of a contacts file, checked: who, their details, their choices and the evidence.

Values are checked as the API checks the same fields (``api/schemas.py``) and the profile
page checks a phone number (``people.is_phone_number``), so a list cannot store what a form
or another system could not. Everything is stored as the text it is: a name such as
``=cmd`` stays a name (exports neutralise it, ``data_rights/export.py``). A blank cell
means "no change". Reasons name the column, never the value.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from .. import clock
from ..account.forms import ADDRESS_MAX, PHONE_MAX
from ..api.schemas import Fields
from ..auth.forms import NAME_MAX
from ..consent import Evidence, purposes_from_config
from ..people import is_phone_number
from .csvfile import Record

YES, NO = ("yes", "true", "1"), ("no", "false", "0")


@dataclass(frozen=True)
class ContactRow:
    """A row that reads well: the address, the details given (``name``, ``phone``,
    ``address``), the choices (purpose -> allowed), the evidence of those choices (None
    when the row gives none) and whether the earlier system confirmed the address."""

    line: int
    email: str
    details: dict[str, str]
    consents: dict[str, bool]
    evidence: Evidence | None
    verified: bool


@dataclass(frozen=True)
class BadRow:
    """A row that cannot be read; ``reason`` says what is wrong with it."""

    line: int
    reason: str


def importable_purposes(config: Any) -> set[str]:
    """The purposes a list may set: every optional one (contract purposes are no choice)."""
    return {key for key, purpose in purposes_from_config(config).items() if purpose.optional}


def parse_records(records: Iterable[Record], purpose_keys: Iterable[str], *,
                  default_collection_point: str | None = None,
                  ) -> Iterator[ContactRow | BadRow]:
    """Each record checked (see :func:`parse_record`), one at a time."""
    keys = set(purpose_keys)
    for record in records:
        yield parse_record(record, keys, default_collection_point=default_collection_point,
                           now=clock.utcnow())


def parse_record(record: Record, purpose_keys: set[str], *,
                 default_collection_point: str | None, now: datetime) -> ContactRow | BadRow:
    """Check one record. ``purpose_keys`` are the consent columns that may appear; a row
    giving any evidence but no ``collection_point`` gets ``default_collection_point`` (the
    import's ``--source``)."""
    if record.problem is not None:
        return BadRow(record.line, record.problem)
    fields = Fields({name: value for name, value in record.values.items() if value.strip()})
    email = fields.email()
    details = {name: value for name, value in _details(fields).items() if value is not None}
    verified = _yes_no(fields, "email_verified")
    consents = {key: allowed for key in sorted(purpose_keys & record.values.keys())
                if (allowed := _yes_no(fields, key)) is not None}
    evidence = fields.evidence(now=now)
    if fields.errors or email is None:
        return BadRow(record.line, " ".join(f"{name}: {reason}"
                                            for name, reason in fields.errors.items()))
    if evidence is not None and not evidence.collection_point:
        evidence = replace(evidence, collection_point=default_collection_point)
    return ContactRow(record.line, email, details, consents, evidence, bool(verified))


def _details(fields: Fields) -> dict[str, str | None]:
    name = fields.text("name", max_length=NAME_MAX)
    if name is not None and ("\n" in name or "\r" in name):
        fields.errors["name"] = "Use a single line, without line breaks."
        name = None
    phone = fields.text("phone", max_length=PHONE_MAX)
    if phone is not None and not is_phone_number(phone):
        fields.errors["phone"] = "Not a phone number (like 07700 900123 or +44 7700 900123)."
        phone = None
    address = fields.text("address", max_length=ADDRESS_MAX)
    if address is not None:  # kept as the profile page keeps it: lines without trailing blanks
        address = "\n".join(line.rstrip() for line in address.splitlines()).strip() or None
    return {"name": name, "phone": phone, "address": address}


def _yes_no(fields: Fields, name: str) -> bool | None:
    value = fields.data.get(name)
    if value is None:
        return None
    answer = value.strip().lower()
    if answer in YES or answer in NO:
        return answer in YES
    fields.errors[name] = "Use yes or no (or true/false, 1/0), or leave it blank for no change."
    return None

