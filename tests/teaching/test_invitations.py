"""A teacher invites; the learner consents. Until then the teacher learns nothing of them,
not even whether the login they typed has an account."""

import io
import re

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.certificates.models import Certificate
from app.extensions import db
from app.teaching import services
from app.teaching.models import Classroom, Invitation, Membership

from ..conftest import Auth, csrf_token, follow_job
from .test_teaching import COURSE, _create_class, _post

STRANGER = "Trần Thị Người Lạ"
SAME_ANSWER = ("Nếu có tài khoản với email hoặc số điện thoại này, người đó sẽ nhận được "
               "lời mời vào lớp và chỉ xuất hiện trong lớp khi đã đồng ý.")


@pytest.fixture
def teacher(make_user, auth):
    user_id = make_user(role="teacher", login="co.giao@example.vn", full_name="Cô Nguyễn Thị Lan")
    auth.login("co.giao@example.vn")
    return user_id


def _signed_in(app, login):
    """Another browser, signed in as `login` (the teacher keeps the `client` fixture)."""
    other = app.test_client()
    Auth(other).login(login)
    return other


def _invitations(app, class_id):
    with app.app_context():
        return list(db.session.scalars(
            sa.select(Invitation).where(Invitation.classroom_id == class_id)))


def _actions(app, action):
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"|name="csrf_token" value="[^"]+"',
                  "CSRF", html)


def test_adding_a_stranger_by_login_enrols_nobody_and_shows_the_teacher_nothing(app, client, teacher,
                                                                               make_user):
    stranger = make_user(login="0912345678", full_name=STRANGER)
    make_user(role="admin", login="quan-tri@example.vn", full_name="Quản Trị Viên Bí Mật")
    with app.app_context():  # something a teacher would love to read: a certificate
        db.session.add(Certificate(code="x" * 40, user_id=stranger, course_slug=COURSE,
                                   holder_name=STRANGER, title="Kỹ năng số cơ bản", competences=[]))
        db.session.commit()
    class_id = _create_class(client)
    _post(client, f"/teaching/classes/{class_id}/assignments", {"kind": "course", "target": COURSE})
    seen = []
    for login in ("0912 345 678", "quan-tri@example.vn"):
        response = _post(client, f"/teaching/classes/{class_id}/members", {"login": login},
                         follow_redirects=True)
        assert response.status_code == 200 and SAME_ANSWER in response.get_data(as_text=True)
        seen.append(response)
    seen.append(client.get(f"/teaching/classes/{class_id}"))
    seen.append(client.get(f"/teaching/classes/{class_id}/progress.csv"))
    learner_page = client.get(f"/teaching/classes/{class_id}/learners/{stranger}")
    assert learner_page.status_code == 404
    seen.append(learner_page)
    certificates = _post(client, f"/teaching/classes/{class_id}/certificates")
    assert certificates.status_code == 302  # "no certificates yet": the stranger's is not there
    seen.append(certificates)
    for response in seen:
        body = response.get_data(as_text=True)
        assert STRANGER not in body and "Quản Trị Viên" not in body and "0912345678" not in body
    with app.app_context():
        assert services.members(class_id) == []
        assert services.class_certificates(class_id) == []
    assert len(_invitations(app, class_id)) == 2  # they were asked, nothing more
    assert len(_actions(app, "class.invite")) == 2


def test_unknown_existing_member_and_invited_logins_get_byte_identical_answers(app, client, teacher,
                                                                                make_user, auth):
    make_user(login="co-tai-khoan@example.vn", full_name=STRANGER)
    make_user(login="thanh-vien@example.vn", full_name="Em Đã Vào Lớp")
    class_id = _create_class(client)
    with app.app_context():
        code = db.session.get(Classroom, class_id).join_code
    member = _signed_in(app, "thanh-vien@example.vn")
    joined = member.post(f"/join/{code}", data={"csrf_token": csrf_token(member, "/")})
    assert joined.status_code == 302
    url = f"/teaching/classes/{class_id}/members"
    answers = {}
    for case, login in (("unknown", "khong-ai@example.vn"),
                        ("existing", "co-tai-khoan@example.vn"),
                        ("invited again", "co-tai-khoan@example.vn"),
                        ("member", "thanh-vien@example.vn"), ("unknown phone", "0987654321")):
        response = _post(client, url, {"login": login})
        page = client.get(response.headers["Location"])
        answers[case] = (response.status_code, response.headers["Location"], response.data,
                         page.status_code, _without_csrf(page.get_data(as_text=True)))
    assert answers["unknown"][0] == 302 and SAME_ANSWER in answers["unknown"][4]
    for case, answer in answers.items():
        assert answer == answers["unknown"], case
    assert len(_invitations(app, class_id)) == 1  # no duplicate, and none for the member
    # a login that is no email nor phone is a form error, the same for everyone
    bad = _post(client, url, {"login": "khong phai"})
    assert bad.status_code == 400
    assert "Hãy nhập email hoặc số điện thoại" in bad.get_data(as_text=True)


