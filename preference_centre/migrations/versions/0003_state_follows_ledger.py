"""consent_state is set by the database from each new consent_events row (both engines)

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


# This revision's own definitions, not the models' current ones: later revisions change the
# trigger (0008, 0010) and SQLite refuses every insert whose trigger names a column or table
# that does not exist yet.
_UPSERT = """
    INSERT INTO consent_state (person_id, purpose, allowed, updated_at, last_event_id)
    VALUES (NEW.person_id, NEW.purpose, NEW.new_value, NEW.occurred_at, NEW.id)
    ON CONFLICT (person_id, purpose) DO UPDATE SET allowed = excluded.allowed,
        updated_at = excluded.updated_at, last_event_id = excluded.last_event_id;
"""
STATE_TRIGGER_SQLITE = ("CREATE TRIGGER consent_state_follows_ledger AFTER INSERT ON "
                        f"consent_events WHEN NEW.person_id IS NOT NULL BEGIN {_UPSERT} END")
STATE_FUNCTION_POSTGRESQL = (
    "CREATE OR REPLACE FUNCTION consent_state_follows_ledger() RETURNS trigger AS $$ BEGIN "
    f"IF NEW.person_id IS NOT NULL THEN {_UPSERT} END IF; RETURN NULL; END; "
    "$$ LANGUAGE plpgsql"
)
STATE_TRIGGER_POSTGRESQL = (
    "CREATE TRIGGER consent_state_follows_ledger AFTER INSERT ON consent_events "
    "FOR EACH ROW EXECUTE FUNCTION consent_state_follows_ledger()"
)


def upgrade():
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
