"""The console's counts, kept by the database on every write (both engines), like
consent_state is (migration 0003): no writer can forget them, and the dashboard reads a few
hundred rows however many people there are.

Each person stands at exactly one *reason* per tracked purpose, the same rule, in the same
order, as ``consent.decisions._decide``:

    unconfirmed (status is not active) > restricted (Art 18) > suppressed (their address is on
    the suppression list) > the stored answer: allowed, never consented, withdrew (consent
    purposes), objected (legitimate interests)

The reason depends on three tables besides consent_state, so every one of them has triggers
that move the person's figures from the old reason to the new one:

- ``consent_state`` insert / update / delete: one purpose of one person;
- ``people`` insert / delete, and updates of status, restricted_at or email_hash: every
  tracked purpose of that person. The delete trigger runs BEFORE the row goes, while the
  person's consent_state rows are still readable; the consent_state delete trigger does
  nothing once the person is gone, so an erasure (consent_state rows first, then the
  person) and a cascade (person first) both end with the person's figures removed once;
- ``suppressions`` insert / delete of an email hash: the person holding that address, if any.

"paused" is not kept: a pause ends by itself when time passes, which no trigger sees. The
counts hold paused people at the reason they would have without the pause, and the dashboard
moves the (few) people paused right now from "allowed" to "paused" when it reads them
(``paused_sql``), as ``_decide`` refuses only what a pause holds back.

``consent_events`` inserts add to the weekly opt-in / opt-out series.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from ..consent.catalogue import all_purposes, marketing_purposes
from ..extensions import db

ALLOWED = "allowed"
# Why not, in the order the dashboard shows them.
NOT_REASONS = ("never", "withdrew", "objected", "paused", "unconfirmed", "restricted",
               "suppressed")
REASONS = (ALLOWED, *NOT_REASONS)
SLOTS = 16


def tracked_purposes() -> dict[str, bool]:
    """Purpose key -> allowed by default (legitimate interests), for every marketing purpose
    of the catalogue and personalised ads. A new one needs a migration that reinstalls the
    triggers and backfills (``install`` then ``backfill``)."""
    purposes = all_purposes()
    keys = marketing_purposes(purposes) + ["ads:personalised"]
    return {key: purposes[key].default_allowed for key in keys}


def _purposes_sql(keys: list[str] | None = None) -> str:
    rows = [f"SELECT '{key}' AS purpose, {'TRUE' if dflt else 'FALSE'} AS dflt"
            for key, dflt in tracked_purposes().items() if keys is None or key in keys]
    return "(" + " UNION ALL ".join(rows) + ")"


def paused_sql(setting: str) -> str:
    """The query (bound ``:now``) of marketing purpose -> people paused at ``now`` (their
    ``pacing_state`` row ``setting`` ends later) whom the counts hold as "allowed": the
    dashboard shows them as "paused" instead. It reads the paused people only."""
    purposes = all_purposes()
    keys = [key for key in tracked_purposes() if purposes[key].is_marketing]
    reason = _reason("p.status", "p.restricted_at", _suppressed("p.email_hash"), "cs.allowed")
    return (
        f"SELECT cp.purpose, COUNT(*) FROM pacing_state ps JOIN people p ON p.id = ps.person_id "
        f"CROSS JOIN {_purposes_sql(keys)} AS cp LEFT JOIN consent_state cs "
        "ON cs.person_id = p.id AND cs.purpose = cp.purpose "
        f"WHERE ps.setting = '{setting}' AND ps.paused_until > :now AND {reason} = '{ALLOWED}' "
        "GROUP BY cp.purpose"
    )


def _suppressed(email_hash: str) -> str:
    return ("EXISTS (SELECT 1 FROM suppressions s WHERE s.kind = 'email' "
            f"AND s.value_hash = {email_hash})")


def _reason(status: str, restricted: str, suppressed: str, allowed: str) -> str:
    """The SQL for one person's reason; mirrors ``_decide``."""
    return (f"CASE WHEN {status} IS NULL OR {status} <> 'active' THEN 'unconfirmed' "
            f"WHEN {restricted} IS NOT NULL THEN 'restricted' "
            f"WHEN {suppressed} THEN 'suppressed' "
            f"WHEN {allowed} IS NULL THEN CASE WHEN cp.dflt THEN 'allowed' ELSE 'never' END "
            f"WHEN {allowed} THEN 'allowed' "
            "WHEN cp.dflt THEN 'objected' ELSE 'withdrew' END")


