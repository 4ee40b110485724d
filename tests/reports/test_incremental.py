"""A refresh recounts only what changed since the previous one, and gets exactly what a full
recount (`rebuild=True`) gets, whatever changed and however late it was committed."""

import random
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.ambassadors.models import AmbassadorAction
from app.auth.models import User
from app.certificates.models import Certificate
from app.columns import utcnow
from app.extensions import db
from app.localities import communes
from app.privacy.services import delete_account
from app.reports import snapshot
from app.reports.models import AmbassadorCount, CommuneCount, LearnerStatus, Unit, UnitCount

from .conftest import _user, certificate, utc

COUNTS = {
    CommuneCount: ("province_code", "commune_code", "group_slug", "month", "registered", "trained",
                   "confirmed"),
    UnitCount: ("province_code", "commune_code", "unit_id", "group_slug", "month", "registered",
                "trained", "confirmed"),
    AmbassadorCount: ("province_code", "ambassador_id", "month", "registered", "sessions",
                      "confirmed"),
    LearnerStatus: ("user_id", "group_slug", "trained_at", "confirmed_at"),
}


def tables() -> dict[str, list[tuple]]:
    """Every count (and status) row, without ids: what the pages read."""
    return {model.__tablename__: sorted((tuple(row) for row in db.session.execute(sa.select(
        *(getattr(model, name) for name in columns)))), key=repr)
        for model, columns in COUNTS.items()}


class Changes:
    """Random changes of every kind that moves a count, made the way the app makes them."""

    def __init__(self, app, rng: random.Random):
        self.catalog = app.extensions["catalog"]
        self.rng = rng
        self.codes = [code for code, _ in communes(38)][:6]
        self.made = 0

    def _learners(self):
        return list(db.session.scalars(sa.select(User).where(
            User.role == "learner", User.province_code.in_((38, 1)))))

    def _when(self):
        return self.rng.choice([utcnow(), utcnow() - timedelta(days=40), utc(2025, 12, 31, 17),
                                utc(2026, 3, 9), utc(2025, 6, 2)])

    def _unit_of(self, commune):
        units = list(db.session.scalars(sa.select(Unit.id).where(Unit.commune_code == commune)))
        return self.rng.choice(units + [None])

    def new_learner(self):
        self.made += 1
        commune = self.rng.choice(self.codes)
        unit = self._unit_of(commune)
        _user(f"new{self.made}", self.rng.choice(list(self.catalog.groups)), commune,
              self._when(), db.session.get(Unit, unit) if unit else None)

    def issue(self):
        learner = self.rng.choice(self._learners())
        group = self.catalog.groups[self.rng.choice([learner.group_slug] * 3 + ["nguoi-dan"])]
        slugs = [("course", slug) for slug in group.programme]
        slugs += [("confirmation", a.slug) for a in self.catalog.assessments.values()
                  if a.group == group.slug]
        kind, slug = self.rng.choice(slugs)
        held = db.session.scalar(sa.select(Certificate.id).where(
            Certificate.user_id == learner.id, Certificate.kind == kind,
            Certificate.course_slug == slug, Certificate.revoked_at.is_(None)))
        if held is None:
            certificate(learner.id, slug, self._when(), kind)

    def revoke(self):
        held = list(db.session.scalars(sa.select(Certificate.id).where(
            Certificate.revoked_at.is_(None))))
        if held:  # the way certificates.services.revoke does it: a bulk UPDATE
            db.session.execute(sa.update(Certificate).where(
                Certificate.id == self.rng.choice(held)).values(revoked_at=utcnow()))

    def change_group(self):
        self.rng.choice(self._learners()).group_slug = self.rng.choice(list(self.catalog.groups))

    def move(self):
        learner = self.rng.choice(self._learners())
        learner.commune_code = self.rng.choice(self.codes)
        learner.unit_id = self._unit_of(learner.commune_code)

    def change_unit(self):
        learner = self.rng.choice(self._learners())
        learner.unit_id = self._unit_of(learner.commune_code)

    def change_province(self):  # out of the province, or back into it
        learner = self.rng.choice(self._learners())
        learner.province_code = 1 if learner.province_code == 38 else 38

    def delete_account(self):
        learner = self.rng.choice([u for u in self._learners() if u.deleted_at is None])
        learner.set_password("mat-khau-cu-2026")
        delete_account(learner, "mat-khau-cu-2026")

    def delete_learner(self):  # a row removed outright (no certificate holds it)
        holders = sa.select(Certificate.user_id)
        free = list(db.session.scalars(sa.select(User).where(
            User.role == "learner", User.id.not_in(holders))))
        if free:
            db.session.delete(self.rng.choice(free))

    def ambassador_action(self):
        ambassador = self.rng.choice(list(db.session.scalars(
            sa.select(User).where(User.role == "ambassador"))))
        db.session.add(AmbassadorAction(
            ambassador_id=ambassador.id, citizen_id=self.rng.choice(self._learners()).id,
            kind=self.rng.choice(["register", "session", "submit", "password"]),
            created_at=self._when()))

    def new_unit(self):
        self.made += 1
        db.session.add(Unit(province_code=38, commune_code=self.rng.choice(self.codes),
                            kind="school", name=f"Trường số {self.made}"))

    def move_unit(self):
        unit = self.rng.choice(list(db.session.scalars(sa.select(Unit))))
        unit.commune_code = self.rng.choice(self.codes)

    def delete_unit(self):
        units = list(db.session.scalars(sa.select(Unit)))
        if len(units) > 2:
            db.session.delete(self.rng.choice(units))

    def some(self, n: int) -> list[str]:
        kinds = [name for name in vars(Changes) if not name.startswith("_")
                 and name not in ("some",)]
        done = []
        for _ in range(n):
            kind = self.rng.choice(kinds)
            getattr(self, kind)()
            db.session.flush()
            done.append(kind)
        db.session.commit()
        return done


