"""orders.product and external_records.description are encrypted at rest (both engines)

Free text about a person (what they ordered, what another organisation said about them) is
encrypted like the contact fields. The columns become TEXT (a ciphertext is longer than the
200 characters allowed) and every existing value is encrypted in place, with the running
app's keys: ``flask db upgrade`` runs inside the app, so ``DATA_ENCRYPTION_KEYS`` are the
ones the app reads them back with. A value that already decrypts with those keys is left as
it is, so running this over rows written by the new code changes nothing. Downgrading
decrypts them again (at most 200 characters each, the old column size).

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

COLUMNS = (("orders", "product"), ("external_records", "description"))
BATCH = 1000


def _field_crypto():
    from preference_centre.crypto import field_crypto

    return field_crypto()


def _is_ciphertext(value):
    from cryptography.fernet import InvalidToken

    try:
        _field_crypto().decrypt(value)
    except (InvalidToken, ValueError, UnicodeError):
        return False
    return True


def _rewrite(table_name, column, change):
    """Rewrite every non-empty value of ``column`` with ``change(value)`` (None: leave it),
    BATCH rows at a time so a large table costs no more memory than a small one."""
    bind = op.get_bind()
    table = sa.table(table_name, sa.column("id", sa.Integer), sa.column(column, sa.Text))
    update = (table.update().where(table.c.id == sa.bindparam("row_id"))
              .values({column: sa.bindparam("new_value")}))
    last = 0
    while True:
        rows = bind.execute(sa.select(table.c.id, table.c[column]).where(table.c.id > last)
                            .order_by(table.c.id).limit(BATCH)).all()
        if not rows:
            return
        last = rows[-1][0]
        changed = [{"row_id": row_id, "new_value": new}
                   for row_id, value in rows if value
                   for new in [change(value)] if new is not None]
        if changed:
            bind.execute(update, changed)


def _encrypt(value):
    return None if _is_ciphertext(value) else _field_crypto().encrypt(value)


def _decrypt(value):
    return _field_crypto().decrypt(value)[:200] if _is_ciphertext(value) else None


def upgrade():
    for table_name, column in COLUMNS:
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.String(length=200),
                                  type_=sa.Text(), existing_nullable=False)
        _rewrite(table_name, column, _encrypt)


def downgrade():
    for table_name, column in COLUMNS:
        _rewrite(table_name, column, _decrypt)
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.Text(),
                                  type_=sa.String(length=200), existing_nullable=False)
