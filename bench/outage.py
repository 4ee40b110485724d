"""Database outage under load: what visitors get and what the log takes while PostgreSQL is away.

    .venv/bin/python bench/outage.py [--before 5] [--down 13] [--after 8] [--clients 8]

Runs a PostgreSQL cluster of its own (Debian's server binaries, on a free port, in a temporary
folder; the machine's own server is not touched), the app under gunicorn with gunicorn.conf.py
and demo data, and clients that request pages signed in and signed out. It stops that cluster
for `--down` seconds (a real `pg_ctl stop -m fast`, as a restart or failover does), starts it
again, and prints per phase the responses by status, and the error log's lines and tracebacks
during the outage. Run it on the code before and after a change to compare.
"""

from __future__ import annotations

import argparse
import collections
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import BIN, free_port, session, wait_for  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SIGNED_IN = ["/", "/courses/ky-nang-so-co-ban", "/me/competences", "/auth/profile"]
SIGNED_OUT = ["/", "/courses/ky-nang-so-co-ban", "/verify/khong-co-ma", "/healthz"]


def pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        sys.exit("needs Debian's postgresql server package (pg_ctl, initdb)")
    return Path(found[-1]).parent


class Cluster:
    """A throwaway PostgreSQL cluster; as root, run through the postgres account."""

    def __init__(self, folder: Path, port: int):
        self.data, self.port, self.bin = folder / "data", port, pg_bin()
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.data.parent / "pg.log"),
                  "-o", f"-p {self.port} -k /tmp -c listen_addresses=127.0.0.1", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "fast", "stop")


def hammer(base: str, cookie: str, stop: threading.Event, phase: list[str], counts: dict) -> None:
    i = 0
    while not stop.is_set():
        signed_in = i % 2 == 0
        path = (SIGNED_IN if signed_in else SIGNED_OUT)[(i // 2) % 4]
        request = urllib.request.Request(base + path, headers={"Cookie": cookie} if signed_in else {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, retry = response.status, response.headers.get("Retry-After")
        except urllib.error.HTTPError as error:
            status, retry = error.code, error.headers.get("Retry-After")
        except OSError:
            status, retry = "no answer", None
        key = (phase[0], "signed in" if signed_in else "signed out", status,
               "Retry-After" if retry else "")
        counts[key] += 1
        i += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", type=float, default=5)
    parser.add_argument("--down", type=float, default=13)
    parser.add_argument("--after", type=float, default=8)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hocvuso-outage-"))
    if os.geteuid() == 0:
        os.chmod(tmp, 0o755)
    cluster = Cluster(tmp / "pg", free_port())
    cluster.start()
    url = f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres"
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "outage-benchmark",
           "APP_ENV": "production", "FLASK_APP": "wsgi", "ACCESS_LOG": "/dev/null",
           "BASE_URL": "http://127.0.0.1", "COOKIE_SECURE": "0", "BIND": f"127.0.0.1:{port}"}
    for command in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run([BIN / "flask", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    log_path = tmp / "gunicorn.log"
    log = log_path.open("w")
    server = subprocess.Popen([BIN / "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
                              env=env, stdout=log, stderr=log)
    counts: dict = collections.Counter()
    stop, phase = threading.Event(), ["before"]
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/healthz")
        cookie, _token = session(base, "nguoidan@demo.hocvuso.vn")
        clients = [threading.Thread(target=hammer, args=(base, cookie, stop, phase, counts))
                   for _ in range(args.clients)]
        for c in clients:
            c.start()
        time.sleep(args.before)
        log.flush()
        lines_before = len(log_path.read_text().splitlines())
        phase[0] = "outage"
        cluster.stop()
        time.sleep(args.down)
        cluster.start()
        phase[0] = "after"
        time.sleep(1)  # let requests that were in flight while it came back finish
        log.flush()
        outage_log = log_path.read_text().splitlines()[lines_before:]
        time.sleep(max(0.0, args.after - 1))
        stop.set()
        for c in clients:
            c.join()
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)
        cluster.stop()
    print(f"\nPostgreSQL stopped for {args.down:.0f} s under {args.clients} clients "
          f"(half signed in); gunicorn {os.environ.get('WEB_CONCURRENCY') or os.cpu_count()} "
          f"workers x {os.environ.get('THREADS', '4')} threads")
    print(f"{'phase':<8}{'who':<12}{'status':>10}  {'Retry-After':<12}{'responses':>10}")
    for (p, who, status, retry), n in sorted(counts.items(), key=lambda kv: (
            ["before", "outage", "after"].index(kv[0][0]), kv[0][1], str(kv[0][2]))):
        print(f"{p:<8}{who:<12}{status!s:>10}  {retry:<12}{n:>10}")
    outage_requests = sum(n for (p, *_), n in counts.items() if p == "outage")
    print(f"error log during the outage: {len(outage_log)} lines, "
          f"{sum('Traceback' in line for line in outage_log)} tracebacks, "
          f"for {outage_requests} requests")


if __name__ == "__main__":
    main()
