"""Erasure: every row and personal field of a person, across every table, in one transaction.

One set-based implementation serves the person's own request, the retention run and staff:
``erase_people`` works on a list of ids with one statement per table (so retention can erase
thousands a second), driven by the per-table rules in ``registry``. ``erase_person`` is the
single-person form, which also composes the confirmation; ``erase_own_account`` checks the
password first. None of them commits.

The confirmation email goes to the address before it is forgotten, but never through the
outbox (an outbox row would keep the address): it is composed by the composer's functions
(``emails.compose_erasure_confirmation``: same headers, MIME and DKIM signature) inside the
transaction and handed back in memory; the caller sends it with ``finish_erasure`` only
after its commit succeeds, so nobody is told of an erasure that did not happen. A view does
that once the response has gone: the page never waits on a slow or stalled mail server.

On SQLite the write-ahead log still holds the erased rows after the commit, until a
checkpoint rewrites it: ``finish_erasure`` (and the retention run, after each batch) copies
the log into the database file (where ``secure_delete`` has zeroed the erased rows) and
truncates it, so the files keep no trace of what was erased.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, exists, insert, literal, select
from sqlalchemy import inspect as sa_inspect

from .. import clock
from ..database import person_lock, postgresql, sqlite_writers
from ..extensions import db
from ..messaging.immediate import ReadyEmail, send_immediately
from ..models import ErasureReceipt, Person, Suppression
from ..models.types import UTCDateTime
from ..passwords import verify_secret
from . import emails, registry

log = logging.getLogger(__name__)
TRIGGERS = ("person", "retention", "staff", "unverified")


class NotFound(LookupError):
    """No person with that id (already erased, or never existed)."""


class WrongPassword(ValueError):
    """The password given to confirm one's own erasure is not the account's."""


@dataclass(frozen=True)
class Erased:
    """One person's erasure, not yet committed: its receipt, and the confirmation to send
    (with :func:`finish_erasure`) once the commit has succeeded, if one is due."""

    receipt: ErasureReceipt
    confirmation: ReadyEmail | None


def erase_people(person_ids: Iterable[int], trigger: str) -> ErasureReceipt | None:
    """Erase every listed person (ids that no longer exist are skipped) and keep one
    ``ErasureReceipt`` for the lot: one per person for a person's own request, one per
    batch for retention (nobody could be told a per-person reference then). Returns the
    receipt, or None when none of the people exist. The caller commits."""
    if trigger not in TRIGGERS:
        raise ValueError(f"unknown erasure trigger {trigger}")
    db.session.flush()
    ids = sorted(set(person_ids))
    now = clock.utcnow()
    reference = str(uuid.uuid4())
    postgresql.allow_ledger_pseudonymisation()
    params = {"ids": ids, "ref": reference, "now": now}
    # Counted from each statement's own rowcount: no extra queries, and exact.
    counts: dict[str, int] = {}
    keep_orders = bool(current_app.config.get("KEEP_ORDERS_FOR_ACCOUNTING"))
    for name, statement in _statements(keep_orders):
        counts[name] = db.session.execute(statement, params).rowcount or 0
    people = counts.pop("people")
    counts.pop("suppressions")
    if not people:
        return None  # nobody to erase: every statement above matched nothing
    counts = {"people": people, **{name: n for name, n in counts.items() if n}}
    receipt = ErasureReceipt(reference=reference, erased_at=now, trigger=trigger,
                             categories=_categories_with_data(counts), counts=counts)
    db.session.add(receipt)
    db.session.flush()
    _forget_loaded(set(ids))
    return receipt


@lru_cache(maxsize=4)
def _statements(keep_orders: bool) -> list[tuple[str, Any]]:
    """The erasure statements, built once from the registry with bound ``ids`` and ``ref``
    (so retention's thousands of batches reuse compiled SQL): every table's rule, then the
    suppression entries, then the people rows themselves (last: the others point at them)."""
    ids, ref = bindparam("ids", expanding=True), bindparam("ref")
    config = {"KEEP_ORDERS_FOR_ACCOUNTING": keep_orders}
    found = []
    for name, (source, rule) in registry.erasure_rules().items():
        if rule.action == "person":
            continue
        table = source.table
        link = table.c[source.person_column]
        if rule.effective_action(config) == "delete":
            found.append((name, table.delete().where(link.in_(ids))))
        else:
            values = {table.c[key]: value for key, value in rule.values(ref).items()}
            found.append((name, table.update().where(link.in_(ids)).values(values)))
    people, suppressions = Person.__table__, Suppression.__table__  # Core: no ORM bulk mode
    already = exists().where(suppressions.c.kind == "email",
                             suppressions.c.value_hash == people.c.email_hash)
    found.append(("suppressions", insert(suppressions).from_select(
        ["kind", "value_hash", "reason", "created_at"],
        select(literal("email"), people.c.email_hash, literal("erased"),
               bindparam("now", type_=UTCDateTime())).where(people.c.id.in_(ids), ~already),
    )))
    found.append(("people", people.delete().where(people.c.id.in_(ids))))
    return found


def erase_person(person_id: int, trigger: str, *, notify: bool = True) -> Erased:
    """Erase one person; with ``notify`` the erasure confirmation to their address is
    composed, for the caller to send once its commit succeeds. Raises ``NotFound``, also
    for the second of two requests at once (a double click): the person's lock makes it
    wait for the first, and then the person is gone."""
    if person_lock.lock_person(person_id) is None:
        raise NotFound(person_id)
    person = db.session.get(Person, person_id)
    if person is None:
        raise NotFound(person_id)
    address = person.email  # held in memory only, for the confirmation
    receipt = erase_people([person_id], trigger)
    if receipt is None:
        raise NotFound(person_id)
    confirmation = None
    if notify and address:
        gone, kept = erasure_plan(current_app.config)
        try:
            confirmation = emails.compose_erasure_confirmation(
                address, person_id, receipt.reference, gone, kept)
        except Exception as exc:  # noqa: BLE001 - the erasure must not wait on mail settings
            log.warning("erasure confirmation could not be composed: %s", type(exc).__name__)
    return Erased(receipt, confirmation)


def erase_own_account(person: Person, password: str) -> Erased:
    """A person erasing their own account, confirmed with their password. Raises
    ``WrongPassword`` (nothing is erased) or ``NotFound``."""
    if not verify_secret(person.password_hash, password):
        raise WrongPassword("That password is not right.")
    return erase_person(person.id, "person")


def finish_erasure(erased: Erased | None = None) -> None:
    """After the erasure's commit: on SQLite empty the write-ahead log, then send the
    confirmation if there is one. Failures are logged; the erasure stands either way."""
    empty_log()
    if erased is not None and erased.confirmation is not None:
        try:
            send_immediately(erased.confirmation)
        except Exception as exc:  # noqa: BLE001 - the erasure stands even if sending fails
            log.warning("erasure confirmation could not be sent (erasure is complete): %s",
                        type(exc).__name__)


def empty_log() -> None:
    """SQLite: copy the write-ahead log into the database file and truncate it, so the
    erased rows leave no trace in either file. Nothing to do on PostgreSQL."""
    if postgresql.is_postgresql():
        return
    try:
        sqlite_writers.empty_log(db.engine)
    except Exception as exc:  # noqa: BLE001 - the erasure stands; the next checkpoint also
        log.warning("log not emptied after erasure: %s", type(exc).__name__)


def erasure_plan(config: Any) -> tuple[list[str], list[str]]:
    """What goes and what is kept, in words, for the confirmation page and email."""
    gone, kept = [], []
    for cat in registry.CATEGORIES:
        keeps = cat.kept_after_erasure
        actions = {s.erasure.effective_action(config) for s in cat.sources}
        if keeps and actions & {"strip", "pseudonymise"}:
            kept.append(f"{cat.title}: {keeps}")
            gone.append(f"{cat.title}: {cat.erased_when_kept}" if cat.erased_when_kept
                        else f"{cat.title}, except what is kept below")
        else:
            gone.append(cat.title)
    kept.append("A keyed fingerprint of your email address (it cannot be turned back into the "
                "address) so that no list or form signs you up for marketing again unless "
                "you sign up yourself.")
    return gone, kept


def _categories_with_data(counts: dict[str, int]) -> list[str]:
    return [cat.key for cat in registry.CATEGORIES
            if any(counts.get(s.table.name) for s in cat.sources)]


def _forget_loaded(ids: set[int]) -> None:
    """Drop already-loaded objects of erased people so nothing writes them back."""
    for obj in list(db.session.identity_map.values()):
        state = sa_inspect(obj)
        # Read without loading: an expired object of a deleted row would raise on access.
        owner = state.identity[0] if isinstance(obj, Person) else state.dict.get("person_id")
        if owner in ids:
            db.session.expunge(obj)
