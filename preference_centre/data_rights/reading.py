"""Reading one person's rows of a registry source: for the data page and the export."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from flask import url_for
from markupsafe import Markup
from sqlalchemy import Select, func, select

from ..extensions import db
from .link_removal import remove_links
from .registry import Field, Source

CHUNK_ROWS = 1000


def source_query(source: Source, person_id: int) -> Select:
    """The person's rows of ``source``, newest first, with one labelled column per field
    (encrypted columns decrypt as they are read, through the app's field cipher)."""
    query = select(*[f.expr.label(f.key) for f in source.fields]).where(
        source.person_link == person_id
    )
    if source.where is not None:
        query = query.where(source.where())
    if source.order_by is not None:
        query = query.order_by(*source.order_by)
    return query


def count_rows(source: Source, person_id: int) -> int:
    query = select(func.count()).select_from(source.model).where(source.person_link == person_id)
    if source.where is not None:
        query = query.where(source.where())
    return db.session.execute(query).scalar_one()


def page_rows(source: Source, person_id: int, limit: int, offset: int = 0) -> list[dict]:
    rows = db.session.execute(source_query(source, person_id).limit(limit).offset(offset))
    found = [dict(row._mapping) for row in rows]
    for key in [f.key for f in source.fields if f.remove_links]:
        for row in found:
            row[key] = remove_links(row[key])
    return found


def iter_chunks(source: Source, person_id: int) -> Iterator[list[list[Any]]]:
    """Every row as a list of values in field order (times as ISO 8601 text, signed links
    removed from text that may hold them), fetched CHUNK_ROWS at a time (a server-side
    cursor on PostgreSQL) so a person with 100,000 rows costs no more memory than one with
    ten."""
    moments = [i for i, f in enumerate(source.fields) if f.kind == "datetime"]
    linked = [i for i, f in enumerate(source.fields) if f.remove_links]
    query = source_query(source, person_id)
    # The option goes on the statement: set on the connection it would stay for the rest of
    # the transaction, and on PostgreSQL every later statement, writes too, would run through
    # a server-side cursor (DECLARE ... CURSOR FOR INSERT is a syntax error).
    result = db.session.execute(query.execution_options(yield_per=CHUNK_ROWS))
    while chunk := result.fetchmany(CHUNK_ROWS):
        rows = [list(row) for row in chunk]
        for i in moments:
            for row in rows:
                if row[i] is not None:
                    row[i] = row[i].isoformat()
        for i in linked:
            for row in rows:
                row[i] = remove_links(row[i])
        yield rows


def display_value(field: Field, value: Any, titles: Mapping[str, str] | None = None) -> str:
    """How a value reads on the data page: codes in plain words, purposes by their
    ``titles`` in the catalogue, a notice version linked to its text."""
    if field.kind == "flag":
        return "Set" if value else "Not set"
    if value is None or value == "":
        return field.missing
    if field.kind == "purpose" and titles is not None:
        return titles.get(value, value)
    if field.words is not None:
        return field.words.get(value, value)
    if field.kind == "bool":
        return "Yes" if value else "No"
    if field.kind == "datetime":
        return value.strftime("%-d %b %Y, %H:%M UTC")
    if field.kind == "money":
        return f"£{value / 100:,.2f}"
    if field.kind == "notice":
        return Markup('<a href="%s">Version %s</a>') % (
            url_for("privacy.version", version=value), value)
    return str(value)