def test_invited_learner_sees_the_invitation_accepts_and_appears_in_the_grid(app, client, teacher,
                                                                             make_user):
    learner = make_user(login="hs@example.vn", full_name=STRANGER)
    class_id = _create_class(client, name="Lớp 8A")
    _post(client, f"/teaching/classes/{class_id}/assignments", {"kind": "course", "target": COURSE})
    _post(client, f"/teaching/classes/{class_id}/members", {"login": "hs@example.vn"})
    browser = _signed_in(app, "hs@example.vn")
    for page in ("/", "/me/assignments"):
        html = browser.get(page).get_data(as_text=True)
        assert "Lời mời vào lớp" in html and "Lớp 8A" in html
        assert "Giáo viên: Cô Nguyễn Thị Lan" in html and "Lớp học ở trường" in html
        assert "Đồng ý vào lớp" in html and "Từ chối" in html
    (invitation,) = _invitations(app, class_id)
    response = browser.post(f"/me/invitations/{invitation.id}/accept",
                            data={"csrf_token": csrf_token(browser, "/"), "next": "/"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/me/assignments")
    page = browser.get("/me/assignments").get_data(as_text=True)
    assert "Bạn đã tham gia lớp Lớp 8A." in page and "Lời mời vào lớp" not in page
    assert app.extensions["catalog"].course(COURSE).title in page  # the class's work is theirs

    grid = client.get(f"/teaching/classes/{class_id}").get_data(as_text=True)
    assert STRANGER in grid
    assert client.get(f"/teaching/classes/{class_id}/learners/{learner}").status_code == 200
    assert _invitations(app, class_id) == []
    (accepted,) = _actions(app, "class.invitation_accept")
    assert accepted.actor_id == learner and accepted.subject_id == str(class_id)
    assert accepted.details["invited_by"] == teacher
    (invited,) = _actions(app, "class.invite")
    assert invited.actor_id == teacher and invited.details["user_id"] == learner


def test_declining_removes_the_invitation_and_enrols_nobody(app, client, teacher, make_user):
    learner = make_user(login="hs@example.vn", full_name=STRANGER)
    class_id = _create_class(client, name="Lớp 8A")
    _post(client, f"/teaching/classes/{class_id}/members", {"login": "hs@example.vn"})
    browser = _signed_in(app, "hs@example.vn")
    (invitation,) = _invitations(app, class_id)
    token = csrf_token(browser, "/")
    response = browser.post(f"/me/invitations/{invitation.id}/decline",
                            data={"csrf_token": token, "next": "/me/assignments"})
    assert response.status_code == 302 and response.headers["Location"] == "/me/assignments"
    page = browser.get("/me/assignments").get_data(as_text=True)
    assert "Đã từ chối lời mời vào lớp Lớp 8A." in page
    assert "Lời mời vào lớp" not in browser.get("/").get_data(as_text=True)
    assert _invitations(app, class_id) == []
    with app.app_context():
        assert services.members(class_id) == []
    (declined,) = _actions(app, "class.invitation_decline")
    assert declined.actor_id == learner and declined.subject_id == str(class_id)
    # an answered invitation cannot be answered again
    assert browser.post(f"/me/invitations/{invitation.id}/accept",
                        data={"csrf_token": token}).status_code == 404
    assert STRANGER not in client.get(f"/teaching/classes/{class_id}").get_data(as_text=True)


def test_nobody_but_the_invited_person_can_answer_an_invitation(app, client, teacher, make_user):
    make_user(login="hs@example.vn", full_name=STRANGER)
    make_user(login="ke-khac@example.vn")
    make_user(role="admin", login="qt@example.vn")
    class_id = _create_class(client)
    _post(client, f"/teaching/classes/{class_id}/members", {"login": "hs@example.vn"})
    (invitation,) = _invitations(app, class_id)
    for other in (_signed_in(app, "ke-khac@example.vn"), _signed_in(app, "qt@example.vn"), client):
        token = csrf_token(other, "/")
        for action in ("accept", "decline"):
            response = other.post(f"/me/invitations/{invitation.id}/{action}",
                                  data={"csrf_token": token})
            assert response.status_code == 404, action
    assert len(_invitations(app, class_id)) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Membership.id))) == 0
    assert _actions(app, "class.invitation_accept") == []
    assert _actions(app, "class.invitation_decline") == []


