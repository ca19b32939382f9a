"""The console's CSV downloads, as generators of rows for a streamed response: the
suppression list per channel, contact lists for post and phone, and the hashed audience for
personalised ads. Each reads only the columns it writes, a batch at a time, and every cell
a spreadsheet would run as a formula is neutralised."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from sqlalchemy import Text, type_coerce

from .. import crypto
from ..consent import audience
from ..data_rights.export import neutralise
from ..database.streams import stream_rows
from ..extensions import db
from ..models import Person
from ..suppression.queries import check_channel, stream_entries

BATCH = 5000
Row = list[str]
ADDRESS_LINES = 4
# The UK postcode at the end of a one-field address ("12 Bridge Street, Manchester M3 3BW").
_POSTCODE = re.compile(r"\s*,?\s*\b([A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2})\s*$", re.I)

# What each channel's suppression list matches on: the person's own identifier, then the
# keyed hashes of erased people (email) and numbers that replied STOP (phone).
SUPPRESSION_COLUMNS = {
    "email": ["email", "email_hash", "reason", "since"],
    "sms": ["phone", "phone_hash", "email_hash", "reason", "since"],
    "phone": ["phone", "phone_hash", "email_hash", "reason", "since"],
    "post": [*(f"address_line_{n}" for n in range(1, ADDRESS_LINES + 1)), "postcode",
             "email_hash", "reason", "since"],
}
POST_COLUMNS = ["name", *(f"address_line_{n}" for n in range(1, ADDRESS_LINES + 1)),
                "postcode"]
PHONE_COLUMNS = ["name", "phone"]
ADS_COLUMNS = ["Email"]  # the header Google's and Meta's customer-match uploads read


def _cells(values: list[str | None]) -> Row:
    return [neutralise(value or "") for value in values]


def split_address(address: str | None) -> tuple[list[str], str]:
    """A stored one-field address as ``ADDRESS_LINES`` lines (the rest joined onto the last)
    and its postcode (upper case), for a mailing house's columns."""
    text = (address or "").strip()
    postcode = ""
    match = _POSTCODE.search(text)
    if match:
        postcode = " ".join(match.group(1).upper().split())
        if " " not in postcode:
            postcode = f"{postcode[:-3]} {postcode[-3:]}"
        text = text[:match.start()]
    lines = [part.strip() for part in re.split(r"[\n,]", text) if part.strip()]
    if len(lines) > ADDRESS_LINES:
        lines = lines[:ADDRESS_LINES - 1] + [", ".join(lines[ADDRESS_LINES - 1:])]
    return lines + [""] * (ADDRESS_LINES - len(lines)), postcode


def suppression_rows(channel: str) -> Iterator[Row]:
    """The channel's suppression list (header first): everyone we hold who must not get its
    marketing, by what the channel matches on, then the hashes of erased people and STOP
    numbers. A person with nothing the channel could match (no phone number on file for a
    phone list) has no row: no list of ours could reach them there."""
    check_channel(channel)
    yield SUPPRESSION_COLUMNS[channel]
    for entry in stream_entries(channel, contact=True, batch=BATCH):
        since = entry.since.isoformat()
        if channel == "email":
            # Only the address is the person's own text: hashes, labels and times are ours.
            yield [neutralise(entry.email or ""), entry.email_hash or "", entry.reason, since]
        elif channel == "post":
            if entry.address is None and entry.email_hash is None:
                continue
            lines, postcode = split_address(entry.address) if entry.address else ([""] * 4, "")
            yield _cells([*lines, postcode, entry.email_hash, entry.reason, since])
        else:
            if entry.phone is None and entry.phone_hash is None and entry.email_hash is None:
                continue
            yield _cells([entry.phone, entry.phone_hash, entry.email_hash, entry.reason, since])


def _streamed(channel: str, topic: str, *columns: object) -> Iterator[tuple]:
    """The columns (raw, still encrypted) of everyone ``audience`` allows right now."""
    query = audience(channel, topic).with_only_columns(
        *[type_coerce(column, Text()) for column in columns])
    return stream_rows(db.session.connection(), query, BATCH)


def post_contact_rows() -> Iterator[Row]:
    """Who may be sent marketing by post right now, with what a mailing house needs: name,
    address lines, postcode. Objectors, restricted, unconfirmed (and, once pausing exists,
    paused) people are left out by ``audience``; so is anyone without an address."""
    decrypt = crypto.field_crypto().decrypt
    yield POST_COLUMNS
    for name, address in _streamed("post", "offers", Person.name, Person.address):
        if address is None:
            continue
        lines, postcode = split_address(decrypt(address))
        yield _cells([decrypt(name) if name else "", *lines, postcode])


def phone_contact_rows() -> Iterator[Row]:
    """Who may be called with marketing right now: name and phone number, nothing else."""
    decrypt = crypto.field_crypto().decrypt
    yield PHONE_COLUMNS
    for name, phone in _streamed("phone", "offers", Person.name, Person.phone):
        if phone is None:
            continue
        yield _cells([decrypt(name) if name else "", decrypt(phone)])


def ads_audience_hash(address: str) -> str:
    """SHA-256 (hex) of the address lower-cased and trimmed: the form customer-match
    uploads expect, so the platform can match it against its own users' hashes."""
    return hashlib.sha256(address.strip().lower().encode("utf-8")).hexdigest()


def ads_audience_rows() -> Iterator[Row]:
    """The personalised-ads audience: hashed addresses of the people who consented to
    ``ads:personalised`` and whom nothing else stops (restricted, suppressed, unconfirmed)."""
    decrypt = crypto.field_crypto().decrypt
    yield ADS_COLUMNS
    for (email,) in _streamed("ads", "personalised", Person.email):
        yield [ads_audience_hash(decrypt(email))]
