"""jobs: ix_jobs_due gets the id, the claim's second sort key

A claim reads a queue's due jobs by (run_at, id) and takes the first few (core/jobs.py claim); with the id in the
index PostgreSQL reads them in index order instead of sorting every due job (SQLite appends the rowid anyway).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 12:40:00
"""

from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_due')
        batch_op.create_index('ix_jobs_due', ['queue', 'status', 'run_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_due')
        batch_op.create_index('ix_jobs_due', ['queue', 'status', 'run_at'], unique=False)
