"""Importing people from a list (``flask contacts import``): each row creates or updates one
person and records their choices, under the rules every writer of consent keeps.

A row's grants are someone else's word for the person's choice, so they go through
``record_changes`` as actor ``system``, which applies ``consent/rules.py`` under the person's
lock: a grant needs its evidence, must have been captured after the person's own latest
refusal (a one-click unsubscribe included), and never reaches an address or number on the
suppression list. A row the rules refuse is skipped with the reason and writes nothing but
its withdrawals, which always count: a "no" in a list is never dropped. An erased address
is not imported at all, not even without a grant: the suppression list keeps its keyed hash
precisely so that no old list brings the person's data back (CONTRACT.md).

The import is a batch job, like the retention run (the named exception to "services leave
the commit to the caller"): it commits every ``batch_size`` rows, so a long file never holds
one giant transaction, and each row is a savepoint inside its batch, so a row refused
halfway leaves nothing behind. A dry run does the same work and rolls every batch back;
as each address is imported once per file, its counts and reasons are the real run's.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from .. import clock, crypto
from ..auth.audit import record_audit
from ..consent import Actor, GrantRefused, record_changes
from ..consent.rules import suppressed_kinds
from ..database import SQLITE_PAUSE_SECONDS, begin_write
from ..database.postgresql import is_postgresql
from ..extensions import db
from ..models import ExternalRecord, NoticeVersion, Person
from ..people import find_person_by_email, new_person
from .rows import BadRow, ContactRow

DEFAULT_BATCH_SIZE = 500
# A SQLite transaction holds the whole database's write lock, and a row takes a few ms:
# 50 rows keep a one-click unsubscribe waiting a fraction of a second, not seconds.
SQLITE_BATCH_SIZE = 50
MAX_LISTED_SKIPS = 1000  # the count goes on; the list stops, so memory stays flat
SOURCE_MAX = 100
ERASED = ("on the suppression list (erased at their request): not imported; only the person "
          "can come back, by signing up or registering again.")
RESTRICTED = ("processing of this person's data is restricted (Art 18): their details were "
              "not changed.")
RACED = "another writer added this address during the import: run the import again."
WITHDRAWALS_KEPT = " The row's withdrawals were recorded."


@dataclass(frozen=True)
class Skip:
    line: int
    reason: str


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do). ``skips`` lists the first
    ``MAX_LISTED_SKIPS`` skipped rows; ``skipped`` counts them all."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    skips: list[Skip] = field(default_factory=list)

    def add(self, other: ImportResult) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.skipped += other.skipped
        self.skips.extend(other.skips[:MAX_LISTED_SKIPS - len(self.skips)])


class ImportInterrupted(RuntimeError):
    """The database failed at ``line``; ``saved`` is what the committed batches did."""

    def __init__(self, line: int, saved: ImportResult) -> None:
        super().__init__(f"the database failed at line {line}")
        self.line = line
        self.saved = saved


def import_contacts(rows: Iterable[ContactRow | BadRow], *, source: str, dry_run: bool = False,
                    batch_size: int | None = None) -> ImportResult:
    """Import ``rows`` from the list named ``source`` (recorded with every change it makes),
    committing every ``batch_size`` rows (default ``DEFAULT_BATCH_SIZE``, on SQLite
    ``SQLITE_BATCH_SIZE``), or in a dry run rolling them back. Raises
    ``ImportInterrupted`` if the database fails: the batches before it stay done, and a
    second run over the same file finds their rows unchanged."""
    importer = _Importer(source)
    size = batch_size or (DEFAULT_BATCH_SIZE if is_postgresql() else SQLITE_BATCH_SIZE)
    total, batch, in_batch, line = ImportResult(), ImportResult(), 0, 0
    try:
        for row in rows:
            line = row.line
            if in_batch == 0:
                begin_write()  # SQLite: each row's savepoint must nest in the batch's writes
            _count(batch, row.line, importer.import_row(row))
            in_batch += 1
            if in_batch == size:
                _end_batch(dry_run)
                total.add(batch)
                batch, in_batch = ImportResult(), 0
        if in_batch:
            _end_batch(dry_run)
            total.add(batch)
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise ImportInterrupted(line, total) from exc
    return total


def _end_batch(dry_run: bool) -> None:
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    if not is_postgresql():
        time.sleep(SQLITE_PAUSE_SECONDS)  # whoever waited for the write lock goes first


def _count(result: ImportResult, line: int, outcome: str) -> None:
    if outcome in ("created", "updated", "unchanged"):
        setattr(result, outcome, getattr(result, outcome) + 1)
        return
    result.skipped += 1
    if len(result.skips) < MAX_LISTED_SKIPS:
        result.skips.append(Skip(line, outcome))


class _Importer:
    """One import's fixed parts: who it writes as, the notice versions it has checked, and
    a 64-bit fingerprint of each address it has met, with its line (about 100 bytes a row:
    the only thing that grows with the file)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.actor_id = f"import:{source}"[:64]
        self._notices: dict[str, bool] = {}
        self._seen: dict[int, int] = {}

    def import_row(self, row: ContactRow | BadRow) -> str:
        """``created``, ``updated`` or ``unchanged``, else the reason the row was skipped."""
        if isinstance(row, BadRow):
            return row.reason
        # One row per person: a second row for an address would make the outcome hang on
        # row order and on batch boundaries (a dry run rolls each batch back).
        first = self._seen.setdefault(int(crypto.email_hash(row.email)[:16], 16), row.line)
        if first != row.line:
            return (f"the same address as line {first}: one row per person; nothing from "
                    "this line was imported.")
        version = row.evidence.notice_version if row.evidence else None
        if version is not None and not self._published(version):
            return "notice_version: Not a published notice version (see /privacy)."
        person = find_person_by_email(row.email)
        if person is None:
            return self._create(row)
        return self._update(person, row)

    def _published(self, version: str) -> bool:
        if version not in self._notices:
            self._notices[version] = db.session.execute(db.select(NoticeVersion.id).where(
                NoticeVersion.version == version)).first() is not None
        return self._notices[version]

    def _actor(self, row: ContactRow) -> Actor:
        return Actor(source="import", actor_type="system", actor_id=self.actor_id,
                     evidence=row.evidence)

    def _create(self, row: ContactRow) -> str:
        if suppressed_kinds(crypto.email_hash(row.email), None, db.session.connection()):
            return ERASED
        try:
            with db.session.begin_nested():
                # As the API creates people: confirmed only on the earlier system's word.
                person = new_person(row.email, origin="import",
                                    status="active" if row.verified else "pending",
                                    **row.details)
                record_audit(person.id, "person_created", actor_type="system",
                             actor_id=self.actor_id)
                self._note_source(person.id, "Contact details", ["email", *row.details])
                if row.consents:
                    record_changes(person.id, row.consents, self._actor(row))
        except GrantRefused as exc:
            return str(exc)
        except IntegrityError:
            return RACED
        return "created"

    def _update(self, person: Person, row: ContactRow) -> str:
        changes = {name: value for name, value in row.details.items()
                   if not _same(name, getattr(person, name), value)}
        if suppressed_kinds(person.email_hash, None, db.session.connection()):
            refusal = ERASED  # they came back but have not confirmed: old data stays out
        elif changes and person.restricted_at is not None:
            refusal = RESTRICTED
        else:
            try:
                with db.session.begin_nested():
                    self._apply(person, changes)
                    # Not without choices: even an empty change takes the person's lock
                    # and bumps their consent version, which ends an undo receipt.
                    events = (record_changes(person.id, row.consents, self._actor(row))
                              if row.consents else [])
            except GrantRefused as exc:
                refusal = str(exc)
            else:
                return "updated" if changes or events else "unchanged"
        withdrawals = {key: False for key, allowed in row.consents.items() if not allowed}
        if withdrawals and record_changes(person.id, withdrawals, self._actor(row)):
            refusal += WITHDRAWALS_KEPT
        return refusal

    def _apply(self, person: Person, changes: dict[str, str]) -> None:
        """The changed details, each audited by name as on the profile page (never values)."""
        for name, value in changes.items():
            setattr(person, name, value)
            record_audit(person.id, "profile.update", name, actor_type="system",
                         actor_id=self.actor_id)
        if "phone" in changes:
            person.phone_hash = crypto.phone_hash(changes["phone"])
        if changes:
            self._note_source(person.id, "Details updated", list(changes))

    def _note_source(self, person_id: int, what: str, names: list[str]) -> None:
        # Where the data came from, shown to the person on /account/data (Art 14(2)(f)).
        db.session.add(ExternalRecord(
            person_id=person_id, source=self.actor_id[:40], received_at=clock.utcnow(),
            description=f"{what} ({', '.join(names)}) from the list {self.source}"))


def _same(name: str, stored: str | None, given: str) -> bool:
    """Is ``given`` what we hold? A phone number written another way is the same number."""
    if stored is None:
        return False
    if name == "phone":
        return crypto.normalise_phone(stored) == crypto.normalise_phone(given)
    return stored == given
