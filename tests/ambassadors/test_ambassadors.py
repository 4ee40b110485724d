import re

import pytest
import sqlalchemy as sa

from app.ambassadors import services
from app.ambassadors.models import AmbassadorAction
from app.assessment.models import Attempt
from app.audit.models import AuditEvent
from app.auth.models import User
from app.certificates.models import Certificate
from app.extensions import db
from app.localities import communes

from ..conftest import TEST_PASSWORD, answers_for, csrf_token


@pytest.fixture
def ambassador(make_user, auth):
    user_id = make_user(role="ambassador", login="dai.su@example.vn", full_name="Đại Sứ Hải")
    auth.login("dai.su@example.vn")
    return user_id


def _register(client, **fields):
    token = csrf_token(client, "/ambassador/register")
    data = {"csrf_token": token, "full_name": "Bà Lò Thị Xuân", "phone": "", "group_slug": "nguoi-dan",
            "commune_code": communes(38)[0][0], "village": "Bản Pọng", "unit_id": 0, **fields}
    return client.post("/ambassador/register", data=data)


def _citizen(app, full_name="Bà Lò Thị Xuân") -> User:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.full_name == full_name))
        db.session.expunge(user)
        return user


def test_register_a_citizen_without_phone_prints_a_login_sheet(app, client, ambassador, auth):
    response = _register(client)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    login = re.search(r'class="login">([a-z2-9]{8})<', page).group(1)  # a short login
    password = re.search(r'class="login"><code>(\w+)</code>', page).group(1)
    assert "Phiếu đăng nhập Học vụ số" in page and "Đại sứ số: Đại Sứ Hải" in page
    citizen = _citizen(app)
    assert citizen.username == login and citizen.email is None and citizen.phone is None
    assert citizen.must_change_password
    assert citizen.village == "Bản Pọng" and citizen.role == "learner"
    with app.app_context():
        action = db.session.scalar(sa.select(AmbassadorAction))
        assert (action.ambassador_id, action.citizen_id, action.kind) == (ambassador, citizen.id, "register")
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "ambassador.register"))
        assert event.actor_id == ambassador and event.subject_id == str(citizen.id)
    # the citizen signs in with the sheet, later, on a borrowed phone, and must set a password
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    typed = f" {login[:4].upper()} {login[4:].upper()} "  # as an older person may type it
    assert auth.login(typed, password).status_code == 302
    assert client.get("/").headers["Location"].endswith("/auth/password")


def test_register_with_a_phone_number_and_refuse_a_taken_one(app, client, ambassador, make_user):
    assert _register(client, phone="0987 654 321").status_code == 200
    assert _citizen(app).phone == "0987654321"
    again = _register(client, full_name="Người Khác", phone="0987654321")
    assert again.status_code == 409 and "đã có tài khoản" in again.get_data(as_text=True)
    bad = _register(client, full_name="Người Khác", commune_code=communes(1)[0][0])
    assert bad.status_code == 400 and "Hãy chọn xã, phường trong danh sách" in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AmbassadorAction.id))) == 1


def _take_and_pass(app, client, attempt_id):
    """Answer the supervised confirmation right, one question per page, until it is decided."""
    for _step in range(61):
        page = client.get(f"/ambassador/session/{attempt_id}")
        assert page.status_code == 200
        assert "Người làm bài: Bà Lò Thị Xuân" in page.get_data(as_text=True)
        form = answers_for(app, attempt_id, right=True, last_only=True)
        form["csrf_token"] = csrf_token(client, f"/ambassador/session/{attempt_id}")
        response = client.post(f"/ambassador/session/{attempt_id}", data=form)
        if response.headers["Location"].endswith("/result"):
            return response
    raise AssertionError("the supervised confirmation asked more than 60 questions")


def test_supervised_confirmation_is_the_citizens_and_attributed_to_the_ambassador(app, client, ambassador):
    _register(client)
    citizen = _citizen(app)
    token = csrf_token(client, "/ambassador/")
    start = client.post(f"/ambassador/people/{citizen.id}/session", data={"csrf_token": token})
    assert start.status_code == 302
    attempt_id = int(re.search(r"/ambassador/session/(\d+)$", start.headers["Location"]).group(1))
    # a half-filled page comes back with the answers kept and the missing questions named
    partial = client.post(f"/ambassador/session/{attempt_id}", data={"csrf_token": token})
    assert partial.status_code == 400 and "Bạn chưa trả lời câu" in partial.get_data(as_text=True)
    done = _take_and_pass(app, client, attempt_id)
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/session/{attempt_id}/result")
    result = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Bà Lò Thị Xuân đã được xác nhận đạt phổ cập kỹ năng số." in result
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.user_id == citizen.id and attempt.supervisor_id == ambassador and attempt.passed
        certificate = db.session.scalar(sa.select(Certificate).where(Certificate.kind == "confirmation"))
        assert certificate.user_id == citizen.id and certificate.course_slug == "nguoi-dan"
        actions = db.session.execute(sa.select(AmbassadorAction.kind, AmbassadorAction.ambassador_id,
                                               AmbassadorAction.citizen_id, AmbassadorAction.passed)
                                     .order_by(AmbassadorAction.id)).all()
        assert actions == [("register", ambassador, citizen.id, None),
                           ("session", ambassador, citizen.id, None),
                           ("submit", ambassador, citizen.id, True)]
        events = db.session.execute(sa.select(AuditEvent.action, AuditEvent.actor_id)
                                    .where(AuditEvent.action.like("ambassador.%"))
                                    .order_by(AuditEvent.id)).all()
        assert events == [("ambassador.register", ambassador), ("ambassador.session", ambassador),
                          ("ambassador.submit", ambassador)]
    # the ambassador stayed logged in as themselves throughout
    home = client.get("/ambassador/").get_data(as_text=True)
    assert "Đã đạt xác nhận" in home
    again = client.post(f"/ambassador/people/{citizen.id}/session", data={"csrf_token": token},
                        follow_redirects=True)
    assert "đã được xác nhận đạt phổ cập kỹ năng số" in again.get_data(as_text=True)