def _rows(reason: str, person_id: str, delta: int, source: str) -> str:
    return (f"SELECT cp.purpose AS purpose, {reason} AS reason, ({person_id}) & 15 AS slot, "
            f"{delta} AS delta {source}")


def _shift(*rows: str) -> str:
    """Add the rows' deltas to the counts, one statement: rows that cancel (the reason did
    not change) write nothing."""
    union = " UNION ALL ".join(rows)
    return ("INSERT INTO console_counts (purpose, reason, slot, people) "
            f"SELECT purpose, reason, slot, SUM(delta) FROM ({union}) AS d WHERE TRUE "
            "GROUP BY purpose, reason, slot HAVING SUM(delta) <> 0 "
            "ON CONFLICT (purpose, reason, slot) DO UPDATE "
            "SET people = console_counts.people + excluded.people")


def _person_rows(row: str, suppressed: str, delta: int) -> str:
    """Every tracked purpose of the person in trigger record ``row`` (NEW or OLD)."""
    source = (f"FROM {_purposes_sql()} AS cp LEFT JOIN consent_state cs "
              f"ON cs.person_id = {row}.id AND cs.purpose = cp.purpose")
    reason = _reason(f"{row}.status", f"{row}.restricted_at", suppressed, "cs.allowed")
    return _rows(reason, f"{row}.id", delta, source)


def _state_rows(allowed: str, row: str, delta: int) -> str:
    """One purpose (of consent_state record ``row``) of a person still in the people table."""
    source = (f"FROM {_purposes_sql()} AS cp JOIN people p ON p.id = {row}.person_id "
              f"WHERE cp.purpose = {row}.purpose")
    reason = _reason("p.status", "p.restricted_at", _suppressed("p.email_hash"), allowed)
    return _rows(reason, "p.id", delta, source)


def _holder_rows(row: str, suppressed: str, delta: int) -> str:
    """Every tracked purpose of whoever holds the address of suppressions record ``row``."""
    source = (f"FROM {_purposes_sql()} AS cp JOIN people p ON p.email_hash = {row}.value_hash "
              "LEFT JOIN consent_state cs ON cs.person_id = p.id AND cs.purpose = cp.purpose "
              f"WHERE {row}.kind = 'email'")
    reason = _reason("p.status", "p.restricted_at", suppressed, "cs.allowed")
    return _rows(reason, "p.id", delta, source)


def _week(column: str, dialect: str) -> str:
    if dialect == "postgresql":
        return f"CAST(date_trunc('week', {column} AT TIME ZONE 'UTC') AS DATE)"
    return f"date({column}, '-6 days', 'weekday 1')"  # the Monday on or before


def _weekly(dialect: str) -> str:
    return ("INSERT INTO console_weeks (week, purpose, slot, opt_ins, opt_outs) "
            f"SELECT {_week('NEW.occurred_at', dialect)}, cp.purpose, NEW.id & 15, "
            "CASE WHEN NEW.new_value THEN 1 ELSE 0 END, CASE WHEN NEW.new_value THEN 0 ELSE 1 END "
            f"FROM {_purposes_sql()} AS cp WHERE cp.purpose = NEW.purpose "
            "ON CONFLICT (week, purpose, slot) DO UPDATE "
            "SET opt_ins = console_weeks.opt_ins + excluded.opt_ins, "
            "opt_outs = console_weeks.opt_outs + excluded.opt_outs")


