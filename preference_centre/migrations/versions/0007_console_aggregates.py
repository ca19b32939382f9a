"""The staff console: counts per purpose and reason and the weekly opt-in / opt-out series,
kept by triggers on both engines and backfilled; campaigns can be drafted once (idempotency
key) and carry an optional HTML body

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    from preference_centre.console.aggregate import backfill, install

    op.create_table(
        'console_counts',
        sa.Column('purpose', sa.String(length=80), nullable=False),
        sa.Column('reason', sa.String(length=20), nullable=False),
        sa.Column('slot', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('people', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('purpose', 'reason', 'slot', name=op.f('pk_console_counts')),
    )
    op.create_table(
        'console_weeks',
        sa.Column('week', sa.Date(), nullable=False),
        sa.Column('purpose', sa.String(length=80), nullable=False),
        sa.Column('slot', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('opt_ins', sa.Integer(), nullable=False),
        sa.Column('opt_outs', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('week', 'purpose', 'slot', name=op.f('pk_console_weeks')),
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_html', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_campaigns_idempotency_key'),
                                          ['idempotency_key'])
    connection = op.get_bind()
    install(connection)
    backfill(connection)


def downgrade():
    from preference_centre.console.aggregate import drop_statements

    connection = op.get_bind()
    for sql in drop_statements(connection.dialect.name):
        connection.exec_driver_sql(sql)
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_campaigns_idempotency_key'), type_='unique')
        batch_op.drop_column('sent_at')
        batch_op.drop_column('idempotency_key')
        batch_op.drop_column('body_html')
    op.drop_table('console_weeks')
    op.drop_table('console_counts')
