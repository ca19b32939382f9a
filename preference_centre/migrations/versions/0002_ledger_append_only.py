"""consent_events refuses updates and deletes on PostgreSQL (erasure may pseudonymise)

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    from preference_centre.models.consent import LEDGER_GUARD_FUNCTION, LEDGER_GUARD_TRIGGER

    op.execute(LEDGER_GUARD_FUNCTION)
    op.execute(LEDGER_GUARD_TRIGGER)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS consent_events_append_only ON consent_events")
    op.execute("DROP FUNCTION IF EXISTS consent_events_append_only()")
