"""Privacy notice versions: which one is in force, publishing a new one, material changes.

A new version is a new row holding the text it published; rows are never edited, so
``/privacy/<version>`` shows exactly what a person saw. Every ledger event names a version:
the one on the page the person submitted (forms carry it, see ``shown_version``), else the
one in force; the first event of a fresh install creates version "1" from the draft text.
"""

from __future__ import annotations

import re

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from .. import clock
from ..extensions import db
from ..models import NoticeVersion, Person
from .text import notice_text

FIRST_VERSION = "1"
NOTICE_FIELD = "notice_version"  # the hidden field of every form that records a choice
VERSION_MAX = 20
# A version is part of its address (/privacy/<version>); "seen" is the page's own action.
VERSION_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
RESERVED_VERSIONS = {"seen"}


class NoticeError(ValueError):
    """A notice version cannot be published as asked (the message says why)."""


class UnknownNotice(ValueError):
    """A form names a notice version that was never published (tampered with, or made up).
    Its message is for the person who sent the form."""

    def __init__(self, version: str) -> None:
        super().__init__("This page named a privacy notice version we have never published, "
                         "so nothing was changed. Please reload the page and try again.")
        self.version = version


_notices = NoticeVersion.__table__
LATEST_VERSION = (
    select(_notices.c.version)
    .order_by(_notices.c.published_at.desc(), _notices.c.id.desc()).limit(1)
)


def latest_version() -> str | None:
    """The version in force, or None before any is published: one prebuilt query (every
    ledger write names it)."""
    return db.session.connection().execute(LATEST_VERSION).scalar_one_or_none()


def latest_notice() -> NoticeVersion | None:
    return db.session.execute(
        db.select(NoticeVersion)
        .order_by(NoticeVersion.published_at.desc(), NoticeVersion.id.desc()).limit(1)
    ).scalar_one_or_none()


def ensure_current_notice() -> NoticeVersion:
    """The notice in force, creating version "1" on first use."""
    found = latest_notice()
    if found is not None:
        return found
    ensure_first_version(db.session.connection())
    return db.session.execute(
        db.select(NoticeVersion).where(NoticeVersion.version == FIRST_VERSION)
    ).scalar_one()


def ensure_first_version(connection: Connection) -> str:
    """The version in force, read on ``connection`` after creating "1" if there is none yet.
    Safe when two requests race: the insert ignores a conflict on the version."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    connection.execute(
        dialect.insert(NoticeVersion).values(
            version=FIRST_VERSION, published_at=clock.utcnow(), material=False,
            summary="First published version.", body=str(notice_text()),
        ).on_conflict_do_nothing(index_elements=["version"])
    )
    return connection.execute(LATEST_VERSION).scalar_one()


def publish_notice(version: str, *, material: bool, summary: str,
                   text: Markup | None = None) -> NoticeVersion:
    """A new notice version in force from now, keeping ``text`` (HTML; by default the draft,
    ``notice_text()``) as the words it published. The caller commits."""
    version = version.strip()
    if not version or len(version) > VERSION_MAX:
        raise NoticeError(f"the version must be 1 to {VERSION_MAX} characters")
    if not VERSION_PATTERN.fullmatch(version) or version in RESERVED_VERSIONS:
        raise NoticeError("the version may hold only letters, digits, '.', '_' and '-', "
                          "and may not be 'seen'")
    body = str(notice_text() if text is None else text)
    if not body.strip():
        raise NoticeError("the notice text is empty")
    if not summary.strip():
        raise NoticeError("give a one-line summary of what changed")
    ensure_current_notice()
    exists = db.session.execute(
        db.select(NoticeVersion.id).where(NoticeVersion.version == version)
    ).first()
    if exists:
        raise NoticeError(f"version {version} already exists; versions are never edited")
    row = NoticeVersion(version=version, published_at=clock.utcnow(), material=material,
                        summary=summary.strip(), body=body)
    db.session.add(row)
    db.session.flush()
    return row


def notice_of(version: str) -> NoticeVersion | None:
    """The published version named ``version``, or None. A name no version could have (from
    a tampered form or address) is not looked up: PostgreSQL refuses some, a NUL byte say,
    with an error rather than no row."""
    if len(version) > VERSION_MAX or not VERSION_PATTERN.fullmatch(version):
        return None
    return db.session.execute(
        db.select(NoticeVersion).where(NoticeVersion.version == version)
    ).scalar_one_or_none()


def version_on_page() -> str:
    """The version a page shows and its forms carry: the one in force (read-only, so a
    fresh install's first page names "1" before it is written)."""
    return latest_version() or FIRST_VERSION


def shown_version(submitted: str | None) -> str | None:
    """The version a submitted form says it showed, checked against the published ones:
    None when the form carries none (the ledger then names the one in force); an older
    version than the one in force is kept, as what the person saw. Raises
    ``UnknownNotice`` for a version never published."""
    if submitted is None:
        return None
    submitted = submitted.strip()
    if notice_of(submitted) is not None:
        return submitted
    if submitted == FIRST_VERSION and latest_version() is None:
        return ensure_first_version(db.session.connection())  # the page showed the draft
    raise UnknownNotice(submitted)


def mark_notice_seen(person: Person) -> str:
    """Record that the person has read the notice in force; returns its version."""
    version = ensure_current_notice().version
    person.notice_version_seen = version
    return version


def all_notices() -> list[NoticeVersion]:
    """Every version, newest first."""
    return list(db.session.execute(
        db.select(NoticeVersion)
        .order_by(NoticeVersion.published_at.desc(), NoticeVersion.id.desc())
    ).scalars())


def needs_notice_banner(seen_version: str | None) -> NoticeVersion | None:
    """The latest material version if the person has not seen it (or anything after it)."""
    material = db.session.execute(
        db.select(NoticeVersion).where(NoticeVersion.material.is_(True))
        .order_by(NoticeVersion.published_at.desc(), NoticeVersion.id.desc()).limit(1)
    ).scalar_one_or_none()
    if material is None or seen_version == material.version:
        return None
    if seen_version is not None:
        seen = db.session.execute(
            db.select(NoticeVersion).where(NoticeVersion.version == seen_version)
        ).scalar_one_or_none()
        if seen is not None and (seen.published_at, seen.id) >= (material.published_at,
                                                                  material.id):
            return None
    return material
