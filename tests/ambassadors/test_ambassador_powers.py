"""An ambassador's powers over other people's accounts have limits (issue 20, items 1-3): no
password guessing through the supervised session, a reset only after a confirmation and only
for citizens the ambassador may act for, told to the citizen; and a login anyone can type."""

import json
import re

import pytest
import sqlalchemy as sa

from app.ambassadors.models import AmbassadorAction
from app.audit.models import AuditEvent
from app.auth.models import User
from app.extensions import db
from app.localities import communes

from ..conftest import TEST_PASSWORD, Auth, csrf_token

NEW_PASSWORD = "nuong-ngo-ben-bep-lua-38"


@pytest.fixture
def ambassador(make_user, auth):
    user_id = make_user(role="ambassador", login="dai.su@example.vn", full_name="Đại Sứ Hải")
    auth.login("dai.su@example.vn")
    return user_id


def _sign_out(client):
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/auth/password")})


def _session(client, login: str, password: str):
    token = csrf_token(client, "/ambassador/")
    return client.post("/ambassador/session", data={"csrf_token": token, "login": login,
                                                    "password": password})


def test_guessing_through_the_supervised_session_counts_as_sign_in_failures(app, client, ambassador,
                                                                            make_user):
    citizen = make_user(login="0977123456", full_name="Ông Tư")
    typed = ["0977123456", "0977 123 456", "+84977123456", "097-712-3456", "0977.123.456"]
    for login in typed:  # however the login is typed, it is one account
        assert _session(client, login, "doan-thu-sai-1").status_code == 403
    blocked = _session(client, "0977123456", "doan-thu-sai-6")
    assert blocked.status_code == 429
    assert "Bạn đã thử quá nhiều lần" in blocked.get_data(as_text=True)
    # Even the right password waits now, here and on the citizen's own sign-in.
    assert _session(client, "0977123456", TEST_PASSWORD).status_code == 429
    own = Auth(app.test_client()).login("0977123456", TEST_PASSWORD)
    assert own.status_code == 429
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "ambassador.session_wrong_password")).all()
        assert [(e.actor_id, e.subject_id) for e in events] == [(ambassador, str(citizen))] * 5


def test_failed_sign_ins_count_in_the_supervised_session_too(app, client, ambassador, make_user):
    make_user(login="0977654321")
    stranger = Auth(app.test_client())
    for _ in range(5):
        assert stranger.login("0977654321", "doan-thu-sai-1").status_code == 400
    assert _session(client, "0977654321", TEST_PASSWORD).status_code == 429


def test_the_supervised_session_uses_the_per_address_limit(app, client, ambassador, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_ADDRESS", "3 per 5 minutes")
    for i in range(3):
        assert _session(client, f"09770000{i:02d}", "doan-thu-sai-1").status_code == 404
    assert _session(client, "0977000099", "doan-thu-sai-1").status_code == 429


def _citizen(app, phone: str) -> User:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.phone == phone))
        db.session.expunge(user)
        return user


def _register(client, phone: str = "", commune_code: int | None = None):
    token = csrf_token(client, "/ambassador/register")
    return client.post("/ambassador/register", data={
        "csrf_token": token, "full_name": "Bà Lò Thị Xuân", "phone": phone,
        "group_slug": "nguoi-dan", "commune_code": commune_code or communes(38)[0][0],
        "village": "Bản Pọng", "unit_id": 0})


