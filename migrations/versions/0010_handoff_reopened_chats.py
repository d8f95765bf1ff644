"""handoff chats closed as solved and reopened: how often, and when last

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 12:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('handoff_chats', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reopened_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('reopened_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('handoff_chats', schema=None) as batch_op:
        batch_op.drop_column('reopened_at')
        batch_op.drop_column('reopened_count')
