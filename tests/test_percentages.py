"""One rounding for percentages: halves up, the same in Python and in the database's SQL."""

import sqlalchemy as sa

from app.extensions import db
from app.percentages import percent, percent_sql


def test_halves_round_up():
    assert percent(3, 24) == 13  # 12.5: Python's round() says 12
    assert percent(1, 8) == 13 and percent(5, 8) == 63  # 12.5, 62.5
    assert percent(2, 3) == 67 and percent(1, 3) == 33 and percent(0, 7) == 0
    assert percent(7, 7) == 100 and isinstance(percent(1, 2), int)
    assert percent(1, 16, places=1) == 6.3  # 6.25: round(6.25, 1) says 6.2
    assert percent(1, 3, places=1) == 33.3 and percent(4, 20, places=1) == 20.0


def test_sql_agrees_with_python_on_this_database(app_ctx):
    """Through the session, on SQLite here and on PostgreSQL in CI: integer columns, as in
    attempts.correct / attempts.total."""
    pairs = [(part, whole) for whole in range(1, 41) for part in range(whole + 1)]
    pairs += [(1, 1_000_000), (499_999, 1_000_000), (3_700_000, 3_700_000)]
    probe = sa.Table("percent_probe", sa.MetaData(), sa.Column("part", sa.Integer),
                     sa.Column("whole", sa.Integer), prefixes=["TEMPORARY"])
    connection = db.session.connection()
    probe.create(connection)
    try:
        db.session.execute(probe.insert(), [{"part": p, "whole": w} for p, w in pairs])
        rows = db.session.execute(sa.select(probe.c.part, probe.c.whole,
                                            percent_sql(probe.c.part, probe.c.whole))).all()
        assert len(rows) == len(pairs)
        assert [(p, w, v) for p, w, v in rows if v != percent(p, w)] == []
        assert all(isinstance(v, int) for _p, _w, v in rows)
    finally:
        db.session.rollback()
        db.session.execute(sa.text("DROP TABLE IF EXISTS percent_probe"))
        db.session.commit()
