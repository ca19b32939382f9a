"""Migrations build the same schema as the models, forwards and backwards, on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from preference_centre.extensions import db

MIGRATIONS = None  # the app knows its migrations folder


def _reset(engine_name):
    if engine_name == "postgresql":
        db.session.execute(text("DROP SCHEMA public CASCADE"))
        db.session.execute(text("CREATE SCHEMA public"))
        db.session.commit()
    else:
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _differences():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_downgrade_upgrade_matches_models(app, engine_name):
    _reset(engine_name)
    try:
        upgrade()
        assert _differences() == []
        downgrade(revision="base")
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
        assert _differences() == []
    finally:
        if engine_name == "postgresql":
            # Leave the schema as the rest of the run expects it (models, with the guard).
            _reset(engine_name)
            db.create_all()
