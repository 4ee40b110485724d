"""Load benchmark: the platform under gunicorn against two ceilings under the same settings.

    .venv/bin/python bench/load.py [--seconds 6] [--rounds 3] [--connections 16]

Starts the app with demo data (PostgreSQL database `hocvuso_load`, or $LOAD_DATABASE, when
one answers on 127.0.0.1:5432, else SQLite), a bare Flask "hello world" and a bare 5 KB
template page, all with gunicorn.conf.py; drives each with wrk (Debian package `wrk`) from this machine; prints
requests per second, p50 and p99 latency, and each figure as a ratio to the template ceiling.
These machines are noisy (the ceiling alone swings 3x between runs), so the ceiling is measured
again right before and after every endpoint, in several rounds: each ratio divides an endpoint's
run by the mean of its two neighbouring ceiling runs, and the table gives the median over the
rounds (req/s and latencies: the endpoint's median run).
Every request asks for `br, gzip` like a browser; workers are never recycled during the run
(MAX_REQUESTS=0). Then it prints what each worker adds in memory (private and PSS, from
/proc/<pid>/smaps_rollup) and how long a teacher waits for a 1,000-row roster's result page.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
GOALS = {"module page": 0.6, "verify page": 0.7, "check submission": 0.3, "class grid (40)": 0.2}
MEMORY_GOAL_MIB = 40  # what a worker adds after the load: private memory, not RSS
ROSTER_GOAL_SECONDS = 30
ACCEPT_ENCODING = "Accept-Encoding: br, gzip"
# A browser sends the same User-Agent at sign-in and after. flask-login's session protection
# hashes it with the address: a different one on every benchmark request (wrk sends none,
# urllib its own) marks the session not fresh, and the cookie is signed and sent again each time.
USER_AGENT = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 Chrome/131 Mobile Safari/537.36"
CEILING = "ceiling: 5 KB template"
PG = "postgresql://postgres@127.0.0.1:5432"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_available() -> bool:
    return shutil.which("psql") is not None and subprocess.run(
        ["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"]).returncode == 0


def database_url(tmp: Path) -> str:
    if pg_available():
        name = os.environ.get("LOAD_DATABASE", "hocvuso_load")  # dropped and made anew
        subprocess.run(["psql", f"{PG}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", f"{PG}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
        return f"{PG}/{name}"
    return f"sqlite:///{tmp}/load.sqlite3"


def prepare(env: dict, attempts: int) -> dict:
    """Demo data, a class of 40 with progress, and open attempts to submit; in-process."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from app import create_app
    from app.assessment import services as assessment
    from app.auth.models import User
    from app.auth.services import find_by_login
    from app.courses.services import mark_read
    from app.extensions import db
    from app.teaching import services as teaching

    app = create_app()
    catalog = app.extensions["catalog"]
    with app.app_context():
        learner = find_by_login("nguoidan@demo.hocvuso.vn")
        teacher = find_by_login("giaovien@demo.hocvuso.vn")
        course = catalog.course("ky-nang-so-co-ban")
        classroom = teaching.create_class(teacher.id, "Lớp đo tải", "school")
        for i in range(40):
            u = User(full_name=f"Học viên {i:02d}", email=f"tai{i}@example.vn", password_hash="x",
                     group_slug="nguoi-dan", province_code=38, commune_code=learner.commune_code)
            db.session.add(u)
            db.session.flush()
            teaching.join(classroom, u.id)
            for m in course.modules[: i % 5]:
                mark_read(u.id, m)
        for m in course.modules[:5]:
            teaching.add_assignment(classroom, "check", f"{course.slug}/{m.slug}", None, catalog)
        teaching.add_assignment(classroom, "course", course.slug, None, catalog)
        # A certificate to verify.
        for m in course.modules:
            mark_read(learner.id, m)
            attempt = assessment.open_attempt(learner.id, m.check)
            form = {sq.field: [str(c.position) for c in sq.choices if c.correct]
                    for sq in assessment.shown_questions(attempt, catalog)}
            assessment.submit(learner.id, attempt.id, form, catalog)
        from app.certificates.services import find_certificate

        certificate = find_certificate(learner.id, course.slug)  # the last step issued it
        # Open attempts for the submission benchmark: one POST each, never the same twice.
        check = course.modules[1].check
        from app.assessment.models import Attempt

        bodies = []
        rows = [Attempt(user_id=learner.id, check_key=check.key, drawn=assessment.draw(check),
                        total=check.draw, pass_mark=check.pass_mark) for _ in range(attempts)]
        db.session.add_all(rows)
        db.session.commit()
        for a in rows:
            fields = "&".join(f"q-{d['id']}=0" for d in a.drawn)
            bodies.append((a.id, fields))
        roster_class = teaching.create_class(teacher.id, "Lớp nhập danh sách", "school")
        return {"module": f"/courses/{course.slug}/{course.modules[3].slug}",
                "roster_class": roster_class.id,
                "verify": f"/verify/{certificate.code}",
                "grid": f"/teaching/classes/{classroom.id}", "bodies": bodies}


