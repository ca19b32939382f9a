"""consent_events refuses updates and deletes on SQLite too (erasure may pseudonymise)

PostgreSQL has had its guard since 0002; nothing changes there.

Revision ID: 0009
Revises: 0006
"""
from alembic import op

revision = '0009'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    from preference_centre.models.consent import LEDGER_GUARD_SQLITE

    # Triggers only: no table is altered, so no batch copy (which would drop the table's
    # other triggers) is needed.
    for ddl in LEDGER_GUARD_SQLITE:
        op.execute(ddl)


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER IF EXISTS consent_events_no_update")
    op.execute("DROP TRIGGER IF EXISTS consent_events_no_delete")
