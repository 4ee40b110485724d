"""reports: counts kept by difference (report_learners), changes noted by triggers (report_changes)

Revision ID: 1dfd8ab5723c
Revises: 4b8d2e6f9a13
Create Date: 2026-12-02 03:30:00

Triggers note, in the transaction that makes it, every change that can move a province's counts:
a learner registered, deleted, or changed group, commune, unit or province; a certificate
issued, revoked or deleted; an ambassador's action; a unit moved to another commune.
`flask reports refresh` takes the notes it can see and recounts only those (reports/snapshot.py).
The first refresh after this migration recounts everyone (content_key cleared).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1dfd8ab5723c'
down_revision = '4b8d2e6f9a13'
branch_labels = None
depends_on = None

# table: (kind noted, whose id and province: None = the row itself, else a users column,
#         columns whose change matters); a row inserted or deleted is noted too
WATCHED = {
    'users': ('learner', None,
              ('group_slug', 'province_code', 'commune_code', 'unit_id', 'created_at')),
    'certificates': ('learner', 'user_id',
                     ('user_id', 'kind', 'course_slug', 'issued_at', 'revoked_at')),
    'ambassador_actions': ('ambassador', 'ambassador_id',
                           ('ambassador_id', 'citizen_id', 'kind', 'created_at')),
    # a unit moved, made or deleted (its id could come back on SQLite): its counts are
    # recounted from report_learners
    'units': ('unit', None, ('commune_code',)),
}


def _note(row, kind, owner):
    """SQL inserting the change for `row` (OLD or NEW): the same in PL/pgSQL and SQLite."""
    if owner is None:
        return (f"INSERT INTO report_changes (province_code, kind, subject_id) "
                f"SELECT {row}.province_code, '{kind}', {row}.id;")
    return (f"INSERT INTO report_changes (province_code, kind, subject_id) "
            f"SELECT province_code, '{kind}', id FROM users WHERE id = {row}.{owner};")


def _triggers(postgresql: bool):
    for table, (kind, owner, columns) in WATCHED.items():
        changed = ' OR '.join(f"OLD.{c} IS {'DISTINCT FROM' if postgresql else 'NOT'} NEW.{c}"
                              for c in columns)
        of = ', '.join(columns)
        if postgresql:
            yield (f"CREATE OR REPLACE FUNCTION report_note_{table}() RETURNS trigger "
                   f"LANGUAGE plpgsql AS $$ BEGIN "
                   f"IF TG_OP <> 'INSERT' THEN {_note('OLD', kind, owner)} END IF; "
                   f"IF TG_OP <> 'DELETE' THEN {_note('NEW', kind, owner)} END IF; "
                   f"RETURN NULL; END $$")
            yield (f"CREATE TRIGGER report_{table}_added_or_deleted AFTER INSERT OR DELETE "
                   f"ON {table} FOR EACH ROW EXECUTE FUNCTION report_note_{table}()")
            yield (f"CREATE TRIGGER report_{table}_changed AFTER UPDATE OF {of} ON {table} "
                   f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION report_note_{table}()")
        else:
            yield (f"CREATE TRIGGER report_{table}_added AFTER INSERT ON {table} "
                   f"BEGIN {_note('NEW', kind, owner)} END")
            yield (f"CREATE TRIGGER report_{table}_deleted AFTER DELETE ON {table} "
                   f"BEGIN {_note('OLD', kind, owner)} END")
            yield (f"CREATE TRIGGER report_{table}_changed AFTER UPDATE OF {of} ON {table} "
                   f"WHEN {changed} BEGIN {_note('OLD', kind, owner)} {_note('NEW', kind, owner)} "
                   f"END")


def upgrade():
    op.create_table('report_changes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('province_code', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_changes'))
    )
    op.create_table('report_learners',
    sa.Column('province_code', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('user_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('commune_code', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('group_slug', sa.String(length=40), nullable=False),
    sa.Column('registered_month', sa.Integer(), nullable=False),
    sa.Column('trained_month', sa.Integer(), nullable=True),
    sa.Column('confirmed_month', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('province_code', 'user_id', name=op.f('pk_report_learners'))
    )
    for statement in _triggers(op.get_bind().dialect.name == 'postgresql'):
        op.execute(statement)
    # report_learners is empty: the next refresh must count everyone, not the difference
    op.execute("UPDATE report_refreshes SET content_key = NULL")


def downgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for table in WATCHED:
        for name in ['changed'] + (['added_or_deleted'] if postgresql else ['added', 'deleted']):
            op.execute(f"DROP TRIGGER IF EXISTS report_{table}_{name}" +
                       (f" ON {table}" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION IF EXISTS report_note_{table}()")
    op.drop_table('report_learners')
    op.drop_table('report_changes')
