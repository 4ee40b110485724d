"""Flask-Limiter's before-request hook is dropped while no app-wide limit exists
(app/__init__.py): the limits declared on views still apply, and an app-wide limit, once
configured, still applies too. A process of its own: Flask-Limiter keeps its limits globally."""

import subprocess
import sys
from pathlib import Path

from app.extensions import limiter

from .conftest import csrf_token

ROOT = Path(__file__).resolve().parent.parent

APP_WIDE = """
from app import create_app
app = create_app({"TESTING": True, "SECRET_KEY": "x", "RATELIMIT_APPLICATION": "2 per minute",
                  "SQLALCHEMY_DATABASE_URI": "sqlite:///%s"})
client = app.test_client()
print([client.get("/healthz").status_code for _ in range(3)])
"""


def test_an_app_wide_limit_keeps_the_hook_and_applies(tmp_path):
    run = subprocess.run([sys.executable, "-c", APP_WIDE % (tmp_path / "db.sqlite3")], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == "[200, 200, 429]"


def test_without_one_the_hook_is_gone_and_the_sign_in_limit_still_holds(app, client, make_user):
    assert limiter._check_request_limit not in app.before_request_funcs[None]
    make_user(login="gioi-han@example.vn")
    codes = []
    for _ in range(12):
        codes.append(client.post("/auth/login", data={
            "csrf_token": csrf_token(client, "/auth/login"), "login": "gioi-han@example.vn",
            "password": "sai-mat-khau-roi"}).status_code)
    assert 429 in codes, codes
