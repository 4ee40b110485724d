"""certificates: a revocation status list position and the holder's salted login hash

Revision ID: 16d7ef4f23db
Revises: d41f7a2c9e58
Create Date: 2026-12-02 00:00:00

Certificates issued before get theirs here: a random free index in status list 1 (or the
next list past half fill, like the service), and the hash of their holder's login now.
"""
import hashlib
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '16d7ef4f23db'
down_revision = 'd41f7a2c9e58'
branch_labels = None
depends_on = None

LIST_SIZE = 131_072  # app/certificates/status.py


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_list', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('status_index', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('subject_type', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('subject_salt', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('subject_hash', sa.String(length=80), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_certificates_status_list_status_index'), ['status_list', 'status_index'])
    _fill_existing()


def _fill_existing():
    bind = op.get_bind()
    certificates = sa.table('certificates', sa.column('id'), sa.column('user_id'),
                            sa.column('status_list'), sa.column('status_index'),
                            sa.column('subject_type'), sa.column('subject_salt'),
                            sa.column('subject_hash'))
    users = sa.table('users', sa.column('id'), sa.column('email'), sa.column('phone'))
    rows = bind.execute(sa.select(certificates.c.id, users.c.email, users.c.phone)
                        .join(users, users.c.id == certificates.c.user_id)
                        .order_by(certificates.c.id)).all()
    taken: set[tuple[int, int]] = set()
    for n, (certificate_id, email, phone) in enumerate(rows):
        number = 1 + n // (LIST_SIZE // 2)
        index = secrets.randbelow(LIST_SIZE)
        while (number, index) in taken:
            index = secrets.randbelow(LIST_SIZE)
        taken.add((number, index))
        login, kind = (email, 'emailAddress') if email else (phone, 'identifier')
        salt = secrets.token_hex(16)
        digest = hashlib.sha256(f"{login}{salt}".encode()).hexdigest()
        bind.execute(sa.update(certificates).where(certificates.c.id == certificate_id).values(
            status_list=number, status_index=index, subject_type=kind, subject_salt=salt,
            subject_hash=f"sha256${digest}"))


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_certificates_status_list_status_index'),
                                 type_='unique')
        batch_op.drop_column('subject_hash')
        batch_op.drop_column('subject_salt')
        batch_op.drop_column('subject_type')
        batch_op.drop_column('status_index')
        batch_op.drop_column('status_list')
