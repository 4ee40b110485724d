"""a revoked certificate no longer blocks a new one: one *valid* certificate per learner and
course (or confirmation), so a citizen whose confirmation was revoked can earn it again

The unique constraint on (user_id, kind, course_slug) becomes a unique index on the rows not
revoked (PostgreSQL and SQLite both have partial indexes); an index on user_id keeps the
learner's own list fast.

Revision ID: a3f6c2e8b917
Revises: 5e3b9c1a7d24, 16d7ef4f23db
Create Date: 2026-12-02 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3f6c2e8b917'
# Also merges the two other 2026-12-02 heads (both from d41f7a2c9e58), so that `flask db
# upgrade` has one head; this change depends on neither.
down_revision = ('5e3b9c1a7d24', '16d7ef4f23db')
branch_labels = None
depends_on = None

NOT_REVOKED = sa.text("revoked_at IS NULL")


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_certificates_user_id_kind_course_slug'),
                                 type_='unique')
        batch_op.create_index(batch_op.f('ix_certificates_user_id'), ['user_id'], unique=False)
    op.create_index('uq_certificates_held', 'certificates', ['user_id', 'kind', 'course_slug'],
                    unique=True, postgresql_where=NOT_REVOKED, sqlite_where=NOT_REVOKED)


def downgrade():
    # Fails if a learner holds a revoked and a valid certificate for the same thing: such a
    # pair cannot be kept under the old rule.
    op.drop_index('uq_certificates_held', table_name='certificates')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificates_user_id'))
        batch_op.create_unique_constraint(
            batch_op.f('uq_certificates_user_id_kind_course_slug'),
            ['user_id', 'kind', 'course_slug'])
