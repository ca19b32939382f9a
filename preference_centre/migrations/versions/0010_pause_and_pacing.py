"""A person can pause all marketing for a while, and choose a pace per email topic (both
engines)

A pause (``pause:marketing``) and a pace (``pace:email:offers``...) are ledger events like
any choice, with what was chosen in two new columns of consent_events: ``paused_until`` and
``pace``. They are not purposes, so the trigger that keeps consent_state (0003, 0008) leaves
them out; a second projection, pacing_state, holds each person's current pause and paces and
is kept by the database from the same inserts.

The columns are added with ALTER TABLE on both engines (batch mode only recreates a table
when it must, and recreating consent_events would drop its triggers).

Revision ID: 0010
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None

COLUMNS = ("paused_until", "pace")
_STATE_UPSERT = """
    INSERT INTO consent_state (person_id, purpose, allowed, updated_at, last_event_id)
    VALUES (NEW.person_id, NEW.purpose, NEW.new_value, NEW.occurred_at, NEW.id)
    ON CONFLICT (person_id, purpose) DO UPDATE SET allowed = excluded.allowed,
        updated_at = excluded.updated_at, last_event_id = excluded.last_event_id;
"""
_PACING_UPSERT = """
    INSERT INTO pacing_state (person_id, setting, paused_until, pace, updated_at, last_event_id)
    VALUES (NEW.person_id, NEW.purpose, NEW.paused_until, NEW.pace, NEW.occurred_at, NEW.id)
    ON CONFLICT (person_id, setting) DO UPDATE SET paused_until = excluded.paused_until,
        pace = excluded.pace, updated_at = excluded.updated_at,
        last_event_id = excluded.last_event_id;
"""
_IS_PURPOSE = ("NEW.purpose NOT LIKE 'suppression:%' AND NEW.purpose NOT LIKE 'pause:%' "
               "AND NEW.purpose NOT LIKE 'pace:%'")
_IS_PACING = "(NEW.purpose LIKE 'pause:%' OR NEW.purpose LIKE 'pace:%')"
_STATE_SQLITE = ("CREATE TRIGGER consent_state_follows_ledger AFTER INSERT ON consent_events "
                 f"WHEN NEW.person_id IS NOT NULL AND {_IS_PURPOSE} BEGIN {_STATE_UPSERT} END")
_PACING_SQLITE = ("CREATE TRIGGER pacing_state_follows_ledger AFTER INSERT ON consent_events "
                  f"WHEN NEW.person_id IS NOT NULL AND {_IS_PACING} BEGIN {_PACING_UPSERT} END")
_POSTGRESQL = (
    "CREATE OR REPLACE FUNCTION consent_state_follows_ledger() RETURNS trigger AS $$ BEGIN "
    f"IF NEW.person_id IS NOT NULL AND {_IS_PURPOSE} THEN {_STATE_UPSERT} "
    f"ELSIF NEW.person_id IS NOT NULL AND {_IS_PACING} THEN {_PACING_UPSERT} "
    "END IF; RETURN NULL; END; $$ LANGUAGE plpgsql"
)
# 0008's definitions, restored by the downgrade.
_OLD_SQLITE = ("CREATE TRIGGER consent_state_follows_ledger AFTER INSERT ON consent_events "
               "WHEN NEW.person_id IS NOT NULL AND NEW.purpose NOT LIKE 'suppression:%' "
               f"BEGIN {_STATE_UPSERT} END")
_OLD_POSTGRESQL = (
    "CREATE OR REPLACE FUNCTION consent_state_follows_ledger() RETURNS trigger AS $$ BEGIN "
    "IF NEW.person_id IS NOT NULL AND NEW.purpose NOT LIKE 'suppression:%' "
    f"THEN {_STATE_UPSERT} END IF; RETURN NULL; END; $$ LANGUAGE plpgsql"
)


def _postgresql():
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    with op.batch_alter_table('consent_events') as batch_op:
        batch_op.add_column(sa.Column('paused_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('pace', sa.String(length=10), nullable=True))
    op.create_table(
        'pacing_state',
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('setting', sa.String(length=80), nullable=False),
        sa.Column('paused_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('pace', sa.String(length=10), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_event_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('person_id', 'setting'),
    )
    if _postgresql():
        op.execute(_POSTGRESQL)  # CREATE OR REPLACE: the trigger stays
    else:
        op.execute("DROP TRIGGER IF EXISTS consent_state_follows_ledger")
        op.execute(_STATE_SQLITE)
        op.execute(_PACING_SQLITE)


def downgrade():
    if _postgresql():
        op.execute(_OLD_POSTGRESQL)
    else:
        op.execute("DROP TRIGGER IF EXISTS pacing_state_follows_ledger")
        op.execute("DROP TRIGGER IF EXISTS consent_state_follows_ledger")
        op.execute(_OLD_SQLITE)
    op.drop_table('pacing_state')
    # One column at a time with ALTER TABLE ... DROP COLUMN (SQLite 3.35+), as 0008 does: no
    # copy of the table, so its triggers stay.
    for column in reversed(COLUMNS):
        op.drop_column('consent_events', column)
