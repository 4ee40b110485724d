"""Two app processes behind one address behave as one site: with REDIS_URL set, a rate limit
and a login hold across both (gunicorn, as in production, on a shared database)."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration  # two gunicorn processes and Redis

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_answers() -> bool:
    parts = urllib.parse.urlsplit(REDIS_URL)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory):
    if not _redis_answers():
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but no Redis answers at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL} (start redis-server to run this test)")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    folder = tmp_path_factory.mktemp("two")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/shared.sqlite3", "REDIS_URL": REDIS_URL,
           "SECRET_KEY": "shared-secret-for-both", "APP_ENV": "production", "FLASK_APP": "wsgi",
           "WEB_CONCURRENCY": "1", "ACCESS_LOG": "/dev/null", "BASE_URL": "http://127.0.0.1",
           "COOKIE_SECURE": "0"}  # plain HTTP on loopback
    for command in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run([BIN / "flask", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    ports = []
    processes = []
    for _ in range(2):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        ports.append(port)
        processes.append(subprocess.Popen(
            [BIN / "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
            env={**env, "BIND": f"127.0.0.1:{port}"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    try:
        for port in ports:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
        yield [f"http://127.0.0.1:{p}" for p in ports]
    finally:
        for p in processes:
            p.terminate()
        for p in processes:
            p.wait(timeout=20)


class Browser:
    """Cookies kept like a browser's; one instance may talk to both processes."""

    def __init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect())

    def get(self, url):
        return self._open(urllib.request.Request(url))

    def login(self, base, login, password):
        status, html = self.get(f"{base}/auth/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        data = urllib.parse.urlencode({"csrf_token": token, "login": login, "password": password})
        return self._open(urllib.request.Request(f"{base}/auth/login", data=data.encode()))

    def _open(self, request):
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_rate_limit_holds_across_both_processes(two_processes):
    a, b = two_processes
    browser = Browser()
    for base in (a, b, a, b, a):  # five failures, spread over both processes
        status, _ = browser.login(base, "nguoidan@demo.hocvuso.vn", "sai-mat-khau")
        assert status == 400
    status, html = browser.login(b, "nguoidan@demo.hocvuso.vn", "hocvuso2026")
    assert status == 429 and "Bạn đã thử quá nhiều lần" in html
    status, _ = Browser().login(a, "nguoidan@demo.hocvuso.vn", "hocvuso2026")
    assert status == 429  # a fresh client on the other process is refused too: it's the account


def test_login_on_one_process_holds_on_the_other(two_processes):
    a, b = two_processes
    browser = Browser()
    status, _ = browser.login(a, "canbo@demo.hocvuso.vn", "hocvuso2026")
    assert status == 302
    status, html = browser.get(f"{b}/me/competences")
    assert status == 200 and "Năng lực số của tôi" in html
    status, _ = Browser().get(f"{b}/me/competences")
    assert status == 302  # and a stranger is not logged in there
