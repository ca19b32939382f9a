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
    from preference_centre.models.consent import LEDGER_GUARD_SQLITE, NOTICE_GUARD

    # Triggers only: no table is altered, so no batch copy (which would drop the tables'
    # other triggers) is needed.
    dialect = op.get_bind().dialect.name
    for ddl in (*(LEDGER_GUARD_SQLITE if dialect == "sqlite" else ()),
                *NOTICE_GUARD.for_dialect(dialect)):
        op.execute(ddl)


def downgrade():
    from preference_centre.models.consent import NOTICE_GUARD

    dialect = op.get_bind().dialect.name
    for statement in NOTICE_GUARD.drop_statements(dialect):
        op.execute(statement)
    if dialect == "sqlite":
        for name in ("consent_events_no_update", "consent_events_no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
