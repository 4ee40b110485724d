"""Fixtures: one app per test session on a migrated database, emptied after every test.

The database is SQLite in a temporary folder, or TEST_DATABASE_URL (PostgreSQL in CI).
"""

from __future__ import annotations

import os
import re

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db

TEST_PASSWORD = "mat-khau-du-dai-1"


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
        "BASE_URL": "https://hocvuso.example.vn",
        "SERVER_NAME": None,
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
                            province_code=38, commune_code=communes(38)[0][0], role=role)
            return user.id

    return make


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


def answers_for(app, attempt_id: int, right: bool) -> dict[str, list[str]]:
    """Positions to tick on the page, worked out from the attempt's stored draw and the content:
    all the correct choices, or a single wrong one."""
    from app.assessment.models import Attempt

    catalog = app.extensions["catalog"]
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        form = {}
        for item in attempt.drawn:
            q = catalog.questions[item["id"]]
            positions = [pos for pos, idx in enumerate(item["order"]) if q.choices[idx].correct == right]
            form[f"q-{q.id}"] = [str(p) for p in (positions if right else positions[:1])]
        return form