def _triggers(dialect: str) -> list[tuple[str, str, str, str | None, str]]:
    """(name, timing and event, table, condition, statement) for every trigger."""
    changed = "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"
    old_hash, new_hash = _suppressed("OLD.email_hash"), _suppressed("NEW.email_hash")
    return [
        ("console_people_added", "AFTER INSERT", "people", None,
         _shift(_person_rows("NEW", new_hash, 1))),
        ("console_people_changed", "AFTER UPDATE", "people",
         f"OLD.status {changed} NEW.status OR OLD.restricted_at {changed} NEW.restricted_at "
         f"OR OLD.email_hash {changed} NEW.email_hash",
         _shift(_person_rows("OLD", old_hash, -1), _person_rows("NEW", new_hash, 1))),
        ("console_people_removed", "BEFORE DELETE", "people", None,
         _shift(_person_rows("OLD", old_hash, -1))),
        ("console_state_added", "AFTER INSERT", "consent_state", None,
         _shift(_state_rows("NULL", "NEW", -1), _state_rows("NEW.allowed", "NEW", 1))),
        ("console_state_changed", "AFTER UPDATE", "consent_state",
         f"OLD.allowed {changed} NEW.allowed",
         _shift(_state_rows("OLD.allowed", "OLD", -1), _state_rows("NEW.allowed", "NEW", 1))),
        ("console_state_removed", "AFTER DELETE", "consent_state", None,
         _shift(_state_rows("OLD.allowed", "OLD", -1), _state_rows("NULL", "OLD", 1))),
        ("console_suppression_added", "AFTER INSERT", "suppressions", None,
         _shift(_holder_rows("NEW", "FALSE", -1), _holder_rows("NEW", "TRUE", 1))),
        ("console_suppression_removed", "AFTER DELETE", "suppressions", None,
         _shift(_holder_rows("OLD", "TRUE", -1), _holder_rows("OLD", "FALSE", 1))),
        ("console_weekly", "AFTER INSERT", "consent_events", None, _weekly(dialect)),
    ]


def statements(dialect: str) -> list[str]:
    """The SQL that (re)creates every trigger: drops first, so it can run again."""
    found = drop_statements(dialect)
    for name, when, table, condition, body in _triggers(dialect):
        if dialect == "postgresql":
            result = "OLD" if when.startswith("BEFORE") else "NULL"
            found.append(f"CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN {body}; "
                         f"RETURN {result}; END; $$ LANGUAGE plpgsql")
            guard = f" WHEN ({condition})" if condition else ""
            found.append(f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW{guard} "
                         f"EXECUTE FUNCTION {name}()")
        else:
            guard = f" WHEN {condition}" if condition else ""
            found.append(f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW{guard} "
                         f"BEGIN {body}; END")
    return found


def drop_statements(dialect: str) -> list[str]:
    found = []
    for name, _when, table, _condition, _body in _triggers(dialect):
        if dialect == "postgresql":
            found.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            found.append(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            found.append(f"DROP TRIGGER IF EXISTS {name}")
    return found


def backfill_statements(dialect: str) -> list[str]:
    """Recount everything from the tables (migration 0006, and a repair if ever needed)."""
    reason = _reason("p.status", "p.restricted_at", _suppressed("p.email_hash"), "cs.allowed")
    return [
        "DELETE FROM console_counts",
        "INSERT INTO console_counts (purpose, reason, slot, people) "
        f"SELECT cp.purpose, {reason}, p.id & 15, COUNT(*) "
        f"FROM {_purposes_sql()} AS cp CROSS JOIN people p LEFT JOIN consent_state cs "
        "ON cs.person_id = p.id AND cs.purpose = cp.purpose GROUP BY 1, 2, 3",
        "DELETE FROM console_weeks",
        "INSERT INTO console_weeks (week, purpose, slot, opt_ins, opt_outs) "
        f"SELECT {_week('e.occurred_at', dialect)}, e.purpose, e.id & 15, "
        "SUM(CASE WHEN e.new_value THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN e.new_value THEN 0 ELSE 1 END) "
        f"FROM consent_events e JOIN {_purposes_sql()} AS cp ON cp.purpose = e.purpose "
        "GROUP BY 1, 2, 3",
    ]


def install(connection: Any) -> None:
    """Create the triggers on this connection (create_all and migration 0006)."""
    for sql in statements(connection.dialect.name):
        connection.exec_driver_sql(sql)


def backfill(connection: Any) -> None:
    for sql in backfill_statements(connection.dialect.name):
        connection.exec_driver_sql(sql)


def _install_triggers(target: object, connection: Any, **_kw: object) -> None:
    install(connection)


# create_all (tests, benchmarks) gets the same triggers as migration 0006. On the metadata,
# not a table: the triggers sit on people, consent_state, suppressions and consent_events.
# The factory imports this module, so every app has the hook before any create_all.
event.listen(db.metadata, "after_create", _install_triggers)
