"""LOG_FORMAT=json: one JSON line per request with its id, errors with theirs, and no phone
number or email in any line (the log as written to stderr, not pytest's capture of records)."""

import json
import logging

import pytest

from app import logs
from app.localities import communes

from .conftest import csrf_token

PHONE = "0912 345 678"  # typed with spaces, as people do
PHONE_DIGITS = "0912345678"
EMAIL = "ha.thi.nu@example.vn"
PASSWORD = "trau-cay-ruong-bac-thang-97"


@pytest.fixture
def json_app(make_app, tmp_path):
    from flask_migrate import upgrade

    url = f"sqlite:///{tmp_path}/logs.sqlite3"
    with make_app(SQLALCHEMY_DATABASE_URI=url).app_context():
        upgrade()  # first: Alembic's logging set-up replaces the root logger's handlers
    app = make_app(SQLALCHEMY_DATABASE_URI=url, LOG_FORMAT="json",
                   PASSWORD_HASH_METHOD="scrypt:1024:8:1")

    @app.get("/test-boom")
    def boom():
        raise RuntimeError(f"failed for {EMAIL} / {PHONE_DIGITS}")

    yield app
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "hocvuso", False)]:
        root.removeHandler(handler)  # its stream is this test's captured stderr
    root.setLevel(logging.WARNING)


def _lines(capsys) -> list[dict]:
    text = capsys.readouterr().err
    return text, [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_sign_up_with_a_phone_leaves_no_phone_in_the_log(json_app, capsys):
    client = json_app.test_client()
    data = {"csrf_token": csrf_token(client, "/auth/register"), "full_name": "Hà Thị Nụ",
            "login": PHONE, "password": PASSWORD, "confirm": PASSWORD, "group_slug": "nguoi-dan",
            "province_code": "38", "commune_code": str(communes(38)[0][0]), "consent": "y"}
    assert client.post("/auth/register", data=data).status_code == 302
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    for _ in range(6):  # Flask-Limiter logs the account key ("login:0912345678") at the limit
        client.post("/auth/login", data={"csrf_token": csrf_token(client, "/auth/login"),
                                         "login": PHONE, "password": "sai-mat-khau"})
    with json_app.test_request_context():
        json_app.logger.warning("user %s asked about %s", PHONE_DIGITS, EMAIL)  # a careless line
    text, lines = _lines(capsys)
    assert any(line.get("logger") == "flask-limiter" or "exceeded" in line["message"]
               for line in lines), "the rate-limit line, which names the account, was written"
    for secret in (PHONE, PHONE_DIGITS, "+84912345678", "912345678", EMAIL, "ha.thi.nu"):
        assert secret not in text
    assert "0*******78" in text and "***@example.vn" in text  # masked, still readable
    posts = [line for line in lines if line.get("route") == "/auth/register"
             and line.get("method") == "POST"]
    assert posts and posts[0]["status"] == 302 and posts[0]["duration_ms"] >= 0
    assert len(posts[0]["request_id"]) == 32


def test_each_request_line_carries_the_id_sent_back(json_app, capsys):
    client = json_app.test_client()
    response = client.get("/healthz")
    request_id = response.headers["X-Request-ID"]
    _text, lines = _lines(capsys)
    [line] = [line for line in lines if line.get("route") == "/healthz"]
    assert line == {**line, "method": "GET", "status": 200, "request_id": request_id,
                    "level": "info"}
    # nginx's $request_id is kept, so both logs name the same request; junk is replaced.
    assert client.get("/healthz", headers={"X-Request-ID": "a1b2c3d4e5f6a7b8"}).headers[
        "X-Request-ID"] == "a1b2c3d4e5f6a7b8"
    assert client.get("/healthz", headers={"X-Request-ID": "x\" y"}).headers[
        "X-Request-ID"] != "x\" y"


def test_an_error_is_logged_with_its_request_id_and_masked(json_app, capsys):
    json_app.testing = False  # a real 500 page, and Flask logs the exception
    json_app.config["PROPAGATE_EXCEPTIONS"] = False
    response = json_app.test_client().get("/test-boom")
    assert response.status_code == 500
    text, lines = _lines(capsys)
    [error] = [line for line in lines if line["level"] == "error"]
    assert error["request_id"] == response.headers["X-Request-ID"]
    assert "RuntimeError" in error["exception"] and "/test-boom" in error["message"]
    assert EMAIL not in text and PHONE_DIGITS not in text


@pytest.mark.parametrize("text, expected", [
    ("login:0912345678 exceeded", "login:0*******78 exceeded"),
    ("+84 912 345 678 called", "0*******78 called"),
    ("mail nu.ha+lop@truong.edu.vn now", "mail ***@truong.edu.vn now"),
    ("took 0.0912345678 s, id 5f0912345678ab, 2026-12-01", "took 0.0912345678 s, id 5f0912345678ab, 2026-12-01"),
])
def test_mask(text, expected):
    assert logs.mask(text) == expected
