"""consent_state is set by the database from each new consent_events row (both engines)

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    from preference_centre.models.consent import (
        STATE_FUNCTION_POSTGRESQL,
        STATE_TRIGGER_POSTGRESQL,
        STATE_TRIGGER_SQLITE,
    )

    if op.get_bind().dialect.name == "postgresql":
        op.execute(STATE_FUNCTION_POSTGRESQL)
        op.execute(STATE_TRIGGER_POSTGRESQL)
    else:
        op.execute(STATE_TRIGGER_SQLITE)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS consent_state_follows_ledger ON consent_events")
        op.execute("DROP FUNCTION IF EXISTS consent_state_follows_ledger()")
    else:
        op.execute("DROP TRIGGER IF EXISTS consent_state_follows_ledger")
