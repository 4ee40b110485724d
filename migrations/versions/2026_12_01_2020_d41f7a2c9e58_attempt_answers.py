"""attempt answers: one row per question answered, for item statistics and adaptive steps

Revision ID: d41f7a2c9e58
Revises: b7e2c41d9a30
Create Date: 2026-12-01 20:20:00

"""
from alembic import op
import sqlalchemy as sa

import app.columns


# revision identifiers, used by Alembic.
revision = 'd41f7a2c9e58'
down_revision = 'b7e2c41d9a30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attempt_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=40), nullable=False),
    sa.Column('competence', sa.String(length=8), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('chosen_mask', sa.Integer(), nullable=False),
    sa.Column('chosen', sa.JSON(), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.Column('answered_at', app.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_attempt_answers_attempt_id_attempts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt_answers')),
    sa.UniqueConstraint('attempt_id', 'question_id', name=op.f('uq_attempt_answers_attempt_id_question_id'))
    )
    op.create_index('ix_attempt_answers_question', 'attempt_answers', ['question_id'], unique=False)


def downgrade():
    op.drop_index('ix_attempt_answers_question', table_name='attempt_answers')
    op.drop_table('attempt_answers')
