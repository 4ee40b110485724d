"""A province-sized data set for the dashboard benchmark, loaded with PostgreSQL COPY.

    .venv/bin/python bench/generate_province.py --learners 1000000 \
        [--database postgresql://postgres@127.0.0.1:5432/hocvuso_bench_1000000]

Thanh Hóa's 166 communes, 30 units each, N learners spread over the four groups, about ten
module_progress rows per learner (10 million at 1 million learners), the course and
confirmation certificates that this progress earns, digital ambassadors with their actions,
and denominators for every commune and unit. Then the dashboard's snapshot is built
(`flask reports refresh`, timed). The database is emptied and migrated first: never point
this at a database that matters. Attempts are not generated: no dashboard query reads them.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SERVER = "postgresql://postgres@127.0.0.1:5432"
GROUPS = (("nguoi-dan", 0.62), ("hoc-sinh", 0.20), ("doanh-nghiep", 0.12), ("can-bo", 0.06))
UNITS_PER_COMMUNE = 30
UNIT_KINDS = ("agency", "school", "enterprise", "cooperative", "womens_union", "community_team")
START = date(2025, 4, 1)  # the movement's first month
DAYS = (date(2026, 11, 20) - START).days
CHUNK = 1 << 20  # characters per COPY write


class Bar:
    """A progress bar on stderr: label, bar, percent, count, elapsed seconds."""

    def __init__(self, label: str, total: int):
        self.label, self.total, self.done = label, max(total, 1), 0
        self.started = self.drawn = time.perf_counter()
        self._draw()

    def update(self, n: int = 1) -> None:
        self.done += n
        now = time.perf_counter()
        if now - self.drawn > 0.25:
            self.drawn = now
            self._draw()

    def _draw(self, end: str = "") -> None:
        share = min(self.done / self.total, 1)
        filled = int(30 * share)
        elapsed = time.perf_counter() - self.started
        sys.stderr.write(f"\r{self.label:<24} [{'#' * filled}{'.' * (30 - filled)}] {share:6.1%} "
                         f"{self.done:>12,}/{self.total:,} {elapsed:6.1f}s{end}")
        sys.stderr.flush()

    def close(self) -> None:
        self._draw("\n")


def database_url(learners: int) -> str:
    return f"{SERVER}/hocvuso_bench_{learners}"


def ensure_database(url: str) -> None:
    import psycopg

    server, _, name = url.rpartition("/")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def _app(url: str):
    from app import create_app

    driver = url.replace("postgresql://", "postgresql+psycopg://", 1)
    return create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": driver})


def _reset_schema(app) -> None:
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from app.extensions import db

    with app.app_context():
        with db.engine.begin() as conn:
            meta = sa.MetaData()
            meta.reflect(bind=conn)
            meta.drop_all(bind=conn)
        upgrade()


def _day(days: list[str], offset: int) -> str:
    return days[min(offset, len(days) - 1)]


class Copier:
    """Buffered COPY ... FROM STDIN (text format) with a progress bar."""

    def __init__(self, cursor, table: str, columns: str, label: str, total: int):
        self.copy_cm = cursor.copy(f"COPY {table} ({columns}) FROM STDIN")
        self.copy = self.copy_cm.__enter__()
        self.buffer: list[str] = []
        self.size = 0
        self.bar = Bar(label, total)

    def row(self, line: str, count: int = 1) -> None:
        self.buffer.append(line)
        self.size += len(line)
        self.bar.update(count)
        if self.size > CHUNK:
            self.flush()

    def flush(self) -> None:
        self.copy.write("".join(self.buffer))
        self.buffer, self.size = [], 0

    def close(self) -> None:
        self.flush()
        self.copy_cm.__exit__(None, None, None)
        self.bar.close()


def generate(learners: int, url: str, seed: int = 1, progress_per_learner: float = 10.0) -> dict:
    import psycopg
    from werkzeug.security import generate_password_hash

    from app.localities import communes

    rng = random.Random(seed)
    ensure_database(url)
    app = _app(url)
    print(f"Database {url}: emptied and migrated.", file=sys.stderr)
    _reset_schema(app)
    catalog = app.extensions["catalog"]
    programme = {g.slug: [(c.slug, [m.slug for m in c.modules]) for c in catalog.programme(g.slug)]
                 for g in catalog.groups.values()}
    confirmation = {a.group: a.slug for a in catalog.assessments.values()}

    codes = [code for code, _ in communes(38)]
    weights = [rng.uniform(0.3, 3.0) for _ in codes]
    days = [(START + timedelta(days=d)).isoformat() for d in range(DAYS + 1)]
    group_names = [g for g, _ in GROUPS]
    group_weights = [w for _, w in GROUPS]
    # Shares of learners by how far they got: nothing, part of the programme, all of it.
    p_none, p_all = 0.12, 0.42
    timings, counts = {}, Counter()
    registered: Counter = Counter()  # (commune, group) → learners
    in_unit: Counter = Counter()  # (unit, group) → learners

    with psycopg.connect(url) as conn:
        conn.execute("SET synchronous_commit = off")
        # Generated rows are consistent by construction: skip the per-row foreign-key triggers
        # (a bulk load's usual trick; needs a superuser, as the benchmark's postgres is).
        conn.execute("SET session_replication_role = replica")
        cur = conn.cursor()
        clock = time.perf_counter()

        units = Copier(cur, "units", "id, province_code, commune_code, kind, name, created_at",
                       "units", len(codes) * UNITS_PER_COMMUNE)
        for ci, code in enumerate(codes):
            for k in range(UNITS_PER_COMMUNE):
                uid = ci * UNITS_PER_COMMUNE + k + 1
                units.row(f"{uid}\t38\t{code}\t{UNIT_KINDS[k % 6]}\tĐơn vị {k + 1} xã {code}\t"
                          f"{days[0]}\n")
        units.close()

        admin_hash = generate_password_hash("bench-admin-2026")
        users = Copier(cur, "users", "id, full_name, email, password_hash, group_slug, "
                       "province_code, commune_code, unit_id, role, must_change_password, "
                       "created_at",
                       "learners", learners)
        progress_rows: list[tuple] = []  # per learner: (group, day registered)
        for uid in range(1, learners + 1):
            group = rng.choices(group_names, group_weights)[0]
            ci = rng.choices(range(len(codes)), weights)[0] if uid % 64 else uid % len(codes)
            unit = ci * UNITS_PER_COMMUNE + rng.randrange(UNITS_PER_COMMUNE) + 1 \
                if rng.random() < 0.35 else None
            created = rng.randrange(DAYS - 30)
            registered[(codes[ci], group)] += 1
            if unit:
                in_unit[(unit, group)] += 1
            users.row(f"{uid}\tHọc viên {uid}\tu{uid}@bench.hocvuso.vn\tx\t{group}\t38\t"
                      f"{codes[ci]}\t{unit or chr(92) + 'N'}\tlearner\tf\t"
                      f"{days[created]} 03:00:00+00\n")
            progress_rows.append((group, created))
        # an admin to open the pages with, and the ambassadors (ids after the learners)
        ambassadors = max(20, learners // 500)
        users.row(f"{learners + 1}\tQuản trị bench\tadmin@bench.hocvuso.vn\t{admin_hash}\t"
                  f"can-bo\t38\t{codes[0]}\t\\N\tadmin\tf\t{days[0]} 03:00:00+00\n", 0)
        for a in range(ambassadors):
            aid = learners + 2 + a
            users.row(f"{aid}\tĐại sứ {a + 1}\tds{a + 1}@bench.hocvuso.vn\tx\tnguoi-dan\t38\t"
                      f"{codes[a % len(codes)]}\t\\N\tambassador\tf\t{days[0]} 03:00:00+00\n", 0)
        users.close()

        total_modules = {g: sum(len(ms) for _, ms in p) for g, p in programme.items()}
        progress = Copier(cur, "module_progress",
                          "user_id, course_slug, module_slug, started_at, read_at",
                          "progress rows", int(learners * progress_per_learner))
        certificates = io.StringIO()
        cert_count = 0
        trained, confirmed = [], []
        # Partial learners read a uniform share; the mean of all rows per learner is the target.
        full = sum(total_modules[g] * w for g, w in GROUPS)
        partial_mean = max(1.0, (progress_per_learner - p_all * full) / (1 - p_none - p_all))
        for uid, (group, created) in enumerate(progress_rows, start=1):
            r = rng.random()
            n_total = total_modules[group]
            if r < p_none:
                steps = 0
            elif r < p_none + p_all:
                steps = n_total
            else:
                steps = min(n_total - 1, max(1, int(rng.uniform(1, 2 * partial_mean))))
            day, done = created, 0
            for course, modules in programme[group]:
                read_here = 0
                for module in modules:
                    if done >= steps:
                        break
                    day += rng.randrange(0, 3)
                    stopped = done == steps - 1 and steps < n_total  # opened, not finished
                    read = "\\N" if stopped else f"{_day(days, day)} 10:20:00+00"
                    progress.row(f"{uid}\t{course}\t{module}\t{_day(days, day)} 10:00:00+00\t"
                                 f"{read}\n")
                    done += 1
                    read_here += not stopped
                if read_here == len(modules):  # every module read (and its check passed)
                    cert_count += 1
                    certificates.write(f"b{uid}c{cert_count}\t{uid}\tcourse\t{course}\t"
                                       f"Học viên {uid}\t{course}\t[]\t"
                                       f"{_day(days, day)} 11:00:00+00\n")
                if done >= steps:
                    break
            last_day = day
            if steps == n_total:
                trained.append(uid)
            slug = confirmation.get(group)
            if slug and ((steps == n_total and rng.random() < 0.75) or
                         (group == "nguoi-dan" and steps == 0 and rng.random() < 0.05)):
                cert_count += 1
                confirmed.append(uid)
                certificates.write(f"b{uid}c{cert_count}\t{uid}\tconfirmation\t{slug}\t"
                                   f"Học viên {uid}\t{slug}\t[]\t"
                                   f"{_day(days, last_day + 1)} 12:00:00+00\n")
        progress.close()

        bar = Bar("certificates", cert_count)
        with cur.copy("COPY certificates (code, user_id, kind, course_slug, holder_name, title, "
                      "competences, issued_at) FROM STDIN") as copy:
            certificates.seek(0)
            while chunk := certificates.read(CHUNK):
                copy.write(chunk)
                bar.update(chunk.count("\n"))
        bar.close()

        # Ambassadors registered and supervised about one learner in twenty of the nguoi-dan group.
        nd = [uid for uid, (g, _c) in enumerate(progress_rows, start=1) if g == "nguoi-dan"]
        helped = rng.sample(nd, min(len(nd), learners // 20))
        confirmed_set = set(confirmed)
        actions = Copier(cur, "ambassador_actions",
                         "ambassador_id, citizen_id, kind, passed, created_at",
                         "ambassador actions", len(helped))
        for i, citizen in enumerate(helped):
            aid = learners + 2 + i % ambassadors
            created = progress_rows[citizen - 1][1]
            actions.row(f"{aid}\t{citizen}\tregister\t\\N\t{days[created]} 03:00:00+00\n")
            if citizen in confirmed_set:
                next_day = _day(days, created + 1)
                actions.row(f"{aid}\t{citizen}\tsession\t\\N\t{next_day} 08:00:00+00\n", 0)
                actions.row(f"{aid}\t{citizen}\tsubmit\tt\t{next_day} 08:30:00+00\n", 0)
        actions.close()

        # Denominators: what each commune and unit reported; learners are 30–90 % of them.
        bar = Bar("denominators", len(registered) + len(in_unit))
        with cur.copy("COPY commune_denominators (province_code, commune_code, group_slug, people, "
                      "updated_at) FROM STDIN") as copy:
            for (code, group), n in registered.items():
                copy.write(f"38\t{code}\t{group}\t{int(n / rng.uniform(0.3, 0.9))}\t{days[0]}\n")
                bar.update()
        with cur.copy("COPY unit_denominators (unit_id, group_slug, people, updated_at) "
                      "FROM STDIN") as copy:
            for (unit, group), n in in_unit.items():
                copy.write(f"{unit}\t{group}\t{int(n / rng.uniform(0.3, 0.9))}\t{days[0]}\n")
                bar.update()
        bar.close()
        for table in ("users", "units", "module_progress", "certificates", "ambassador_actions",
                      "commune_denominators", "unit_denominators"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 1) FROM {table}))")
        for table in ("users", "module_progress", "certificates", "ambassador_actions", "units"):
            counts[table] = cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        conn.commit()
        timings["load (COPY)"] = time.perf_counter() - clock

        clock = time.perf_counter()
        sys.stderr.write("ANALYZE …\n")
        conn.autocommit = True
        conn.execute("ANALYZE")
        timings["analyze"] = time.perf_counter() - clock

    from app.reports import snapshot

    with app.app_context():
        clock = time.perf_counter()
        snapshot.refresh(catalog, 38)
        timings["first refresh (every status)"] = time.perf_counter() - clock
    counts["trained"] = len(trained)
    counts["confirmed"] = len(confirmed)
    with app.app_context():
        import sqlalchemy as sa

        from app.extensions import db
        from app.reports.models import CommuneCount

        registered, trained_n, confirmed_n = db.session.execute(sa.select(
            sa.func.sum(CommuneCount.registered), sa.func.sum(CommuneCount.trained),
            sa.func.sum(CommuneCount.confirmed))).one()
        counts["snapshot: registered"] = registered
        counts["snapshot: trained"] = trained_n
        counts["snapshot: confirmed"] = confirmed_n
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()
    return {"counts": dict(counts), "timings": timings}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=1_000_000)
    parser.add_argument("--database", default=None, help="default: hocvuso_bench_<learners> on "
                                                         "127.0.0.1:5432")
    parser.add_argument("--progress-per-learner", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    clock = time.perf_counter()
    report = generate(args.learners, args.database or database_url(args.learners), args.seed,
                      args.progress_per_learner)
    for name, n in report["counts"].items():
        print(f"{name:<28}{n:>14,}")
    for name, seconds in report["timings"].items():
        print(f"{name:<28}{seconds:>13.1f}s")
    print(f"{'total':<28}{time.perf_counter() - clock:>13.1f}s")


if __name__ == "__main__":
    main()
