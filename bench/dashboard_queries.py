"""How long the dashboard's queries take at 10 thousand and at 1 million learners (PostgreSQL).

    .venv/bin/python bench/dashboard_queries.py [--sizes 10000 1000000] [--regenerate] [--repeat 30]

Each size has its own database, hocvuso_bench_<size> on 127.0.0.1:5432, made by
generate_province.py when missing (or with --regenerate). For each size the script times,
as the median of --repeat runs after a warm-up:
- the province and commune dashboard queries (services.province_view / commune_view: what
  the pages run, without the HTML), the rankings, and the whole province page over HTTP;
- `flask reports refresh` with nothing new, after a day's activity (a_day(): at 1 million
  learners 3,300 registrations, 3,400 certificates, 2,000 ambassador actions…, in proportion
  at other sizes; undone after each run), and with a full recomputation (--rebuild);
- for comparison, the province figures computed live from users ⋈ learner_status, which is
  what a page would cost without the snapshot.
It prints every figure at each size and the ratio of the largest size to the smallest.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import generate_province  # noqa: E402


def _exists(url: str) -> bool:
    import psycopg

    server, _, name = url.rpartition("/")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            return False
    with psycopg.connect(url) as conn:
        try:
            return conn.execute("SELECT count(*) FROM report_refreshes").fetchone()[0] > 0
        except psycopg.Error:
            return False


def _median_ms(fn, repeat: int) -> float:
    fn()  # warm-up: caches, plans
    runs = []
    for _ in range(repeat):
        clock = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - clock)
    return 1000 * statistics.median(runs)


def a_day(size: int, seed: int):
    """One day's activity in a province of `size` learners, written as the app would (one row
    at a time, so the triggers note each change): new learners, certificates issued (courses
    and confirmations), a few revoked, learners changing group, commune or unit, accounts
    deleted, ambassador actions, a unit moved. Returns a function that undoes it all."""
    import sqlalchemy as sa

    from app.ambassadors.models import AmbassadorAction
    from app.auth.models import User
    from app.certificates.models import Certificate
    from app.columns import utcnow
    from app.extensions import db
    from app.reports.models import LearnerStatus, Unit

    rng = random.Random(seed)
    catalog_groups = ("nguoi-dan", "hoc-sinh", "doanh-nghiep", "can-bo")
    programme = {"nguoi-dan": ("ky-nang-so-co-ban", "cong-dan-so"),
                 "can-bo": ("ky-nang-so-co-ban", "chuyen-doi-so-cong-vu")}
    now = utcnow()
    units = db.session.execute(sa.select(Unit.id, Unit.commune_code)).all()
    by_commune: dict[int, list[int]] = {}
    for unit_id, commune in units:
        by_commune.setdefault(commune, []).append(unit_id)
    communes = sorted(by_commune)
    ambassadors = list(db.session.scalars(sa.select(User.id).where(User.role == "ambassador")))
    scale = size / 1_000_000

    # people who register today
    new = []
    for i in range(max(1, int(3_300 * scale))):
        commune = rng.choice(communes)
        new.append(dict(full_name=f"Hôm nay {i}", email=f"day{seed}-{i}@bench.hocvuso.vn",
                        password_hash="x", group_slug=rng.choice(catalog_groups),
                        province_code=38, commune_code=commune, role="learner", created_at=now,
                        unit_id=rng.choice(by_commune[commune]) if rng.random() < 0.35 else None))
    db.session.execute(sa.insert(User), new)
    new_ids = list(db.session.scalars(sa.select(User.id).where(
        User.email.like(f"day{seed}-%@bench.hocvuso.vn"))))
    # certificates: a course finished by someone part-way, a confirmation by someone trained
    learners = rng.sample(range(1, size + 1), max(1, int(6_000 * scale)))
    held = {tuple(row) for row in db.session.execute(sa.select(
        Certificate.user_id, Certificate.course_slug).where(
        Certificate.user_id.in_(learners), Certificate.revoked_at.is_(None)))}
    groups = {uid: group for uid, group in db.session.execute(sa.select(
        User.id, User.group_slug).where(User.id.in_(learners)))}
    issued = []
    for uid in learners[:int(len(learners) * 0.6)]:
        for slug in programme.get(groups[uid], ()):
            if (uid, slug) not in held:
                issued.append(dict(user_id=uid, kind="course", course_slug=slug))
                break
    trained = list(db.session.scalars(sa.select(LearnerStatus.user_id).where(
        LearnerStatus.trained_at.is_not(None), LearnerStatus.confirmed_at.is_(None),
        LearnerStatus.group_slug == "nguoi-dan").limit(max(1, int(2_000 * scale)))
        .offset(rng.randrange(max(1, int(50_000 * scale))))))
    issued += [dict(user_id=uid, kind="confirmation", course_slug="nguoi-dan") for uid in trained]
    codes = [f"day{seed}-{i}" for i in range(len(issued))]
    db.session.execute(sa.insert(Certificate), [
        dict(row, code=code, holder_name="x", title="x", competences=[], issued_at=now)
        for row, code in zip(issued, codes)])
    # a few revoked (of learners not touched above), profiles changed, accounts deleted
    busy = set(learners) | set(trained)
    others = [uid for uid in rng.sample(range(1, size + 1), max(1, int(700 * scale)))
              if uid not in busy]
    revoked = list(db.session.scalars(sa.select(Certificate.id).where(
        Certificate.user_id.in_(others[:max(1, int(100 * scale))]),
        Certificate.revoked_at.is_(None))))[:max(1, int(10 * scale))]
    for certificate_id in revoked:
        db.session.execute(sa.update(Certificate).where(Certificate.id == certificate_id)
                           .values(revoked_at=now))
    moved = others[len(revoked):]
    before = db.session.execute(sa.select(User.id, User.group_slug, User.commune_code,
                                          User.unit_id, User.deleted_at)
                                .where(User.id.in_(moved))).all()
    for n, (uid, _group, commune, _unit, _deleted) in enumerate(before):
        if n % 10 == 9:  # an account deleted: anonymised, out of its unit
            change = dict(unit_id=None, deleted_at=now)
        elif n % 3 == 0:
            change = dict(group_slug=rng.choice(catalog_groups))
        elif n % 3 == 1:
            commune = rng.choice(communes)
            change = dict(commune_code=commune, unit_id=rng.choice(by_commune[commune]))
        else:
            change = dict(unit_id=rng.choice(by_commune[commune]))
        db.session.execute(sa.update(User).where(User.id == uid).values(**change))
    # ambassadors: register some of today's people, supervise and hand in sessions
    actions = []
    for i in range(max(1, int(2_000 * scale))):
        citizen = new_ids[i % len(new_ids)] if i % 2 == 0 else rng.choice(learners)
        actions.append(dict(ambassador_id=rng.choice(ambassadors), citizen_id=citizen,
                            kind=("register", "session", "submit")[i % 3], created_at=now))
    db.session.execute(sa.insert(AmbassadorAction), actions)
    unit_id, unit_commune = rng.choice(units)
    db.session.execute(sa.update(Unit).where(Unit.id == unit_id)
                       .values(commune_code=rng.choice(communes)))
    db.session.commit()

    def undo() -> None:
        db.session.execute(sa.delete(AmbassadorAction).where(AmbassadorAction.created_at == now))
        db.session.execute(sa.delete(Certificate).where(Certificate.code.in_(codes)))
        for certificate_id in revoked:
            db.session.execute(sa.update(Certificate).where(Certificate.id == certificate_id)
                               .values(revoked_at=None))
        for uid, group, commune, unit, deleted in before:
            db.session.execute(sa.update(User).where(User.id == uid).values(
                group_slug=group, commune_code=commune, unit_id=unit, deleted_at=deleted))
        db.session.execute(sa.update(Unit).where(Unit.id == unit_id)
                           .values(commune_code=unit_commune))
        db.session.execute(sa.delete(User).where(User.id.in_(new_ids)))
        db.session.commit()

    return undo


def measure(size: int, repeat: int, regenerate: bool) -> dict[str, float]:
    import sqlalchemy as sa

    from app.auth.models import User
    from app.extensions import db
    from app.reports import services, snapshot
    from app.reports.models import CommuneCount, LearnerStatus

    url = generate_province.database_url(size)
    if regenerate or not _exists(url):
        print(f"generating {size:,} learners …", file=sys.stderr)
        generate_province.generate(size, url)
    app = generate_province._app(url)
    catalog = app.extensions["catalog"]
    results: dict[str, float] = {}
    with app.app_context():
        targets = catalog.targets
        nd = catalog.groups["nguoi-dan"]
        year = services.parse_year(None, targets, snapshot.local_today())
        period = services.parse_period("all", snapshot.local_today())
        biggest = db.session.scalar(
            sa.select(CommuneCount.commune_code).group_by(CommuneCount.commune_code)
            .order_by(sa.func.sum(CommuneCount.registered).desc()).limit(1))
        results["accounts"] = db.session.scalar(sa.select(sa.func.count(User.id)))

        def fresh(fn):
            def run():
                fn()
                db.session.rollback()  # a new transaction each time, like a new request
            return run

        results["province queries (ms)"] = _median_ms(fresh(
            lambda: services.province_view(38, year, nd, catalog, targets)), repeat)
        results["commune queries (ms)"] = _median_ms(fresh(
            lambda: services.commune_view(38, biggest, year, nd, catalog, targets)), repeat)
        results["commune ranking (ms)"] = _median_ms(fresh(
            lambda: services.rank_communes(38, nd, period, "confirmed", 80)), repeat)
        results["unit ranking (ms)"] = _median_ms(fresh(
            lambda: services.rank_units(38, nd, period, "confirmed", 80)), repeat)

        mine = sa.and_(LearnerStatus.user_id == User.id,
                       LearnerStatus.group_slug == User.group_slug)
        live = (sa.select(User.commune_code, User.group_slug, sa.func.count(),
                          sa.func.count(LearnerStatus.trained_at),
                          sa.func.count(LearnerStatus.confirmed_at))
                .outerjoin(LearnerStatus, mine).where(User.province_code == 38)
                .group_by(User.commune_code, User.group_slug))
        results["live province counts, no snapshot (ms)"] = _median_ms(fresh(
            lambda: db.session.execute(live).all()), max(3, repeat // 10))

        def refresh(rebuild=False):
            def run():
                snapshot.refresh(catalog, 38, rebuild=rebuild)
            return run

        results["refresh, nothing new (ms)"] = _median_ms(refresh(), 3)
        day_runs, noted = [], []
        for seed in range(3):  # a day's activity, the refresh timed, the day undone
            undo = a_day(size, seed)
            clock = time.perf_counter()
            noted.append(snapshot.refresh(catalog, 38).recomputed)
            day_runs.append(time.perf_counter() - clock)
            undo()
            snapshot.refresh(catalog, 38)
        results["refresh, a day's activity (ms)"] = 1000 * statistics.median(day_runs)
        results["learners noted in a day"] = int(statistics.median(noted))
        results["refresh --rebuild (ms)"] = _median_ms(refresh(rebuild=True), 1)

    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    response = client.post("/auth/login", data={"login": "admin@bench.hocvuso.vn",
                                                "password": "bench-admin-2026"})
    assert response.status_code == 302, response.status_code

    def page(url):
        def run():
            assert client.get(url).status_code == 200
        return run

    results["province page over HTTP (ms)"] = _median_ms(page("/reports/"), repeat)
    results["commune page over HTTP (ms)"] = _median_ms(page(f"/reports/communes/{biggest}"),
                                                       repeat)

    statements = []
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", lambda *a, **k: statements.append(a[2]))
    client.get("/reports/")
    results["SQL statements, province page"] = len(statements)
    statements.clear()
    client.get(f"/reports/communes/{biggest}")
    results["SQL statements, commune page"] = len(statements)
    with app.app_context():
        db.engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    sizes = sorted(args.sizes)
    table = {size: measure(size, args.repeat, args.regenerate) for size in sizes}
    small, large = sizes[0], sizes[-1]
    print(f"\nPostgreSQL, median of {args.repeat} runs (refresh: 3; a day: 3; rebuild: 1)")
    print(f"{'':<42}" + "".join(f"{f'{s:,} learners':>20}" for s in sizes) + f"{'ratio':>10}")
    for key in table[small]:
        cells = "".join(f"{table[s][key]:>20,.1f}" if "ms" in key else f"{table[s][key]:>20,}"
                        for s in sizes)
        ratio = table[large][key] / table[small][key] if table[small][key] else float("nan")
        print(f"{key:<42}{cells}{ratio:>10.2f}")


if __name__ == "__main__":
    main()
