"""jobs.file: the file a job made (a class's certificate ZIP), served by any web process

Revision ID: 4b8d2e6f9a13
Revises: 7c4e1b9a2f60
Create Date: 2026-12-02 03:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4b8d2e6f9a13'
down_revision = '7c4e1b9a2f60'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('jobs', sa.Column('file', sa.LargeBinary(), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        # A ZIP does not compress further: stored as is, read in slices without decompressing.
        op.execute('ALTER TABLE jobs ALTER COLUMN file SET STORAGE EXTERNAL')


def downgrade():
    with op.batch_alter_table('jobs') as batch_op:
        batch_op.drop_column('file')
