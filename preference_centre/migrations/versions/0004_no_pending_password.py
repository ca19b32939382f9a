"""people.pending_password_hash goes: a password typed at /register for an address we
already held must never be kept (security issue #10); the mailbox owner chooses it instead

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    # A plain DROP COLUMN on both engines (SQLite 3.35+): a batch copy of ``people`` would
    # lose its AUTOINCREMENT, which keeps erased people's ids from being given out again.
    op.drop_column('people', 'pending_password_hash')


def downgrade():
    op.add_column('people', sa.Column('pending_password_hash', sa.String(length=255),
                                      nullable=True))
