"""A way back in (app/auth/recovery.py): a reset link by real mail for those with an email,
and a reset by someone with a right over the person (teacher, ambassador, admin) for the rest,
told to the person at their next sign-in and kept in the audit log and their data export."""

import email
import json
import queue
import re
import socket
import time
from email import policy

import itsdangerous
import pytest
import sqlalchemy as sa

from app.ambassadors.models import AmbassadorAction
from app.audit.models import AuditEvent
from app.auth import recovery
from app.auth.models import User
from app.extensions import db
from app.localities import communes
from app.teaching import services as teaching

from ..conftest import TEST_PASSWORD, Auth, csrf_token

NEW_PASSWORD = "ca-phe-sua-da-ven-ho-42"
OTHER_PASSWORD = "gio-mua-dong-bac-ve-17"
RESET_LINK = re.compile(r"https://hocvuso\.example\.vn(/auth/reset/[\w.\-]+)")


class Inbox:
    """An aiosmtpd handler: every message the server receives, parsed."""

    def __init__(self):
        self.messages: queue.Queue = queue.Queue()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.put((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"

    def next(self, timeout: float = 10):
        return self.messages.get(timeout=timeout)


@pytest.fixture
def inbox(app, monkeypatch):
    """A real SMTP server on a free local port, and the app set to send through it."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    for key, value in {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_USE_TLS": False,
                       "MAIL_USERNAME": "", "MAIL_FROM": "Học vụ số <khong-tra-loi@hocvuso.vn>"}.items():
        monkeypatch.setitem(app.config, key, value)
    yield handler
    controller.stop()


def _ask_for_link(client, address: str):
    token = csrf_token(client, "/auth/forgot")
    return client.post("/auth/forgot", data={"csrf_token": token, "email": address})


def _link_from(inbox) -> str:
    recipients, message = inbox.next()
    body = message.get_body(("plain",)).get_content()
    return RESET_LINK.search(body).group(1)


def _set_password(client, link: str, password: str = NEW_PASSWORD):
    token = csrf_token(client, "/auth/forgot")  # a dead link's page has no form
    return client.post(link, data={"csrf_token": token, "password": password, "confirm": password})


def _sign_out(client):
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})


def test_the_login_page_leads_to_a_reset_by_mail_that_works(app, client, make_user, inbox, auth):
    uid = make_user(login="quen.mat.khau@example.vn", full_name="Trần Văn Quên")
    login_page = client.get("/auth/login").get_data(as_text=True)
    assert 'href="/auth/forgot"' in login_page and "Quên mật khẩu?" in login_page
    forgot = client.get("/auth/forgot").get_data(as_text=True)
    assert "giáo viên" in forgot and "đại sứ số" in forgot and "dùng một lần" in forgot

    sent = _ask_for_link(client, "Quen.Mat.Khau@example.vn ")
    assert sent.status_code == 200 and "Hãy xem hộp thư của bạn" in sent.get_data(as_text=True)
    recipients, message = inbox.next()
    assert recipients == ["quen.mat.khau@example.vn"]
    assert message["Subject"] == "Đặt lại mật khẩu Học vụ số"
    body = message.get_body(("plain",)).get_content()
    assert "Trần Văn Quên" in body and "30 phút" in body
    link = RESET_LINK.search(body).group(1)

    page = client.get(link)
    assert page.status_code == 200 and "Đặt mật khẩu mới" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "private, no-store"
    weak = _set_password(client, link, "12345678")
    assert weak.status_code == 400  # a guessable password is refused here too
    done = _set_password(client, link)
    assert done.status_code == 302 and done.headers["Location"].endswith("/auth/login")
    assert auth.login("quen.mat.khau@example.vn", TEST_PASSWORD).status_code == 400
    assert auth.login("quen.mat.khau@example.vn", NEW_PASSWORD).status_code == 302
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.password_reset"))
        assert (event.actor_id, event.subject_id, event.details) == (uid, str(uid), {"method": "email"})

    # The link worked once: used again, it changes nothing.
    _sign_out(client)
    assert client.get(link).status_code == 400
    again = client.post(link, data={"csrf_token": csrf_token(client, "/auth/forgot"),
                                    "password": OTHER_PASSWORD, "confirm": OTHER_PASSWORD})
    assert again.status_code == 400 and "đã được dùng" in again.get_data(as_text=True)
    assert auth.login("quen.mat.khau@example.vn", OTHER_PASSWORD).status_code == 400


def test_a_link_dies_when_the_password_changes_another_way(app, client, make_user, inbox, auth):
    make_user(login="doi.mat.khau@example.vn")
    _ask_for_link(client, "doi.mat.khau@example.vn")
    link = _link_from(inbox)
    # The person remembers after all, and changes the password while signed in.
    auth.login("doi.mat.khau@example.vn")
    token = csrf_token(client, "/auth/password")
    assert client.post("/auth/password", data={"csrf_token": token, "current": TEST_PASSWORD,
                                               "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
                       ).status_code == 302
    _sign_out(client)
    assert client.get(link).status_code == 400
    assert _set_password(client, link, OTHER_PASSWORD).status_code == 400
    assert auth.login("doi.mat.khau@example.vn", NEW_PASSWORD).status_code == 302


def test_a_link_expires_after_30_minutes_and_a_forged_one_is_refused(app, client, make_user,
                                                                     monkeypatch):
    uid = make_user(login="cham@example.vn")
    made_at = int(time.time()) - recovery.RESET_MAX_AGE - 60
    with app.app_context():
        with monkeypatch.context() as m:
            m.setattr(itsdangerous.TimestampSigner, "get_timestamp", lambda self: made_at)
            old = recovery.reset_token(db.session.get(User, uid))
        fresh = recovery.reset_token(db.session.get(User, uid))
    assert client.get(f"/auth/reset/{old}").status_code == 400
    assert client.get(f"/auth/reset/{fresh}").status_code == 200
    forged = fresh[:-3] + ("aaa" if not fresh.endswith("aaa") else "bbb")
    for bad in (forged, "x", "a" * 600, "ẽ"):
        response = client.get(f"/auth/reset/{bad}")
        assert response.status_code == 400, bad
        assert "Liên kết không dùng được" in response.get_data(as_text=True)
    assert client.get("/auth/reset/%00").status_code == 400  # the app's hostile-input answer


def test_the_answer_never_says_whether_an_address_has_an_account(client, make_user, inbox):
    make_user(login="co-that@example.vn")
    unknown = _ask_for_link(client, "khong-ai@example.vn")
    known = _ask_for_link(client, "co-that@example.vn")
    assert unknown.status_code == known.status_code == 200
    assert unknown.get_data(as_text=True) == known.get_data(as_text=True)
    recipients, _message = inbox.next()  # the first (only) message is the known address's
    assert recipients == ["co-that@example.vn"]
    with pytest.raises(queue.Empty):
        inbox.next(timeout=0.5)
    # A phone number is not an address: the page says how people without email get back in.
    phone = _ask_for_link(client, "0912345678")
    assert phone.status_code == 400 and "không phải một địa chỉ email" in phone.get_data(as_text=True)


def test_without_a_mail_server_the_message_is_written_to_the_log(app, client, make_user,
                                                                  monkeypatch, caplog):
    import threading

    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    make_user(login="dev@example.vn")
    started = []
    real_start = threading.Thread.start
    monkeypatch.setattr(threading.Thread, "start",
                        lambda self: (started.append(self), real_start(self))[1])
    with caplog.at_level("INFO"):
        _ask_for_link(client, "dev@example.vn")
        for thread in started:
            thread.join(5)
    assert RESET_LINK.search(caplog.text)


def test_asking_for_links_is_rate_limited(client, make_user, inbox):
    for _ in range(3):
        assert _ask_for_link(client, "ai-do@example.vn").status_code == 200
    blocked = _ask_for_link(client, "AI-DO@example.vn")
    assert blocked.status_code == 429 and "Bạn đã thử quá nhiều lần" in blocked.get_data(as_text=True)


# -- the assisted reset ---------------------------------------------------------------------------

@pytest.fixture
def classroom(app, make_user):
    """A teacher, a member of her class who signs in with a phone number only, an admin."""
    teacher = make_user(role="teacher", login="co.giao@example.vn", full_name="Cô Lan")
    pupil = make_user(login="0912000222", full_name="Em Minh")
    with app.app_context():
        teaching.join(teaching.create_class(teacher, "Lớp 9A", "school"), pupil)
    return {"teacher": teacher, "pupil": pupil}


def _reset(client, user_id: int, confirm: bool = True):
    url = f"/auth/people/{user_id}/password-reset"
    data = {"csrf_token": csrf_token(client, url)}
    if confirm:
        data["confirm"] = "y"
    return client.post(url, data=data)


def test_a_teacher_resets_a_members_password_and_the_member_is_told_once(app, client, classroom, auth):
    pupil = classroom["pupil"]
    auth.login("co.giao@example.vn")
    learner_page = client.get(f"/teaching/classes/{_class_id(app)}/learners/{pupil}").get_data(as_text=True)
    assert f'href="/auth/people/{pupil}/password-reset"' in learner_page
    confirm = client.get(f"/auth/people/{pupil}/password-reset")
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Đặt lại mật khẩu cho Em Minh?" in text
    assert "đã tự đặt mật khẩu" in text and "ghi vào nhật ký" in text

    # Without the box ticked, nothing changes.
    assert _reset(client, pupil, confirm=False).status_code == 400
    with app.app_context():
        assert db.session.get(User, pupil).check_password(TEST_PASSWORD)
        assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.password_reset")) is None

    sheet = _reset(client, pupil)
    assert sheet.status_code == 200 and sheet.headers["Cache-Control"] == "private, no-store"
    page = sheet.get_data(as_text=True)
    password = re.search(r'class="login"><code>(\w+)</code>', page).group(1)
    assert "0912000222" in page and "Email, số điện thoại hoặc tên đăng nhập" in page
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.password_reset"))
        assert (event.actor_id, event.subject_type, event.subject_id) == (classroom["teacher"], "user", str(pupil))
        assert event.details == {"method": "assisted", "by_role": "teacher"}
        user = db.session.get(User, pupil)
        assert user.must_change_password and not user.check_password(TEST_PASSWORD)

    _sign_out(client)
    assert auth.login("0912000222", TEST_PASSWORD).status_code == 400  # the old password is gone
    assert auth.login("0912000222", password).status_code == 302
    told = client.get("/auth/password").get_data(as_text=True)
    assert "Mật khẩu của bạn đã được Cô Lan (giáo viên) đặt lại lúc" in told
    token = csrf_token(client, "/auth/password")
    assert client.post("/auth/password", data={"csrf_token": token, "current": password,
                                               "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
                       ).status_code == 302
    # The person's data export holds the reset, with who did it.
    exported = json.loads(client.get("/me/data.json").get_data(as_text=True))["tables"]
    resets = [e for e in exported["audit_events"] if e["action"] == "user.password_reset"]
    assert [(e["actor_id"], e["details"]["method"]) for e in resets] == [(classroom["teacher"], "assisted")]
    _sign_out(client)
    assert auth.login("0912000222", NEW_PASSWORD).status_code == 302
    assert "đặt lại lúc" not in client.get("/").get_data(as_text=True)  # told once only


def _class_id(app) -> int:
    from app.teaching.models import Classroom

    with app.app_context():
        return db.session.scalar(sa.select(Classroom.id))


def test_who_may_reset_whom(app, make_user, classroom):
    pupil = classroom["pupil"]
    elsewhere = communes(38)[1][0]
    make_user(role="teacher", login="thay.khac@example.vn")
    make_user(role="ambassador", login="dai.su.xa.khac@example.vn")
    make_user(role="ambassador", login="dai.su.cung.xa@example.vn")
    make_user(role="admin", login="quan.tri@example.vn")
    make_user(login="hoc.vien@example.vn")
    registered = make_user(login="0912000333", full_name="Bà Xa")
    with app.app_context():
        for login in ("dai.su.xa.khac@example.vn",):
            db.session.scalar(sa.select(User).where(User.email == login)).commune_code = elsewhere
        person = db.session.get(User, registered)
        person.commune_code = elsewhere
        far_ambassador = db.session.scalar(sa.select(User.id).where(User.email == "dai.su.xa.khac@example.vn"))
        db.session.add(AmbassadorAction(ambassador_id=far_ambassador, citizen_id=registered, kind="register"))
        db.session.commit()

    def status(login: str, user_id: int) -> int:
        client = app.test_client()
        Auth(client).login(login)
        return client.get(f"/auth/people/{user_id}/password-reset").status_code

    assert status("co.giao@example.vn", pupil) == 200  # her class's member
    assert status("thay.khac@example.vn", pupil) == 404  # not his class
    assert status("dai.su.cung.xa@example.vn", pupil) == 200  # lives in the ambassador's commune
    assert status("dai.su.cung.xa@example.vn", registered) == 404  # neither registered nor there
    assert status("dai.su.xa.khac@example.vn", registered) == 200  # registered by this one
    assert status("dai.su.xa.khac@example.vn", pupil) == 404
    assert status("dai.su.cung.xa@example.vn", classroom["teacher"]) == 404  # staff, not a citizen
    assert status("quan.tri@example.vn", classroom["teacher"]) == 200  # an admin, anyone
    assert status("hoc.vien@example.vn", pupil) == 403  # a learner has no such right
    assert status("quan.tri@example.vn", 999_999) == 404
    # A POST is refused just the same, and nothing changes.
    client = app.test_client()
    Auth(client).login("thay.khac@example.vn")
    assert _reset(client, pupil).status_code == 404
    with app.app_context():
        assert db.session.get(User, pupil).check_password(TEST_PASSWORD)


def test_finding_someone_to_reset_tells_no_more_than_the_right(app, client, classroom, auth):
    make_user_login = "nguoi.la@example.vn"
    from app.auth.services import register

    with app.app_context():
        register(full_name="Người Lạ", login=make_user_login, password=TEST_PASSWORD,
                 group_slug="nguoi-dan", province_code=38, commune_code=communes(38)[0][0],
                 consent=True)
    auth.login("co.giao@example.vn")
    url = "/auth/people/password-reset"
    found = client.post(url, data={"csrf_token": csrf_token(client, url), "login": "0912 000 222"})
    assert found.status_code == 302
    assert found.headers["Location"].endswith(f"/auth/people/{classroom['pupil']}/password-reset")
    stranger = client.post(url, data={"csrf_token": csrf_token(client, url), "login": make_user_login})
    nobody = client.post(url, data={"csrf_token": csrf_token(client, url), "login": "khong@example.vn"})
    assert stranger.status_code == nobody.status_code == 400
    assert "Không tìm thấy người bạn có quyền" in stranger.get_data(as_text=True)
    assert "Không tìm thấy người bạn có quyền" in nobody.get_data(as_text=True)
    own = client.get(f"/auth/people/{classroom['teacher']}/password-reset")
    assert own.status_code == 302 and own.headers["Location"].endswith("/auth/password")


def test_a_link_for_an_account_made_by_a_roster_asks_for_consent(app, client, make_user, inbox, auth):
    uid = make_user(login="tu.lop@example.vn")
    with app.app_context():  # as a teacher's roster leaves it: one-time password, no consent yet
        user = db.session.get(User, uid)
        user.must_change_password, user.consent_at = True, None
        db.session.commit()
    _ask_for_link(client, "tu.lop@example.vn")
    link = _link_from(inbox)
    assert "Tôi đồng ý" in client.get(link).get_data(as_text=True)
    assert _set_password(client, link).status_code == 400  # not ticked: nothing changes
    with app.app_context():
        assert db.session.get(User, uid).check_password(TEST_PASSWORD)
    token = csrf_token(client, link)
    done = client.post(link, data={"csrf_token": token, "password": NEW_PASSWORD,
                                   "confirm": NEW_PASSWORD, "consent": "y"})
    assert done.status_code == 302
    with app.app_context():
        user = db.session.get(User, uid)
        assert user.consent_at is not None and not user.must_change_password
    assert auth.login("tu.lop@example.vn", NEW_PASSWORD).status_code == 302
    assert client.get("/").status_code == 200  # no forced change left
