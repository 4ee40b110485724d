"""PostgreSQL: a read opens no transaction (no BEGIN, no ROLLBACK); a write opens one, and
commit or rollback end it as before."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.transactions import writes


def test_which_statements_need_a_transaction():
    assert not writes("SELECT users.id FROM users WHERE users.id = %(id)s")
    assert not writes("  with t as (select 1) select * from t")
    assert not writes("VACUUM (ANALYZE) learner_status")
    assert writes("SELECT id FROM certificates WHERE code = %(c)s FOR UPDATE")
    assert writes("INSERT INTO attempts (user_id) VALUES (%(u)s) RETURNING attempts.id")
    assert writes("UPDATE attempts SET submitted_at=%(s)s WHERE attempts.id = %(id)s")
    assert writes("SAVEPOINT sa_savepoint_1")
    assert writes("WITH moved AS (DELETE FROM a RETURNING *) INSERT INTO b SELECT * FROM moved")


def test_reads_run_outside_a_transaction_and_writes_inside_one(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("psycopg's autocommit reads are a PostgreSQL matter (CI runs the suite there)")
    from psycopg.pq import TransactionStatus

    with app.app_context():
        connection = db.session.connection().connection.dbapi_connection
        db.session.execute(sa.text("SELECT count(*) FROM users"))
        assert connection.info.transaction_status is TransactionStatus.IDLE  # no BEGIN was sent
        db.session.execute(sa.text("INSERT INTO units (province_code, commune_code, kind, name, created_at) "
                                   "VALUES (38, 1, 'school', 'Trường thử', now())"))
        assert connection.info.transaction_status is TransactionStatus.INTRANS
        db.session.rollback()
        assert db.session.scalar(sa.text("SELECT count(*) FROM units WHERE name = 'Trường thử'")) == 0
        db.session.remove()