@pytest.fixture
def ambassadors(app, province):
    with app.app_context():
        for n, code in enumerate((province.A, province.B)):
            ambassador = _user(f"ds{n}", "nguoi-dan", code, utc(2025, 4, 1))
            ambassador.role = "ambassador"
            db.session.flush()
            for name in ("a1", "a3", "b1"):
                db.session.add(AmbassadorAction(ambassador_id=ambassador.id,
                                                citizen_id=province.users[name], kind="register",
                                                created_at=utc(2025, 5, 10)))
        db.session.commit()
    return province


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_a_refresh_of_what_changed_equals_a_full_recount(app, ambassadors, seed):
    catalog = app.extensions["catalog"]
    changes = Changes(app, random.Random(seed))
    with app.app_context():
        assert snapshot.refresh(catalog, 38).recomputed is None  # the first one counts everyone
        for _round in range(6):  # several refreshes in a row: no drift builds up
            made = changes.some(8)
            result = snapshot.refresh(catalog, 38)
            assert result.recomputed is not None, made
        incremental = tables()
        assert snapshot.refresh(catalog, 38, rebuild=True).recomputed is None
        assert tables() == incremental
        assert incremental["report_commune_counts"] and incremental["report_ambassador_counts"]


@contextmanager
def statements_run(app):
    """The SQL text of every statement sent while inside the block."""
    statements = []

    def note(_connection, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


def test_a_refresh_with_nothing_new_rewrites_nothing(app, ambassadors):
    catalog = app.extensions["catalog"]
    with app.app_context():
        snapshot.refresh(catalog, 38)
        before = tables()
        db.session.remove()
        with statements_run(app) as statements:
            result = snapshot.refresh(catalog, 38)
        assert result.recomputed == 0 and result.learners == 19
        assert tables() == before
    writes = [s.split()[:3] for s in statements
              if s.split()[0] in ("INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ANALYZE",
                                  "VACUUM")]
    assert writes == [["DELETE", "FROM", "report_changes"], ["UPDATE", "report_refreshes", "SET"]]
    assert len([s for s in statements if s.startswith("SELECT")]) <= 3, statements


def test_one_new_certificate_recounts_one_learner_and_their_ambassadors(app, ambassadors):
    catalog = app.extensions["catalog"]
    ids = ambassadors.users
    with app.app_context():
        snapshot.refresh(catalog, 38)
        ambassador = db.session.scalar(sa.select(User.id).where(User.full_name == "ds0"))

        def confirmed_by_ambassador():
            return db.session.scalar(sa.select(sa.func.sum(AmbassadorCount.confirmed)).where(
                AmbassadorCount.ambassador_id == ambassador))

        assert confirmed_by_ambassador() == 3  # a1, a3 and b1, whom ds0 registered
        certificate(ids["a4"], "nguoi-dan", utcnow(), "confirmation")
        db.session.commit()
        assert snapshot.refresh(catalog, 38).recomputed == 1
        db.session.execute(sa.update(Certificate).where(  # a3 loses her confirmation
            Certificate.user_id == ids["a3"], Certificate.kind == "confirmation")
            .values(revoked_at=utcnow()))
        db.session.commit()
        assert snapshot.refresh(catalog, 38).recomputed == 1
        assert confirmed_by_ambassador() == 2
        assert db.session.get(LearnerStatus, ids["a3"]).confirmed_at is None


def test_a_change_committed_after_a_refresh_began_is_counted_by_the_next(app, ambassadors):
    """The case a time window gets wrong: a transaction that started long ago (its rows say
    so) and commits after a refresh ran. Needs two writers at once: PostgreSQL."""
    catalog = app.extensions["catalog"]
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has one writer at a time")
        snapshot.refresh(catalog, 38)
        learner = ambassadors.users["a6"]
        with db.engine.connect() as late:
            late.execute(sa.insert(Certificate).values(
                code="late-one", user_id=learner, kind="course", course_slug="cong-dan-so",
                holder_name="x", title="x", competences=[],
                issued_at=utcnow() - timedelta(hours=3)))
            assert snapshot.refresh(catalog, 38).recomputed == 0  # not committed: not seen
            late.commit()
        assert snapshot.refresh(catalog, 38).recomputed == 1
        status = db.session.get(LearnerStatus, learner)
        assert status.trained_at is not None
        incremental = tables()
        snapshot.refresh(catalog, 38, rebuild=True)
        assert tables() == incremental


def test_units_moved_deleted_and_made_again(app, ambassadors):
    """A unit's learners are counted in the unit's commune; a deleted unit's id can come back
    (SQLite reuses the largest rowid): the next refresh still gets what a full recount gets."""
    catalog = app.extensions["catalog"]
    ids, units = ambassadors.users, ambassadors.units
    with app.app_context():
        snapshot.refresh(catalog, 38)
        db.session.get(Unit, units["U1"]).commune_code = ambassadors.D  # moved, learners kept
        db.session.delete(db.session.get(Unit, units["U3"]))  # the largest id
        db.session.flush()
        again = Unit(province_code=38, commune_code=ambassadors.B, kind="agency", name="UBND mới")
        db.session.add(again)
        db.session.flush()
        db.session.get(User, ids["b1"]).unit_id = again.id
        db.session.commit()
        snapshot.refresh(catalog, 38)
        moved = db.session.scalars(sa.select(UnitCount.commune_code).where(
            UnitCount.unit_id == units["U1"])).all()
        assert moved and set(moved) == {ambassadors.D}
        incremental = tables()
        snapshot.refresh(catalog, 38, rebuild=True)
        assert tables() == incremental
