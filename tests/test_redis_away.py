"""Redis going away is visible: sign-in keeps working and keeps its per-account limit (now
per process), the switch is logged once, and /healthz names what is degraded."""

import logging
import shutil
import socket
import subprocess
import time

import pytest

pytestmark = pytest.mark.integration  # a redis-server of its own, stopped mid-test

from .conftest import TEST_PASSWORD, Auth, require_service


class _Recorder(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def redis_server(tmp_path):
    """A Redis of this test's own, so that stopping it disturbs no other test."""
    binary = shutil.which("redis-server")
    if binary is None:
        require_service("127.0.0.1", 1, "redis-server (Debian's redis-server package)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.05)
    yield port, process
    process.kill()
    process.wait(timeout=10)


@pytest.fixture
def app_on_redis(redis_server, make_app, tmp_path):
    """Set up before the test runs: a migration reconfigures logging (alembic.ini)."""
    from flask_migrate import upgrade

    from app.auth.services import register
    from app.localities import communes

    url = f"redis://127.0.0.1:{redis_server[0]}/0"
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/r.sqlite3", REDIS_URL=url,
                   RATELIMIT_STORAGE_URI=url)
    with app.app_context():
        upgrade()
        register(full_name="Lò Văn Pọng", login="pong@example.vn", password=TEST_PASSWORD,
                 group_slug="nguoi-dan", province_code=38, commune_code=communes(38)[0][0],
                 consent=True)
    return app


def test_redis_stopping_is_logged_once_and_named_in_healthz(app_on_redis, redis_server, caplog):
    app, process = app_on_redis, redis_server[1]
    client = app.test_client()
    assert client.get("/healthz").get_json()["status"] == "ok"

    process.kill()
    process.wait(timeout=10)
    caplog.clear()
    app_log = _Recorder()
    app.logger.addHandler(app_log)
    auth = Auth(client)
    statuses = [auth.login("pong@example.vn", "sai-mat-khau").status_code for _ in range(6)]
    assert statuses == [400] * 5 + [429]  # the per-account limit still holds in this process
    assert Auth(app.test_client()).login("pong@example.vn").status_code == 429
    # one record for seven requests (pytest may hand the same record over twice)
    fallbacks = list({id(r): r for r in caplog.records if r.levelno >= logging.WARNING
                      and "falling back to in-memory" in r.getMessage()}.values())
    assert len(fallbacks) == 1
    # ... through the app's own logger (whose handler writes to gunicorn's error log), not only
    # Flask-Limiter's, which has a NullHandler and nothing else.
    assert app.logger.name == "app" and fallbacks[0] in app_log.records

    health = client.get("/healthz")
    assert health.status_code == 200
    body = health.get_json()
    assert body["status"] == "degraded" and "rate_limits" in body["degraded"]
