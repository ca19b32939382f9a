"""consent_events refuses updates and deletes on SQLite too (erasure may pseudonymise);
published privacy notices refuse them on both engines

PostgreSQL's ledger has had its guard since 0002.

Revision ID: 0009
Revises: 0008
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    from preference_centre.models.consent import (
        LEDGER_GUARD_SQLITE,
        NOTICE_GUARD_FUNCTION_POSTGRESQL,
        NOTICE_GUARD_SQLITE,
        NOTICE_GUARD_TRIGGER_POSTGRESQL,
    )

    # Triggers only: no table is altered, so no batch copy (which would drop the tables'
    # other triggers) is needed.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(NOTICE_GUARD_FUNCTION_POSTGRESQL)
        op.execute(NOTICE_GUARD_TRIGGER_POSTGRESQL)
    else:
        for ddl in (*LEDGER_GUARD_SQLITE, *NOTICE_GUARD_SQLITE):
            op.execute(ddl)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS notice_versions_append_only ON notice_versions")
        op.execute("DROP FUNCTION IF EXISTS notice_versions_append_only()")
    else:
        for name in ("consent_events_no_update", "consent_events_no_delete",
                     "notice_versions_no_update", "notice_versions_no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
