"""Erasure: every row and personal field of a person, across every table, in one transaction.

One set-based implementation serves the person's own request, the retention run and staff:
``erase_people`` works on a list of ids with one statement per table (so retention can erase
thousands a second), driven by the per-table rules in ``registry``. ``erase_person`` is the
single-person form, which also sends the confirmation.

The confirmation email goes to the address before it is forgotten, but never through the
outbox (an outbox row would keep the address): it is composed by the composer's functions
(``messaging.immediate``: same headers, MIME and DKIM signature) inside the transaction, held
in memory on the session, and sent over SMTP only after the erasure commits. A rollback drops
it, so nobody is told of an erasure that did not happen. When a person erases their own
account the email leaves once the response has gone: the page never waits on a slow or
stalled mail server.

On SQLite the write-ahead log still holds the erased rows after the commit, until a
checkpoint rewrites it; once an erasure commits, the log is copied into the database file
(where ``secure_delete`` has zeroed the erased rows) and truncated, at the same moment the
email would go, so the files keep no trace of what was erased.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from flask import Response, after_this_request, current_app, has_request_context
from sqlalchemy import bindparam, event, exists, insert, literal, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from .. import clock, database, links, sqlite_writers
from ..extensions import db
from ..messaging.immediate import ReadyEmail, compose_immediately, send_immediately
from ..models import ErasureReceipt, Person, Suppression
from ..models.types import UTCDateTime
from . import registry

log = logging.getLogger(__name__)
TRIGGERS = ("person", "retention", "staff", "unverified")
_MAIL_KEY = "data_rights.mail_after_commit"
_LOG_KEY = "data_rights.empty_log_after_commit"


class NotFound(LookupError):
    """No person with that id (already erased, or never existed)."""


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
    database.allow_ledger_pseudonymisation()
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
    if not database.is_postgresql():
        db.session.info[_LOG_KEY] = True
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


def erase_person(person_id: int, trigger: str, *, notify: bool = True) -> ErasureReceipt:
    """Erase one person; with ``notify`` an erasure confirmation is sent to their address
    once the caller's commit succeeds. Raises ``NotFound``."""
    person = db.session.get(Person, person_id)
    if person is None:
        raise NotFound(person_id)
    database.lock_person(person_id)
    address = person.email  # held in memory only, for the confirmation
    receipt = erase_people([person_id], trigger)
    if receipt is None:
        raise NotFound(person_id)
    if notify and address:
        try:
            message = _confirmation(address, person_id, receipt.reference)
        except Exception as exc:  # noqa: BLE001 - the erasure must not wait on mail settings
            log.warning("erasure confirmation could not be composed: %s", type(exc).__name__)
        else:
            db.session.info.setdefault(_MAIL_KEY, []).append(message)
    return receipt


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


def _confirmation(address: str, person_id: int, reference: str) -> ReadyEmail:
    config = current_app.config
    gone, kept = erasure_plan(config)
    context = {"gone": gone, "kept": kept, "reference": reference}
    # The contract puts a one-step unsubscribe on every email. The link names the erased
    # person, who no longer exists (and whose id is never given to anyone else), so /u/
    # answers it with its "not valid, nothing was changed" page. No footer: there are no
    # choices left to manage, and the message says it is the last one.
    unsubscribe_url = links.one_click_link(person_id, "email", "*", "erasure")
    return compose_immediately(address, "erasure_confirmation", "Your data has been erased",
                               context, unsubscribe_url)


def _after_commit(session: Session) -> None:
    messages = session.info.pop(_MAIL_KEY, [])
    empty_log = session.info.pop(_LOG_KEY, False)
    if not messages and not empty_log:
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def finish() -> None:
        with app.app_context():
            if empty_log:
                _empty_log()
            _send_all(messages)

    if not has_request_context():  # the retention run, a command: now
        finish()
        return

    def finish_when_answered(response: Response) -> Response:
        # Runs after the request context is gone, so ``finish`` brings its own app context.
        response.call_on_close(finish)
        return response

    after_this_request(finish_when_answered)


def _empty_log() -> None:
    try:
        sqlite_writers.empty_log(db.engine)
    except Exception as exc:  # noqa: BLE001 - the erasure stands; the next checkpoint also
        log.warning("log not emptied after erasure: %s", type(exc).__name__)


def _send_all(messages: list[ReadyEmail]) -> None:
    for message in messages:
        try:
            send_immediately(message)
        except Exception as exc:  # noqa: BLE001 - the erasure stands even if sending fails
            log.warning("erasure confirmation could not be sent (erasure is complete): %s",
                        type(exc).__name__)


def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_MAIL_KEY, None)
    session.info.pop(_LOG_KEY, None)


for _name, _handler in (("after_commit", _after_commit),
                        ("after_rollback", _drop_after_rollback)):
    if not event.contains(Session, _name, _handler):
        event.listen(Session, _name, _handler)
