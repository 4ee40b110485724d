"""jobs: long work (a roster import) off the request path, with its progress and result

Revision ID: 7c4e1b9a2f60
Revises: a3f6c2e8b917, 9c2d5e7f1a43
Create Date: 2026-12-02 00:00:00

"""
from alembic import op
import sqlalchemy as sa

import app.columns


# revision identifiers, used by Alembic.
revision = '7c4e1b9a2f60'
down_revision = ('a3f6c2e8b917', '9c2d5e7f1a43')  # the heads when written; re-chain freely
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('jobs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('created_at', app.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', app.columns.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    op.create_index(op.f('ix_jobs_created_at'), 'jobs', ['created_at'], unique=False)
    op.create_index(op.f('ix_jobs_owner_id'), 'jobs', ['owner_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_jobs_owner_id'), table_name='jobs')
    op.drop_index(op.f('ix_jobs_created_at'), table_name='jobs')
    op.drop_table('jobs')
