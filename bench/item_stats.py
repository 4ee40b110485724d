"""Item statistics at province scale: attempts and their answers, then `statistics()` timed.

    .venv/bin/python bench/item_stats.py [--attempts 1000000] [--learners 20000] [--keep]

Makes (or, with --keep, reuses) the PostgreSQL database hocvuso_bench_items on
127.0.0.1:5432: learners, then N submitted module-check attempts with one answer row per
question drawn (about five each), loaded with COPY. Each simulated learner has an ability and
each question a difficulty, so facility and discrimination spread as real ones would; a few
questions are given a wrong key (negative discrimination) and a few an option nobody picks.
Then it times the statistics against a baseline measured in the same run: one full scan of
attempt_answers joined to attempts (`count(*)`), the least any per-question aggregate costs.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate_province import SERVER, Copier, _app, _reset_schema, ensure_database  # noqa: E402

URL = f"{SERVER}/hocvuso_bench_items"


def generate(app, attempts: int, learners: int, seed: int = 7) -> None:
    from app.extensions import db

    rng = random.Random(seed)
    catalog = app.extensions["catalog"]
    checks = [m.check for c in catalog.courses.values() for m in c.modules if m.check]
    difficulty = {q.id: rng.gauss(0, 1) for q in catalog.questions.values()}
    miskeyed = set(rng.sample(sorted(difficulty), 12))  # knowing it makes you answer wrong
    dead = set(rng.sample(sorted(difficulty), 12))  # a wrong option nobody falls for
    ability = [rng.gauss(0, 1) for _ in range(learners)]
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cur = raw.cursor()
            users = Copier(cur, "users", "full_name, email, password_hash, group_slug, "
                           "province_code, commune_code, role, must_change_password, "
                           "session_nonce, created_at", "users", learners)
            for i in range(learners):
                users.row(f"Học viên {i}\tbench{i}@example.vn\tx\tnguoi-dan\t38\t1\tlearner\t"
                          f"f\t\t2026-11-01 00:00:00+00\n")
            users.close()
            cur.execute("SELECT min(id) FROM users")
            first_user = cur.fetchone()[0]
            attempt_rows = Copier(cur, "attempts", "id, user_id, check_key, drawn, answers, "
                                  "started_at, submitted_at, correct, total, pass_mark, passed",
                                  "attempts", attempts)
            # One COPY at a time on a connection: the answers wait in a file for theirs.
            spool = tempfile.TemporaryFile("w+", encoding="utf-8")
            answers = 0
            stamp = "2026-11-15 08:00:00+00"
            for attempt_id in range(1, attempts + 1):
                learner = rng.randrange(learners)
                check = rng.choice(checks)
                questions = rng.sample(check.questions, min(check.draw, len(check.questions)))
                right_total = 0
                lines = []
                for position, q in enumerate(questions, start=1):
                    p = 1 / (1 + 2.718281828 ** (difficulty[q.id] - 1.2 * ability[learner]))
                    knows = rng.random() < p
                    right = knows != (q.id in miskeyed)
                    correct = sorted(q.correct_indexes)
                    if right:
                        chosen = correct
                    else:
                        wrong = [i for i in range(len(q.choices)) if i not in q.correct_indexes]
                        tempting = wrong[:-1] if q.id in dead and len(wrong) > 1 else wrong
                        chosen = [rng.choice(tempting)] if wrong else correct[:1]
                        right = False
                    right_total += right
                    mask = sum(1 << i for i in chosen)
                    lines.append(f"{attempt_id}\t{q.id}\t{q.competence}\t{position}\t{mask}\t"
                                 f"{chosen}\t{'t' if right else 'f'}\t{stamp}\n")
                passed = 100 * right_total >= check.pass_mark * len(questions)
                attempt_rows.row(f"{attempt_id}\t{first_user + learner}\t{check.key}\t[]\t{{}}\t"
                                 f"{stamp}\t{stamp}\t{right_total}\t{len(questions)}\t"
                                 f"{check.pass_mark}\t{'t' if passed else 'f'}\n")
                spool.writelines(lines)
                answers += len(lines)
            attempt_rows.close()
            spool.seek(0)
            answer_rows = Copier(cur, "attempt_answers", "attempt_id, question_id, competence, "
                                 "position, chosen_mask, chosen, correct, answered_at",
                                 "answers", answers)
            for line in spool:
                answer_rows.row(line)
            answer_rows.close()
            spool.close()
            cur.execute("SELECT setval('attempts_id_seq', %s)", (attempts,))
            raw.commit()
            cur.execute("ANALYZE")
            raw.commit()
        finally:
            raw.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--learners", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true", help="reuse the data of an earlier run")
    args = parser.parse_args()
    ensure_database(URL)
    app = _app(URL)
    import sqlalchemy as sa

    from app.assessment import item_stats
    from app.extensions import db

    with app.app_context():
        have = 0
        if args.keep:
            try:
                have = db.session.scalar(sa.text("SELECT count(*) FROM attempts"))
            except sa.exc.SQLAlchemyError:
                db.session.rollback()
    if have != args.attempts:
        _reset_schema(app)
        started = time.perf_counter()
        generate(app, args.attempts, args.learners)
        print(f"generated {args.attempts:,} attempts in {time.perf_counter() - started:.1f} s",
              file=sys.stderr)
    with app.app_context():
        answers = db.session.scalar(sa.text("SELECT count(*) FROM attempt_answers"))
        started = time.perf_counter()
        db.session.execute(sa.text(
            "SELECT count(*) FROM attempt_answers a JOIN attempts t ON t.id = a.attempt_id "
            "WHERE t.submitted_at IS NOT NULL")).scalar()
        scan = time.perf_counter() - started
        started = time.perf_counter()
        stats = item_stats.statistics(app.extensions["catalog"])
        seconds = time.perf_counter() - started
        flagged = sum(1 for s in stats if s.flags)
        wrong_key = sum(1 for s in stats if "discrimination" in s.flags)
    print(f"{args.attempts:,} attempts, {answers:,} answers, {len(stats)} questions")
    print(f"baseline (one scan, count): {scan:.2f} s")
    print(f"item statistics:            {seconds:.2f} s  ({seconds / scan:.1f}x the scan; "
          f"goal: under 60 s) {'ok' if seconds < 60 else 'ABOVE GOAL'}")
    print(f"flagged: {flagged} questions ({wrong_key} for discrimination)")


if __name__ == "__main__":
    main()
