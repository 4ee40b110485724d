"""personal data: consent and deletion times on accounts; class invitations a learner accepts

Revision ID: b7e2c41d9a30
Revises: 9fbbd280a88f
Create Date: 2026-12-01 19:30:00

"""
from alembic import op
import sqlalchemy as sa

import app.columns


# revision identifiers, used by Alembic.
revision = 'b7e2c41d9a30'
down_revision = '9fbbd280a88f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_at', app.columns.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deleted_at', app.columns.UTCDateTime(timezone=True), nullable=True))

    op.create_table('class_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('classroom_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('invited_by', sa.Integer(), nullable=True),
    sa.Column('created_at', app.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['classroom_id'], ['classrooms.id'], name=op.f('fk_class_invitations_classroom_id_classrooms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by'], ['users.id'], name=op.f('fk_class_invitations_invited_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_class_invitations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_invitations')),
    sa.UniqueConstraint('classroom_id', 'user_id', name=op.f('uq_class_invitations_classroom_id_user_id'))
    )
    op.create_index('ix_class_invitations_user', 'class_invitations', ['user_id'], unique=False)


def downgrade():
    op.drop_index('ix_class_invitations_user', table_name='class_invitations')
    op.drop_table('class_invitations')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')
        batch_op.drop_column('consent_at')
