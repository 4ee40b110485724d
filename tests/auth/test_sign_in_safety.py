"""Signing in gives nothing away and leaves nothing behind: the time of a failed sign-in does
not tell whether the login has an account, guessable passwords are refused with the reason,
and a shared phone does not stay signed in unless its owner asks."""

import statistics
import time

import pytest

from app.auth import services
from app.auth.passwords import weakness

from ..conftest import TEST_PASSWORD, csrf_token


def _median_seconds(call, rounds: int = 9) -> float:
    times = []
    for i in range(rounds):
        start = time.perf_counter()
        call(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def test_unknown_and_known_logins_take_the_same_time_to_fail(app, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "scrypt")  # production's cost
    make_user(login="biet@example.vn")
    with app.app_context():
        services.authenticate("biet@example.vn", "sai")  # warm both paths once
        services.authenticate("khong-co@example.vn", "sai")
        known = _median_seconds(lambda i: services.authenticate("biet@example.vn", f"sai-{i}"))
        unknown = _median_seconds(lambda i: services.authenticate(f"khong-co-{i}@example.vn", "sai"))
        badly_typed = _median_seconds(lambda i: services.authenticate(f"khong phai email {i}", "x"))
    # Before: unknown logins answered in about a tenth of the time (no password hash checked).
    assert 0.5 < unknown / known < 2, (unknown, known)
    assert 0.5 < badly_typed / known < 2, (badly_typed, known)


def test_the_message_is_the_same_for_unknown_and_known_logins(client, make_user):
    make_user(login="0912000111")
    answers = []
    for login in ("0912000111", "0912000222"):
        token = csrf_token(client, "/auth/login")
        response = client.post("/auth/login", data={"csrf_token": token, "login": login,
                                                    "password": "sai-mat-khau"})
        answers.append((response.status_code,
                        response.get_data(as_text=True).replace(token, "").replace(login, "")))
    assert answers[0] == answers[1]


@pytest.mark.parametrize("password, reason", [
    ("12345678", "rất nhiều người dùng"),
    ("matkhau123", "rất nhiều người dùng"),
    ("qwertyuiop", "rất nhiều người dùng"),
    ("abcdefgh12", "Dãy liên tiếp"),
    ("hanghang1988", "tên, số điện thoại hoặc email"),
    ("nguyenthihang", "tên, số điện thoại hoặc email"),
    ("0987654321a", "tên, số điện thoại hoặc email"),
])
def test_guessable_passwords_are_refused_with_the_reason(password, reason):
    found = weakness(password, full_name="Nguyễn Thị Hằng", login="0987654321")
    assert found and reason in found


@pytest.mark.parametrize("password", [TEST_PASSWORD, "lua chin ven song", "trauvangdicay2lan"])
def test_passphrases_are_accepted(password):
    assert weakness(password, full_name="Nguyễn Thị Hằng", login="0987654321") is None


def _sign_up(client, password: str, **extra):
    token = csrf_token(client, "/auth/register")
    return client.post("/auth/register", data={
        "csrf_token": token, "full_name": "Hà Thị Mai", "login": "0977123456",
        "password": password, "confirm": password, "group_slug": "nguoi-dan",
        "province_code": 38, "commune_code": _a_commune(), "consent": "y", **extra})


def _a_commune() -> int:
    from app.localities import communes

    return communes(38)[0][0]


def test_sign_up_refuses_12345678_and_says_why(client):
    response = _sign_up(client, "12345678")
    assert response.status_code == 400
    assert "rất nhiều người dùng" in response.get_data(as_text=True)
    assert _sign_up(client, "hamai0977123456").status_code == 400  # own name and phone
    assert _sign_up(client, "ruong lua ben suoi").status_code == 302


def test_the_forced_change_after_a_one_time_password_refuses_12345678(app, client, make_user, auth):
    from app.auth.models import User
    from app.extensions import db

    user_id = make_user(login="0966111222")
    with app.app_context():
        user = db.session.get(User, user_id)
        user.must_change_password = True
        user.consent_at = None
        db.session.commit()
    auth.login("0966111222")
    token = csrf_token(client, "/auth/password")
    response = client.post("/auth/password", data={
        "csrf_token": token, "current": TEST_PASSWORD, "password": "12345678",
        "confirm": "12345678", "consent": "y"})
    assert response.status_code == 400
    assert "rất nhiều người dùng" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user_id).must_change_password  # nothing changed


def test_keep_me_signed_in_is_an_unticked_choice(client, make_user):
    make_user(login="may-chung@example.vn")
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'name="remember"' in page and "checked" not in page.split('name="remember"')[1][:40]
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"csrf_token": token, "login": "may-chung@example.vn",
                                                "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert "remember_token" not in response.headers.get("Set-Cookie", "")
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"csrf_token": token, "login": "may-chung@example.vn",
                                                "password": TEST_PASSWORD, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("remember_token=") for c in cookies)
