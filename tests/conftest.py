"""Fixtures: one app per test session on a migrated database, emptied after every test.

The database is SQLite in a temporary folder, or TEST_DATABASE_URL (PostgreSQL in CI).
"""

from __future__ import annotations

import os
import re
import secrets
import socket

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db

TEST_PASSWORD = "mat-khau-du-dai-1"
# The server for tests that need PostgreSQL itself (not just TEST_DATABASE_URL's database).
PG_SERVER = os.environ.get("TEST_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")


def require_service(host: str, port: int, what: str) -> None:
    """Skip when a service is missing on a newcomer's machine; fail in CI (REQUIRE_SERVICES=1)."""
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but {what} does not answer on {host}:{port}")
        pytest.skip(f"needs {what} on {host}:{port}")


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return _driver_url(url) if url.startswith("postgresql://") else url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


def pytest_collection_modifyitems(items):
    """Everything under tests/browser drives a real browser: mark it for `-m "not browser"`."""
    for item in items:
        if "/tests/browser/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
        "BASE_URL": "https://hocvuso.example.vn",
        "SERVER_NAME": None,
        # A cheap scrypt for the hundreds of made-up accounts (production: werkzeug's default);
        # the sign-in timing test puts the real cost back.
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
    })
    with app.app_context():
        _reset_schema()
    yield app
    with app.app_context():
        db.engine.dispose()


def _reset_schema() -> None:
    """Drop whatever a previous run left, then build the schema with the real migrations."""
    from flask_migrate import upgrade

    with db.engine.begin() as conn:
        meta = sa.MetaData()
        meta.reflect(bind=conn)
        meta.drop_all(bind=conn)
    upgrade()


@pytest.fixture
def make_app():
    """Factory for a test's own app (another database, another content folder); every engine
    it opened is disposed at teardown, even when the test fails."""
    from app.extensions import limiter

    made = []
    # Flask-Limiter keeps its storage on the one Limiter object, not per app: an app made
    # here (say, on a Redis the test then stops) must not leave the other tests' limits there.
    shared = dict(vars(limiter))

    def make(**config):
        app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", **config})
        made.append(app)
        return app

    yield make
    vars(limiter).clear()
    vars(limiter).update(shared)
    for app in made:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def postgres_database(make_app):
    """A PostgreSQL database of the test's own, created empty, migrated with the real
    migrations, and dropped afterwards: nothing an earlier run left can make a test pass."""
    from urllib.parse import urlsplit

    import psycopg
    from flask_migrate import upgrade

    server = urlsplit(PG_SERVER)
    require_service(server.hostname, server.port or 5432, "PostgreSQL")
    name = f"hocvuso_test_{secrets.token_hex(4)}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        migrated = make_app(SQLALCHEMY_DATABASE_URI=_driver_url(f"{PG_SERVER}/{name}"))
        with migrated.app_context():
            upgrade()
            db.engine.dispose()
        yield name
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# A Redis database of the RQ tests' own (13: test_jobs.py, 14: metrics, 15: shared state).
RQ_REDIS_URL = "redis://127.0.0.1:6379/12"


@pytest.fixture
def rq_app(tmp_path, make_app):
    """An app whose jobs go on RQ in the real Redis (emptied afterwards), with a database, signing
    keys and PDF cache of its own. `rq_app.burst()` runs what is queued as `flask jobs worker
    --burst` does (RQ's SimpleWorker, in this process)."""
    require_service("127.0.0.1", 6379, "Redis")
    import redis
    from flask_migrate import upgrade

    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/rq.sqlite3",
                   REDIS_URL=RQ_REDIS_URL, PASSWORD_HASH_METHOD="scrypt:1024:8:1",
                   BASE_URL="https://hocvuso.example.vn", CREDENTIAL_KEYS_DIR=str(tmp_path / "keys"),
                   CERTIFICATE_PDF_CACHE_DIR=str(tmp_path / "pdfs"))
    with app.app_context():
        upgrade(revision="heads")

    def burst() -> None:
        result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
        assert result.exit_code == 0, result.output

    app.burst = burst
    connection = redis.Redis.from_url(RQ_REDIS_URL)
    connection.flushdb()
    yield app
    connection.flushdb()


def _driver_url(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1]


@pytest.fixture(autouse=True)
def _clean_tables(request):
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        from app.extensions import limiter

        limiter.reset()  # rate-limit counters must not leak from one test into the next
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        app.extensions["caches"].clear()  # ids are reused by the next test's rows


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def catalog(app):
    return app.extensions["catalog"]


@pytest.fixture
def make_user(app):
    """Factory: make_user(group="nguoi-dan", role="learner", login=None) -> user id."""
    from app.auth.services import register
    from app.localities import communes

    counter = iter(range(1, 10_000))

    def make(group: str = "nguoi-dan", role: str = "learner", login: str | None = None,
             full_name: str = "Nguyễn Thị Hằng"):
        with app.app_context():
            user = register(full_name=full_name, login=login or f"hv{next(counter)}@example.vn",
                            password=TEST_PASSWORD, group_slug=group,
                            province_code=38, commune_code=communes(38)[0][0], role=role,
                            consent=True)
            return user.id

    return make


def follow_job(client, response, timeout: float = 30):
    """A POST that started a job (303 to its page): that page once the job has finished, as a
    browser gets it by the page's own refresh."""
    import time

    assert response.status_code == 303, response.status_code
    url = response.headers["Location"]
    deadline = time.monotonic() + timeout
    while True:
        page = client.get(url)
        if 'http-equiv="refresh"' not in page.get_data(as_text=True):
            return page
        assert time.monotonic() < deadline, f"the job at {url} did not finish"
        time.sleep(0.05)


def csrf_token(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, login: str, password: str = TEST_PASSWORD):
        token = csrf_token(self.client, "/auth/login")
        return self.client.post("/auth/login", data={
            "csrf_token": token, "login": login, "password": password})


@pytest.fixture
def auth(client):
    return Auth(client)


def answers_for(app, attempt_id: int, right: bool, last_only: bool = False) -> dict[str, list[str]]:
    """What to post on the page, worked out from the attempt's stored draw and the content:
    the right answer to every question, or a wrong one (a single wrong choice, or the steps
    of an ordering reversed), as each question type's page posts it (`last_only`: the
    confirmation's current question, the one it shows)."""
    from app.assessment.models import Attempt
    from app.catalog.question_types import QUESTION_TYPES

    catalog = app.extensions["catalog"]
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        form = {}
        for item in attempt.drawn[-1:] if last_only else attempt.drawn:
            q = catalog.questions[item["id"]]
            kind = QUESTION_TYPES[q.type]
            chosen = kind.right_answer(q) if right else next(
                c for c in [kind.right_answer(q)[::-1], *([i] for i in item["order"])]
                if not kind.judge(q, c))
            form.update(kind.form_fields(f"q-{q.id}", item["order"], chosen))
        return form


def draw_first(app, attempt_id: int, question_id: str, seed: int = 13) -> list[int]:
    """Put one question first in an attempt's draw (a draw is random), its options arranged
    as a draw arranges them; returns that order (content indexes, first shown first)."""
    import random

    from app.assessment.models import Attempt
    from app.catalog.question_types import QUESTION_TYPES

    question = app.extensions["catalog"].questions[question_id]
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        order = QUESTION_TYPES[question.type].arrange(question, random.Random(seed))
        others = [d for d in attempt.drawn if d["id"] != question_id][:len(attempt.drawn) - 1]
        attempt.drawn = [{"id": question_id, "order": order}, *others]
        db.session.commit()
    return order