def test_a_closed_class_refuses_an_accepted_invitation(app, client, teacher, make_user):
    make_user(login="hs@example.vn")
    class_id = _create_class(client)
    _post(client, f"/teaching/classes/{class_id}/members", {"login": "hs@example.vn"})
    _post(client, f"/teaching/classes/{class_id}/archive", {"archived": "1"})
    # inviting into a closed class is refused whoever the login belongs to
    closed = _post(client, f"/teaching/classes/{class_id}/members",
                   {"login": "khong-ai@example.vn"})
    assert closed.status_code == 400 and "Lớp này đã đóng" in closed.get_data(as_text=True)
    browser = _signed_in(app, "hs@example.vn")
    (invitation,) = _invitations(app, class_id)
    response = browser.post(f"/me/invitations/{invitation.id}/accept",
                            data={"csrf_token": csrf_token(browser, "/"), "next": "/"},
                            follow_redirects=True)
    assert "Lớp này đã đóng, không nhận thêm học viên." in response.get_data(as_text=True)
    with app.app_context():
        assert services.members(class_id) == []
    assert len(_invitations(app, class_id)) == 1  # still there, to decline
    assert _actions(app, "class.invitation_accept") == []


def test_joining_with_the_class_code_uses_up_the_invitation(app, client, teacher, make_user):
    make_user(login="hs@example.vn", full_name=STRANGER)
    class_id = _create_class(client)
    _post(client, f"/teaching/classes/{class_id}/members", {"login": "hs@example.vn"})
    with app.app_context():
        code = db.session.get(Classroom, class_id).join_code
    browser = _signed_in(app, "hs@example.vn")
    joined = browser.post(f"/join/{code}", data={"csrf_token": csrf_token(browser, "/")})
    assert joined.status_code == 302
    assert _invitations(app, class_id) == []
    assert "Lời mời vào lớp" not in browser.get("/me/assignments").get_data(as_text=True)
    assert STRANGER in client.get(f"/teaching/classes/{class_id}").get_data(as_text=True)


def test_roster_import_invites_existing_accounts_and_does_not_name_them(app, client, teacher, make_user):
    existing = make_user(login="da-co@example.vn", full_name=STRANGER)
    class_id = _create_class(client)
    roster = ("Lò Văn Páo,0912000001,nguoi-dan\n"
              "Tên Giáo Viên Đoán,da-co@example.vn,nguoi-dan\n"
              "Hà Thị Mai,0912000002,hoc-sinh\n").encode()
    response = follow_job(client, _post(client, f"/teaching/classes/{class_id}/roster",
                     {"roster": (io.BytesIO(roster), "lop.csv")}, content_type="multipart/form-data"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "2 tài khoản mới, đã vào lớp." in page
    assert "1 dòng còn lại: nếu đã có tài khoản, người đó nhận lời mời" in page
    for secret in (STRANGER, "da-co@example.vn", "Tên Giáo Viên Đoán"):
        assert secret not in page
    with app.app_context():
        names = sorted(u.full_name for u in services.members(class_id))
        assert names == ["Hà Thị Mai", "Lò Văn Páo"]
    (invitation,) = _invitations(app, class_id)
    assert invitation.user_id == existing and invitation.invited_by == teacher
    assert STRANGER not in client.get(f"/teaching/classes/{class_id}").get_data(as_text=True)
    # importing the same roster again makes no second invitation and no second account
    again = follow_job(client, _post(client, f"/teaching/classes/{class_id}/roster",
                  {"roster": (io.BytesIO(roster), "lop.csv")}, content_type="multipart/form-data"))
    assert "0 tài khoản mới, đã vào lớp." in again.get_data(as_text=True)
    assert len(_invitations(app, class_id)) == 1 and len(_actions(app, "class.invite")) == 1
