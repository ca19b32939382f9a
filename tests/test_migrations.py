"""Migrations build the same schema as the models, forwards and backwards, on both engines."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError

from preference_centre.extensions import db
from preference_centre.models import ExternalRecord, Order

MIGRATIONS = None  # the app knows its migrations folder




def _differences():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def _the_ledger_sets_the_state(person_id):
    """Migration 0003's trigger is there: a new ledger row sets consent_state."""
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO consent_events (person_id, purpose, new_value, occurred_at, source, "
            "actor_type) VALUES (:pid, 'email:offers', true, CURRENT_TIMESTAMP, 'import', "
            "'system')"), {"pid": person_id})
        allowed = connection.execute(text(
            "SELECT allowed FROM consent_state WHERE person_id = :pid"), {"pid": person_id}
        ).scalar_one()
    assert allowed in (True, 1)


def _the_ledger_refuses_a_rewrite():
    """Migrations 0002 and 0009 are there: history and published notices cannot be edited."""
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO notice_versions (version, published_at, material, summary, body) "
            "VALUES ('1', CURRENT_TIMESTAMP, false, 'First.', '<p>Words.</p>')"))
    for statement in ("UPDATE consent_events SET new_value = NOT new_value",
                      "DELETE FROM consent_events", "UPDATE notice_versions SET body = ''",
                      "DELETE FROM notice_versions"):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
            connection.execute(text(statement))


def test_upgrade_downgrade_upgrade_matches_models(app, empty_database, make_person):
    upgrade()
    assert _differences() == []
    downgrade(revision="base")
    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    upgrade()
    assert _differences() == []
    _the_ledger_sets_the_state(make_person().id)
    _the_ledger_refuses_a_rewrite()


def test_the_upgrade_encrypts_free_text_already_stored(app, empty_database, make_person):
    upgrade(revision="0004")
    person_id = make_person().id
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO orders (reference, product, amount_pence, currency, status, "
            "ordered_at, updated_at) VALUES ('OLD-1', 'Pregnancy test kit', 899, 'GBP', "
            "'delivered', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        connection.execute(text(
            "INSERT INTO external_records (person_id, source, description, received_at) "
            "VALUES (:pid, 'Facebook', 'Member of a debt advice group', CURRENT_TIMESTAMP)"),
            {"pid": person_id})
    raw = "SELECT (SELECT product FROM orders), (SELECT description FROM external_records)"

    upgrade()
    stored = db.session.execute(text(raw)).one()
    assert "Pregnancy" not in stored[0] and "debt" not in stored[1]
    db.session.rollback()
    assert db.session.scalar(select(Order.product)) == "Pregnancy test kit"
    assert db.session.scalar(select(ExternalRecord.description)) == (
        "Member of a debt advice group")
    db.session.rollback()

    downgrade(revision="0004")
    assert tuple(db.session.execute(text(raw)).one()) == (
        "Pregnancy test kit", "Member of a debt advice group")
    db.session.rollback()
