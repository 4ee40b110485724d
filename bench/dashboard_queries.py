"""How long the dashboard's queries take at 10 thousand and at 1 million learners (PostgreSQL).

    .venv/bin/python bench/dashboard_queries.py [--sizes 10000 1000000] [--regenerate] [--repeat 30]

Each size has its own database, hocvuso_bench_<size> on 127.0.0.1:5432, made by
generate_province.py when missing (or with --regenerate). For each size the script times,
as the median of --repeat runs after a warm-up:
- the province and commune dashboard queries (services.province_view / commune_view: what
  the pages run, without the HTML), the rankings, and the whole province page over HTTP;
- `flask reports refresh` with nothing new, and with a full recomputation (--rebuild);
- for comparison, the province figures computed live from users ⋈ learner_status, which is
  what a page would cost without the snapshot.
It prints every figure at each size and the ratio of the largest size to the smallest.
"""

from __future__ import annotations

import argparse
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
        targets = app.extensions["targets"][1]
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
    print(f"\nPostgreSQL, median of {args.repeat} runs (refresh: 3; rebuild: 1)")
    print(f"{'':<42}" + "".join(f"{f'{s:,} learners':>20}" for s in sizes) + f"{'ratio':>10}")
    for key in table[small]:
        cells = "".join(f"{table[s][key]:>20,.1f}" if "ms" in key else f"{table[s][key]:>20,}"
                        for s in sizes)
        ratio = table[large][key] / table[small][key] if table[small][key] else float("nan")
        print(f"{key:<42}{cells}{ratio:>10.2f}")


if __name__ == "__main__":
    main()
