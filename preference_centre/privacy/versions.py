"""Privacy notice versions: which one is in force, publishing a new one, material changes.

A new version is a new row; rows are never edited. Every ledger event names the version in
force when it was written, so the first event of a fresh install creates version "1".
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from .. import clock
from ..extensions import db
from ..models import NoticeVersion

FIRST_VERSION = "1"
VERSION_MAX = 20


class NoticeError(ValueError):
    """A notice version cannot be published as asked (the message says why)."""


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
            summary="First published version.", body="",
        ).on_conflict_do_nothing(index_elements=["version"])
    )
    return connection.execute(LATEST_VERSION).scalar_one()


def publish_notice(version: str, *, material: bool, summary: str) -> NoticeVersion:
    """A new notice version in force from now. The caller commits."""
    version = version.strip()
    if not version or len(version) > VERSION_MAX:
        raise NoticeError(f"the version must be 1 to {VERSION_MAX} characters")
    if not summary.strip():
        raise NoticeError("give a one-line summary of what changed")
    ensure_current_notice()
    exists = db.session.execute(
        db.select(NoticeVersion.id).where(NoticeVersion.version == version)
    ).first()
    if exists:
        raise NoticeError(f"version {version} already exists; versions are never edited")
    row = NoticeVersion(version=version, published_at=clock.utcnow(), material=material,
                        summary=summary.strip(), body="")
    db.session.add(row)
    db.session.flush()
    return row


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