def test_the_confirmation_counts_on_the_dashboard_and_for_the_ambassadors_ranking(app, client, ambassador):
    from app.reports import services as reports
    from app.reports import snapshot

    _register(client)
    citizen = _citizen(app)
    with app.app_context():
        attempt = services.start_session(db.session.get(User, ambassador), db.session.get(User, citizen.id),
                                         app.extensions["catalog"])
        attempt_id = attempt.id
    assert _take_and_pass(app, client, attempt_id).status_code == 302
    with app.app_context():
        snapshot.refresh(app.extensions["catalog"], 38)
        today = snapshot.local_today()
        ranked = reports.rank_ambassadors(38, reports.parse_period("all", today))
        assert [(r.rank, r.ambassador_id, r.confirmed, r.registered, r.sessions) for r in ranked] == [
            (1, ambassador, 1, 1, 1)]
        catalog = app.extensions["catalog"]
        view = reports.province_view(38, today.year, catalog.groups["nguoi-dan"], catalog,
                                     catalog.targets)
        nd = next(r for r in view.groups if r.group.slug == "nguoi-dan").figures
        assert (nd.registered, nd.confirmed) == (2, 1)  # the ambassador is a nguoi-dan user too
        assert (view.ambassadors.ambassadors, view.ambassadors.confirmed) == (1, 1)


def test_someone_else_proves_presence_with_their_own_password(app, client, ambassador, make_user):
    other = make_user(login="0911222333", full_name="Ông Hà Văn Tư")
    token = csrf_token(client, "/ambassador/")
    wrong = client.post("/ambassador/session", data={"csrf_token": token, "login": "0911 222 333",
                                                     "password": "doan-bua"})
    assert wrong.status_code == 403 and "Mật khẩu của người học chưa đúng" in wrong.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 0
    right = client.post("/ambassador/session", data={"csrf_token": token, "login": "0911222333",
                                                     "password": TEST_PASSWORD})
    assert right.status_code == 302
    with app.app_context():
        attempt = db.session.scalar(sa.select(Attempt))
        assert attempt.user_id == other and attempt.supervisor_id == ambassador
    staff = client.post("/ambassador/session", data={"csrf_token": token, "login": "dai.su@example.vn",
                                                     "password": TEST_PASSWORD})
    assert staff.status_code == 400


def test_another_ambassador_cannot_open_or_hand_in_my_session(app, client, ambassador, make_user, auth):
    _register(client, commune_code=communes(38)[1][0])  # not the other ambassador's commune
    citizen = _citizen(app)
    with app.app_context():
        attempt_id = services.start_session(db.session.get(User, ambassador),
                                            db.session.get(User, citizen.id), app.extensions["catalog"]).id
    make_user(role="ambassador", login="dai.su.2@example.vn")
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    auth.login("dai.su.2@example.vn")
    token = csrf_token(client, "/ambassador/")
    assert client.get(f"/ambassador/session/{attempt_id}").status_code == 404
    assert client.post(f"/ambassador/session/{attempt_id}", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/ambassador/people/{citizen.id}/session", data={"csrf_token": token}).status_code == 404
    assert client.get(f"/ambassador/people/{citizen.id}/sheet").status_code == 404
    assert client.post(f"/ambassador/people/{citizen.id}/sheet",
                       data={"csrf_token": token, "confirm": "y"}).status_code == 404


def test_a_lost_sheet_gets_a_new_password(app, client, ambassador, auth):
    _register(client, phone="0966000111")
    citizen = _citizen(app)
    token = csrf_token(client, "/ambassador/")
    page = client.post(f"/ambassador/people/{citizen.id}/sheet",
                       data={"csrf_token": token, "confirm": "y"})
    assert page.status_code == 200
    password = re.search(r'class="login"><code>(\w+)</code>', page.get_data(as_text=True)).group(1)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    assert auth.login("0966000111", password).status_code == 302
    with app.app_context():
        kinds = list(db.session.scalars(sa.select(AmbassadorAction.kind).order_by(AmbassadorAction.id)))
        assert kinds == ["register", "password"]


@pytest.mark.parametrize("role", ["learner", "teacher", "leader"])
def test_every_ambassador_route_is_forbidden_to_other_roles(app, client, make_user, auth, role):
    make_user(role=role, login=f"{role}@example.vn")
    auth.login(f"{role}@example.vn")
    token = csrf_token(client, "/")
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/ambassador/"):
            continue
        url = re.sub(r"<int:\w+>", "1", rule.rule)
        method = "POST" if "POST" in rule.methods else "GET"
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 403, (url, response.status_code)
        checked += 1
    assert checked >= 8
