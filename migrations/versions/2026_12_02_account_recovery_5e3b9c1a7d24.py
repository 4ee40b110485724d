"""account recovery: short logins for people with no phone or email, the reset notice

Citizens an ambassador registered without a phone had a login shaped like an address
(`mw92b4qp@so.hocvuso.vn`); it becomes their short login `mw92b4qp` (the long form is still
accepted at sign-in: auth.services.parse_login).

Revision ID: 5e3b9c1a7d24
Revises: d41f7a2c9e58
Create Date: 2026-12-02 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e3b9c1a7d24'
down_revision = 'd41f7a2c9e58'
branch_labels = None
depends_on = None

SHEET_DOMAIN = "so.hocvuso.vn"
users = sa.table("users", sa.column("email", sa.String), sa.column("username", sa.String))


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('username', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('password_reset_pending', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
        batch_op.create_unique_constraint(batch_op.f('uq_users_username'), ['username'])
        batch_op.drop_constraint(batch_op.f('ck_users_has_login'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_users_has_login'),
            sa.text('email IS NOT NULL OR phone IS NOT NULL OR username IS NOT NULL'))
    suffix = "@" + SHEET_DOMAIN
    op.execute(users.update().where(users.c.email.like("%" + suffix))
               .values(username=sa.func.substr(users.c.email, 1,
                                               sa.func.length(users.c.email) - len(suffix)),
                       email=None))


def downgrade():
    op.execute(users.update().where(users.c.username.is_not(None), users.c.email.is_(None))
               .values(email=users.c.username + "@" + SHEET_DOMAIN))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_has_login'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_users_has_login'),
                                         sa.text('email IS NOT NULL OR phone IS NOT NULL'))
        batch_op.drop_constraint(batch_op.f('uq_users_username'), type_='unique')
        batch_op.drop_column('password_reset_pending')
        batch_op.drop_column('username')
