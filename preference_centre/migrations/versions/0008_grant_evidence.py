"""consent_events keeps the evidence of a choice another system captured, and the keyed hash
of an address or number its owner took off the suppression list (both engines)

A grant by anyone but the person themselves takes effect only with its evidence (when and
where it was captured, the notice or wording shown): the ledger now stores it. Suppression
events (purpose ``suppression:email`` / ``suppression:phone``) are about an address, not a
purpose, so the trigger that keeps consent_state (0003) no longer projects them.

The columns are added with ALTER TABLE on both engines (batch mode only recreates a table
when it must, and recreating consent_events would drop its triggers); the state trigger is
replaced by this revision's own definition (0010 changes it again).

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

COLUMNS = ("captured_at", "collection_point", "wording", "value_hash")
# 0003's definitions, restored by the downgrade.
_OLD_UPSERT = """
    INSERT INTO consent_state (person_id, purpose, allowed, updated_at, last_event_id)
    VALUES (NEW.person_id, NEW.purpose, NEW.new_value, NEW.occurred_at, NEW.id)
    ON CONFLICT (person_id, purpose) DO UPDATE SET allowed = excluded.allowed,
        updated_at = excluded.updated_at, last_event_id = excluded.last_event_id;
"""
_OLD_SQLITE = ("CREATE TRIGGER consent_state_follows_ledger AFTER INSERT ON consent_events "
               f"WHEN NEW.person_id IS NOT NULL BEGIN {_OLD_UPSERT} END")
_OLD_POSTGRESQL = (
    "CREATE OR REPLACE FUNCTION consent_state_follows_ledger() RETURNS trigger AS $$ BEGIN "
    f"IF NEW.person_id IS NOT NULL THEN {_OLD_UPSERT} END IF; RETURN NULL; END; "
    "$$ LANGUAGE plpgsql"
)

# This revision's definitions: suppression events have no current answer.
_UPSERT = _OLD_UPSERT
_SQLITE = ("CREATE TRIGGER consent_state_follows_ledger AFTER INSERT ON consent_events "
           "WHEN NEW.person_id IS NOT NULL AND NEW.purpose NOT LIKE 'suppression:%' "
           f"BEGIN {_UPSERT} END")
_POSTGRESQL = (
    "CREATE OR REPLACE FUNCTION consent_state_follows_ledger() RETURNS trigger AS $$ BEGIN "
    "IF NEW.person_id IS NOT NULL AND NEW.purpose NOT LIKE 'suppression:%' "
    f"THEN {_UPSERT} END IF; RETURN NULL; END; "
    "$$ LANGUAGE plpgsql"
)


def _postgresql():
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    with op.batch_alter_table('consent_events') as batch_op:
        batch_op.add_column(sa.Column('captured_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('collection_point', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('wording', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('value_hash', sa.String(length=64), nullable=True))
    if _postgresql():
        op.execute(_POSTGRESQL)  # CREATE OR REPLACE: the trigger stays
    else:
        op.execute("DROP TRIGGER IF EXISTS consent_state_follows_ledger")
        op.execute(_SQLITE)


def downgrade():
    if _postgresql():
        op.execute(_OLD_POSTGRESQL)
    else:
        op.execute("DROP TRIGGER IF EXISTS consent_state_follows_ledger")
        op.execute(_OLD_SQLITE)
    # One column at a time with ALTER TABLE ... DROP COLUMN (SQLite 3.35+), as 0004 does:
    # no copy of the table, so its triggers stay.
    for column in reversed(COLUMNS):
        op.drop_column('consent_events', column)