def test_a_new_sheet_needs_a_confirmation_and_the_citizen_is_told(app, client, ambassador, auth):
    assert _register(client, phone="0966000222").status_code == 200
    citizen = _citizen(app, "0966000222")
    _sign_out(client)
    # Since then, the citizen has chosen her own password.
    with app.app_context():
        user = db.session.get(User, citizen.id)
        user.set_password(NEW_PASSWORD)
        user.must_change_password = False
        db.session.commit()
    auth.login("dai.su@example.vn")
    index = client.get("/ambassador/").get_data(as_text=True)
    assert f'href="/ambassador/people/{citizen.id}/sheet"' in index  # a link to the step, no button
    url = f"/ambassador/people/{citizen.id}/sheet"
    step = client.get(url)
    text = step.get_data(as_text=True)
    assert step.status_code == 200 and "In lại phiếu cho Bà Lò Thị Xuân?" in text
    assert "đã tự đặt mật khẩu" in text and "ghi vào nhật ký" in text

    # A POST without the box ticked changes nothing.
    refused = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert refused.status_code == 400
    with app.app_context():
        assert db.session.get(User, citizen.id).check_password(NEW_PASSWORD)
        assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.password_reset")) is None
        kinds = list(db.session.scalars(sa.select(AmbassadorAction.kind)))
        assert kinds == ["register"]

    page = client.post(url, data={"csrf_token": csrf_token(client, url), "confirm": "y"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    password = re.search(r'class="login"><code>(\w+)</code>', html).group(1)
    assert NEW_PASSWORD not in html  # the ambassador never sees the password she chose
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.password_reset"))
        assert (event.actor_id, event.subject_id) == (ambassador, str(citizen.id))
        assert event.details == {"method": "assisted", "by_role": "ambassador"}
        kinds = list(db.session.scalars(sa.select(AmbassadorAction.kind).order_by(AmbassadorAction.id)))
        assert kinds == ["register", "password"]

    _sign_out(client)
    assert auth.login("0966000222", NEW_PASSWORD).status_code == 400  # her own password is gone
    assert auth.login("0966000222", password).status_code == 302
    told = client.get("/auth/password").get_data(as_text=True)
    assert "Mật khẩu của bạn đã được Đại Sứ Hải (đại sứ số) đặt lại lúc" in told
    token = csrf_token(client, "/auth/password")
    client.post("/auth/password", data={"csrf_token": token, "current": password,
                                        "password": NEW_PASSWORD + "x", "confirm": NEW_PASSWORD + "x",
                                        "consent": "y"})
    exported = json.loads(client.get("/me/data.json").get_data(as_text=True))["tables"]
    assert [(e["actor_id"], e["details"]["method"]) for e in exported["audit_events"]
            if e["action"] == "user.password_reset"] == [(ambassador, "assisted")]
    csv_export = client.get("/me/data.csv").get_data(as_text=True)
    assert "user.password_reset" in csv_export
    # Her account page keeps saying it (in case someone else signed in with the sheet first).
    assert "Đại Sứ Hải (đại sứ số) đặt lại lúc" in client.get("/auth/profile").get_data(as_text=True)
    _sign_out(client)
    assert auth.login("0966000222", NEW_PASSWORD + "x").status_code == 302
    assert "đặt lại lúc" not in client.get("/").get_data(as_text=True)  # shown once


def test_an_ambassador_resets_only_citizens_they_registered_or_of_their_commune(app, client, ambassador,
                                                                                make_user):
    own_commune, elsewhere = communes(38)[0][0], communes(38)[1][0]
    _register(client, phone="0966000333", commune_code=elsewhere)  # registered by them, elsewhere
    neighbour = make_user(login="0966000444")  # lives in the ambassador's commune (make_user's)
    stranger = make_user(login="0966000555")
    with app.app_context():
        db.session.get(User, stranger).commune_code = elsewhere
        db.session.commit()
        assert db.session.get(User, neighbour).commune_code == own_commune
    registered = _citizen(app, "0966000333")
    for person, expected in ((registered.id, 200), (neighbour, 200), (stranger, 404)):
        assert client.get(f"/ambassador/people/{person}/sheet").status_code == expected, person
    url = f"/ambassador/people/{stranger}/sheet"
    token = csrf_token(client, "/ambassador/")
    assert client.post(url, data={"csrf_token": token, "confirm": "y"}).status_code == 404
    with app.app_context():
        assert db.session.get(User, stranger).check_password(TEST_PASSWORD)


# -- short logins -------------------------------------------------------------------------------

def test_a_citizen_without_phone_gets_a_short_login_typed_any_way(app, client, ambassador, auth):
    page = _register(client).get_data(as_text=True)
    login = re.search(r'class="login">([a-z2-9]{8})<', page).group(1)
    assert "@" not in login and not re.search(r"[01ilo]", login)  # no look-alikes
    assert "Email, số điện thoại hoặc tên đăng nhập" in page  # the sign-in page's words
    password = re.search(r'class="login"><code>(\w+)</code>', page).group(1)
    _sign_out(client)
    assert "Email, số điện thoại hoặc tên đăng nhập" in client.get("/auth/login").get_data(as_text=True)
    for typed in (login, login.upper(), f"{login[:4]} {login[4:]}", f"  {login[:2]} {login[2:].upper()}  "):
        assert auth.login(typed, password).status_code == 302, typed
        _sign_out(client)
    assert auth.login(login[:7], password).status_code == 400


def test_address_shaped_logins_from_before_still_sign_in(app, client, auth):
    from app.auth.services import register

    with app.app_context():
        user = register(full_name="Ông Cũ", login="0912999888", password=TEST_PASSWORD,
                        group_slug="nguoi-dan", province_code=38, commune_code=communes(38)[0][0],
                        consent=True)
        user.phone, user.username = None, "mw92b4qp"  # as the migration left it
        db.session.commit()
    assert auth.login("mw92b4qp@so.hocvuso.vn").status_code == 302  # the sheet printed before
    _sign_out(client)
    assert auth.login("MW92B4QP@SO.HOCVUSO.VN ").status_code == 302
    _sign_out(client)
    assert auth.login("mw92b4qp@example.vn").status_code == 400  # only that domain


def test_the_migration_turns_address_shaped_logins_into_short_ones(make_app, tmp_path):
    from flask_migrate import downgrade, upgrade

    made = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/old.sqlite3")
    with made.app_context():
        upgrade(revision="d41f7a2c9e58")
        with db.engine.begin() as conn:
            for email in ("mw92b4qp@so.hocvuso.vn", "real@example.vn"):
                conn.execute(sa.text(
                    "INSERT INTO users (full_name, email, password_hash, group_slug, province_code,"
                    " commune_code, role, created_at, must_change_password, session_nonce)"
                    " VALUES ('A', :email, 'h', 'nguoi-dan', 38, 1, 'learner', '2026-11-30', 0, 'n')"),
                    {"email": email})
        upgrade(revision="5e3b9c1a7d24")  # this migration, whatever is chained after it
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT email, username FROM users ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(None, "mw92b4qp"), ("real@example.vn", None)]
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:  # still one login at least
            conn.execute(sa.text("UPDATE users SET username = NULL WHERE username = 'mw92b4qp'"))
        downgrade(revision="d41f7a2c9e58")
        with db.engine.connect() as conn:
            emails = conn.execute(sa.text("SELECT email FROM users ORDER BY id")).scalars().all()
        assert emails == ["mw92b4qp@so.hocvuso.vn", "real@example.vn"]
        db.session.remove()


def test_deleting_an_account_frees_its_short_login(app, make_user):
    from app.auth.services import find_by_login
    from app.privacy import services as privacy

    uid = make_user(login="0912777666")
    with app.app_context():
        user = db.session.get(User, uid)
        user.username = "hx7kq2mz"
        db.session.commit()
        privacy.delete_account(user, TEST_PASSWORD)
        assert db.session.get(User, uid).username is None
        assert find_by_login("hx7kq2mz") is None
