"""durable background jobs; processed_deliveries dropped (a job's dedup key now stops redeliveries)

Written by hand after the model (core/db/models.py Job); checked against autogenerate on SQLite and PostgreSQL
(no differences).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 09:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('queue', sa.String(length=32), nullable=False),
    sa.Column('task', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('dedup_key', sa.String(length=96), nullable=True),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='jobstatus', native_enum=False, length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('run_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_by', sa.String(length=64), nullable=True),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checkpoint', sa.Text(), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs')),
    sa.UniqueConstraint('dedup_key', name=op.f('uq_jobs_dedup_key'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index('ix_jobs_due', ['queue', 'status', 'run_at'], unique=False)
    with op.batch_alter_table('processed_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processed_deliveries_created_at'))
    op.drop_table('processed_deliveries')


def downgrade() -> None:
    op.create_table('processed_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_processed_deliveries')),
    sa.UniqueConstraint('channel', 'key', name=op.f('uq_processed_deliveries_channel'))
    )
    with op.batch_alter_table('processed_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processed_deliveries_created_at'), ['created_at'], unique=False)
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_due')
    op.drop_table('jobs')
