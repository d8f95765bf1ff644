"""jobs: an optional order key (jobs of one queue and key run one at a time, in id order)

Written by hand after the model (core/db/models.py Job).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 13:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('order_key', sa.String(length=96), nullable=True))
        batch_op.create_index('ix_jobs_order', ['queue', 'order_key', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_order')
        batch_op.drop_column('order_key')