def wait_for(url: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except (OSError, urllib.error.URLError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def signed_in(base: str, login: str) -> tuple[urllib.request.OpenerDirector, CookieJar]:
    """An HTTP opener signed in as `login` (demo password), and its cookie jar."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    token = csrf_of(opener.open(f"{base}/auth/login").read().decode())
    opener.open(f"{base}/auth/login", urllib.parse.urlencode(
        {"csrf_token": token, "login": login, "password": "hocvuso2026"}).encode())
    return opener, jar


def session(base: str, login: str) -> tuple[str, str]:
    """Log in over HTTP; return the Cookie header and the page's CSRF token."""
    opener, jar = signed_in(base, login)
    token = csrf_of(opener.open(f"{base}/").read().decode())
    return "; ".join(f"{c.name}={c.value}" for c in jar), token


LUA_POST = """
local bodies = {}
local n = 0
for line in io.lines("%s") do
  local id, fields = line:match("^(%%d+)\\t(.*)$")
  n = n + 1
  bodies[n] = {id, fields}
end
local threads, thread_id, i = %d, 0, 0
local counter = 1
function setup(thread) thread:set("tid", counter); counter = counter + 1 end
function init(args) i = tid end
function request()
  local b = bodies[((i - 1) %% n) + 1]
  i = i + threads
  return wrk.format("POST", "/attempts/" .. b[1],
    {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = "%s",
     ["Accept-Encoding"] = "br, gzip", ["User-Agent"] = "%s"},
    "csrf_token=%s&" .. b[2])
end
"""


def wrk(url: str, seconds: int, connections: int, headers=(), script: Path | None = None) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    # Like a browser: on every endpoint, the ceilings included.
    for h in (ACCEPT_ENCODING, f"User-Agent: {USER_AGENT}", *headers):
        command += ["-H", h]
    if script:
        command += ["-s", str(script)]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": lat.get("50"), "p99": lat.get("99"),
            "errors": int(non2xx.group(1)) if non2xx else 0}


def measure(runs: dict, ceiling: str, rounds: int) -> dict:
    """Run every endpoint `rounds` times, the ceiling before and after each run (round-robin);
    runs maps a name to a callable (round number -> wrk result). Returns each name's results
    with "ratio" added: the run's req/s over the mean of its two neighbouring ceiling runs."""
    results = {name: [] for name in [ceiling, *runs]}
    for r in range(rounds):
        before = runs[ceiling](r)
        results[ceiling].append(before)
        for name, run in runs.items():
            if name == ceiling:
                continue
            result = run(r)
            after = runs[ceiling](r)
            results[ceiling].append(after)
            result["ratio"] = result["rps"] / ((before["rps"] + after["rps"]) / 2)
            results[name].append(result)
            before = after
    middle = statistics.median(c["rps"] for c in results[ceiling])
    for c in results[ceiling]:
        c["ratio"] = c["rps"] / middle
    return results


def median_run(runs: list[dict]) -> dict:
    """The run with the median req/s, with the median of the ratios; errors summed."""
    ordered = sorted(runs, key=lambda r: r["rps"])
    return {**ordered[(len(ordered) - 1) // 2], "ratio": statistics.median(r["ratio"] for r in runs),
            "errors": sum(r["errors"] for r in runs)}


def memory_of_children(pid: int) -> list[tuple[int, int]]:
    """(private, PSS) KiB of each of a gunicorn master's workers: what a worker adds, not its
    RSS, which counts the pages it still shares with the master."""
    out = []
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        rollup = dict(re.findall(r"^(\w+):\s+(\d+) kB", Path(f"/proc/{child}/smaps_rollup").read_text(),
                                 re.M))
        private = int(rollup["Private_Clean"]) + int(rollup["Private_Dirty"])
        out.append((private, int(rollup["Pss"])))
    return out


def roster_import(base: str, login: str, class_id: int, rows: int) -> float:
    """Seconds from posting a roster of `rows` new learners to its result page."""
    opener, _jar = signed_in(base, login)
    token = csrf_of(opener.open(f"{base}/teaching/classes/{class_id}").read().decode())
    csv = "họ và tên,email hoặc số điện thoại,nhóm\n" + "".join(
        f"Học viên Lớp Lớn {i:04d},lop-lon-{i}@example.vn,nguoi-dan\n" for i in range(rows))
    boundary = "hocvusoroster"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"roster\"; filename=\"lop.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n").encode()
    started = time.monotonic()
    request = urllib.request.Request(
        f"{base}/teaching/classes/{class_id}/roster", body,
        {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    response = opener.open(request, timeout=120)
    page = response.read().decode()
    # A job page refreshes itself until the job is done; follow it the way a browser would.
    while 'http-equiv="refresh"' in page:
        time.sleep(0.5)
        page = opener.open(response.url, timeout=60).read().decode()
    if f"lop-lon-{rows - 1}@example.vn" not in page:
        raise RuntimeError("the roster import's result page lacks the last learner")
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=6, help="each run")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each endpoint")
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    tmp = Path(tempfile.mkdtemp(prefix="hocvuso-load-"))
    url = database_url(tmp)
    env = {"DATABASE_URL": url, "SECRET_KEY": "load-benchmark", "APP_ENV": "production",
           "FLASK_APP": "wsgi", "ACCESS_LOG": "/dev/null", "BASE_URL": "http://127.0.0.1",
           "PYTHONPATH": str(ROOT), "COOKIE_SECURE": "0",
           "MAX_REQUESTS": "0"}  # no worker restarts during a run: memory is measured after it
    full_env = {**os.environ, **env}
    subprocess.run([BIN / "flask", "db", "upgrade", "heads"], cwd=ROOT, env=full_env, check=True, capture_output=True)
    subprocess.run([BIN / "flask", "demo", "load"], cwd=ROOT, env=full_env, check=True, capture_output=True)
    per_round = 400 * args.seconds
    data = prepare(env, per_round * args.rounds)
    body_files = [tmp / f"bodies-{r}.tsv" for r in range(args.rounds)]
    for r, body_file in enumerate(body_files):  # each round posts attempts of its own
        body_file.write_text("".join(f"{i}\t{f}\n"
                                     for i, f in data["bodies"][r * per_round:(r + 1) * per_round]))

    app_port, ceiling_port = free_port(), free_port()
    servers = [
        subprocess.Popen([BIN / "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
                         env={**full_env, "BIND": f"127.0.0.1:{app_port}"}),
        subprocess.Popen([BIN / "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "ceiling:app"],
                         cwd=ROOT / "bench", env={**full_env, "BIND": f"127.0.0.1:{ceiling_port}"}),
    ]
    try:
        app_url, ceiling_url = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{ceiling_port}"
        wait_for(f"{app_url}/healthz")
        wait_for(f"{ceiling_url}/hello")
        learner_cookie, token = session(app_url, "nguoidan@demo.hocvuso.vn")
        teacher_cookie, _ = session(app_url, "giaovien@demo.hocvuso.vn")
        scripts = [tmp / f"post-{r}.lua" for r in range(args.rounds)]
        for script, body_file in zip(scripts, body_files):
            script.write_text(LUA_POST % (body_file, 2, learner_cookie, USER_AGENT, token))
        s, c = args.seconds, args.connections
        runs = measure({
            CEILING: lambda r: wrk(f"{ceiling_url}/template", s, c),
            "ceiling: hello world": lambda r: wrk(f"{ceiling_url}/hello", s, c),
            "module page": lambda r: wrk(app_url + data["module"], s, c, [f"Cookie: {learner_cookie}"]),
            "verify page": lambda r: wrk(app_url + data["verify"], s, c),
            "check submission": lambda r: wrk(app_url, s, c, script=scripts[r]),
            "class grid (40)": lambda r: wrk(app_url + data["grid"], s, c, [f"Cookie: {teacher_cookie}"]),
        }, CEILING, args.rounds)
        memory = memory_of_children(servers[0].pid)
        try:
            roster_seconds = roster_import(app_url, "giaovien@demo.hocvuso.vn",
                                           data["roster_class"], 1000)
        except (OSError, RuntimeError) as exc:  # a worker timeout: the request never answered
            roster_seconds, roster_error = float("inf"), exc
        else:
            roster_error = None
    finally:
        for p in servers:
            p.terminate()
        for p in servers:
            p.wait(timeout=30)
    ceilings = [c["rps"] for c in runs[CEILING]]
    print(f"\n{os.cpu_count()} cores; gunicorn {os.environ.get('WEB_CONCURRENCY') or os.cpu_count()} "
          f"workers x 4 threads; wrk 2 threads, {args.connections} connections, {args.seconds} s each, "
          f"{args.rounds} rounds; database: {'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}")
    print(f"template ceiling over {len(ceilings)} runs, one before and after each endpoint's: "
          f"median {statistics.median(ceilings):.0f} req/s, {min(ceilings):.0f}–{max(ceilings):.0f}; "
          f"ratios: median over the rounds of each run over its two neighbouring ceiling runs")
    print(f"{'endpoint':<24}{'req/s':>9}{'p50':>10}{'p99':>10}{'ratio':>8}{'goal':>7}  errors")
    results = {name: median_run(found) for name, found in runs.items()}
    for name in ("ceiling: hello world", CEILING, *GOALS):
        r = results[name]
        goal = GOALS.get(name)
        ratio = r["ratio"]
        verdict = "" if goal is None else (" ok" if ratio >= goal else " BELOW")
        print(f"{name:<24}{r['rps']:>9.0f}{r['p50']:>10}{r['p99']:>10}{ratio:>8.2f}"
              f"{'' if goal is None else f'{goal:>7.2f}'}{verdict}  {r['errors']}")
    print("ratio in each round: " + "; ".join(
        name + " " + "/".join(f"{r['ratio']:.2f}" for r in runs[name]) for name in GOALS))
    private = [p / 1024 for p, _ in memory]
    print(f"worker private memory: {', '.join(f'{m:.0f} MiB' for m in private)}"
          f"  (goal {MEMORY_GOAL_MIB}{' ok' if max(private) <= MEMORY_GOAL_MIB else ' ABOVE'}); "
          f"PSS: {', '.join(f'{pss / 1024:.0f} MiB' for _, pss in memory)}")
    print(f"roster import 1000 rows: {roster_seconds:.1f} s  (goal {ROSTER_GOAL_SECONDS}"
          f"{' ok' if roster_seconds <= ROSTER_GOAL_SECONDS else ' ABOVE'})"
          + (f"  failed: {roster_error}" if roster_error else ""))


if __name__ == "__main__":
    main()
