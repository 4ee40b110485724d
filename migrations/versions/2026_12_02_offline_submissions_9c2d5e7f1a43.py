"""offline submissions: checks answered without a signal, graded once when they arrive

Revision ID: 9c2d5e7f1a43
Revises: d41f7a2c9e58
Create Date: 2026-12-02 00:00:00

"""
from alembic import op
import sqlalchemy as sa

import app.columns


# revision identifiers, used by Alembic.
revision = '9c2d5e7f1a43'
down_revision = 'd41f7a2c9e58'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('offline_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('draw_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=True),
    sa.Column('taken_at', app.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('received_at', app.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_offline_submissions_attempt_id_attempts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_offline_submissions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offline_submissions')),
    sa.UniqueConstraint('draw_id', name=op.f('uq_offline_submissions_draw_id')),
    sa.UniqueConstraint('key', name=op.f('uq_offline_submissions_key'))
    )
    op.create_index(op.f('ix_offline_submissions_user_id'), 'offline_submissions', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_offline_submissions_user_id'), table_name='offline_submissions')
    op.drop_table('offline_submissions')
