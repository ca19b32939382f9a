"""A person can pause all marketing for a while, and choose a pace per email topic (both
engines)

A pause (``pause:marketing``) and a pace (``pace:email:offers``...) are ledger events like
any choice, with what was chosen in two new columns of consent_events: ``paused_until`` and
``pace``. They are not purposes, so the trigger that keeps consent_state (0003, 0008) leaves
them out; a second projection, pacing_state, holds each person's current pause and paces and
is kept by the database from the same inserts.

The columns are added with ALTER TABLE on both engines (batch mode only recreates a table
when it must, and recreating consent_events would drop its triggers). SQLite's append-only
guard (0009) names every column erasure must leave as it was, so it is made again from the
table's columns after they change, both ways.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
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


# Erasure empties these and sets erasure_ref; every other column must stay as it was.
_PSEUDONYMISED = ("person_id", "ip_prefix", "ua_family", "actor_id", "message_ref",
                  "value_hash")


def _postgresql():
    return op.get_bind().dialect.name == "postgresql"


def _sqlite_update_guard():
    """0009's consent_events_no_update, for the columns the table has now."""
    columns = [c["name"] for c in sa.inspect(op.get_bind()).get_columns("consent_events")]
    kept = [name for name in columns if name not in {*_PSEUDONYMISED, "erasure_ref"}]
    allowed = " AND ".join([
        "OLD.erasure_ref IS NULL", "NEW.erasure_ref IS NOT NULL",
        *(f"NEW.{name} IS NULL" for name in _PSEUDONYMISED),
        *(f"NEW.{name} IS OLD.{name}" for name in kept),
    ])
    op.execute("DROP TRIGGER IF EXISTS consent_events_no_update")
    op.execute(
        "CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events "
        f"WHEN NOT ({allowed}) "
        "BEGIN SELECT RAISE(ABORT, 'consent_events is append-only (UPDATE refused)'); END")


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
        _sqlite_update_guard()


def downgrade():
    if _postgresql():
        op.execute(_OLD_POSTGRESQL)
    else:
        op.execute("DROP TRIGGER IF EXISTS pacing_state_follows_ledger")
        op.execute("DROP TRIGGER IF EXISTS consent_state_follows_ledger")
        op.execute(_OLD_SQLITE)
    op.drop_table('pacing_state')
    if not _postgresql():  # the guard names the columns: it cannot stay while they go
        op.execute("DROP TRIGGER IF EXISTS consent_events_no_update")
    # One column at a time with ALTER TABLE ... DROP COLUMN (SQLite 3.35+), as 0008 does: no
    # copy of the table, so its triggers stay.
    for column in reversed(COLUMNS):
        op.drop_column('consent_events', column)
    if not _postgresql():
        _sqlite_update_guard()
