"""The learner's rights under the Personal Data Protection Law (2025): consent at sign-up and at
the first sign-in of an account made for them, the download of everything held about them, and
deleting the account without breaking certificates or the province's counts."""

import csv
import io
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.ambassadors import services as ambassadors
from app.ambassadors.models import AmbassadorAction
from app.assessment.models import Attempt
from app.audit.models import AuditEvent
from app.audit.services import record
from app.auth.models import User
from app.auth.services import AccountError, parse_login, register
from app.certificates.models import Certificate
from app.columns import utcnow
from app.extensions import db
from app.localities import communes
from app.privacy import services as privacy
from app.reports import snapshot
from app.reports.models import CommuneCount, Unit
from app.teaching import services as teaching
from app.teaching.models import Invitation, Membership

from ..conftest import TEST_PASSWORD, Auth, answers_for, csrf_token
from ..reports.conftest import certificate as add_certificate

COURSE = "ky-nang-so-co-ban"
NEW_PASSWORD = "trau-cay-ruong-bac-thang-97"
WRONG_LOGIN = "Email/số điện thoại hoặc mật khẩu chưa đúng."


def _register(client, **fields):
    data = {"csrf_token": csrf_token(client, "/auth/register"), "full_name": "Hà Thị Nụ",
            "login": "nu@example.vn", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
            "group_slug": "nguoi-dan", "province_code": "38",
            "commune_code": str(communes(38)[0][0]), **fields}
    return client.post("/auth/register", data={k: v for k, v in data.items() if v is not None})


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _finish_course(app, client, course_slug: str = COURSE) -> str:
    """Read every module and pass every check through the app; the certificate's code."""
    for module in app.extensions["catalog"].course(course_slug).modules:
        page = client.get(f"/courses/{course_slug}/{module.slug}").get_data(as_text=True)
        client.post(f"/courses/{course_slug}/{module.slug}/read", data={"csrf_token": _token(page)})
        if module.check:
            page = client.get(f"/checks/{course_slug}/{module.slug}").get_data(as_text=True)
            attempt_id = int(re.search(r'action="/attempts/(\d+)"', page).group(1))
            form = {"csrf_token": _token(page), **answers_for(app, attempt_id, right=True)}
            assert client.post(f"/attempts/{attempt_id}", data=form).status_code == 302
    page = client.get(f"/courses/{course_slug}").get_data(as_text=True)
    return re.search(r'href="/certificates/([A-Za-z0-9_-]{32})"', page).group(1)


def _tables_referring_to(target: str) -> dict[str, list[str]]:
    """Every table with a foreign key to `target`.id, and those columns: found in the schema,
    so a table added later is checked without anyone remembering this test."""
    found = {}
    for table in db.metadata.sorted_tables:
        columns = [fk.parent.name for fk in table.foreign_keys
                   if fk.column.table.name == target and fk.column.name == "id"]
        if columns:
            found[table.name] = columns
    return found


# -- consent --------------------------------------------------------------------------------------

def test_sign_up_states_what_is_kept_and_refuses_without_consent(app, client):
    page = client.get("/auth/register").get_data(as_text=True)
    assert "Học vụ số giữ thông tin gì của bạn?" in page
    for words in ("câu trả lời của bạn trong các bài kiểm tra", "không bao giờ xem câu trả lời",
                  "mã QR của chứng chỉ", "so với kế hoạch của tỉnh"):
        assert words in page
    box = re.search(r'<input[^>]*id="consent"[^>]*>', page).group(0)
    assert 'type="checkbox"' in box and "checked" not in box  # unticked until the person ticks it

    refused = _register(client)
    assert refused.status_code == 400
    assert "Hãy đánh dấu ô “Tôi đồng ý” để tạo tài khoản." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
        with pytest.raises(AccountError) as refused_by_service:
            register(full_name="Hà Thị Nụ", login="nu@example.vn", password=NEW_PASSWORD,
                     group_slug="nguoi-dan", province_code=38, commune_code=communes(38)[0][0],
                     consent=False)
        assert refused_by_service.value.field == "consent"

    before = utcnow()
    assert _register(client, consent="y").status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "nu@example.vn"))
        assert before <= user.consent_at <= utcnow()


def test_first_sign_in_of_a_roster_account_asks_for_and_records_consent(app, client, make_user,
                                                                         auth):
    teacher = make_user(role="teacher", login="gv@example.vn")
    with app.app_context():
        classroom = teaching.create_class(teacher, "Lớp 8A", "school")
        rows, problems = teaching.parse_roster("Lò Văn Páo,0912000001,nguoi-dan\n".encode(),
                                               app.extensions["catalog"])
        assert problems == []
        result = teaching.import_roster(classroom, rows, db.session.get(User, teacher))
        (pao, one_time), = result.created
        assert pao.consent_at is None  # the teacher cannot consent on the learner's behalf
        pao_id = pao.id
    auth.login("0912000001", one_time)
    assert client.get("/").headers["Location"].endswith("/auth/password")
    page = client.get("/auth/password").get_data(as_text=True)
    assert "Học vụ số giữ thông tin gì của bạn?" in page and 'id="consent"' in page

    data = {"csrf_token": _token(page), "current": one_time, "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD}
    refused = client.post("/auth/password", data=data)
    assert refused.status_code == 400
    assert "Hãy đánh dấu ô “Tôi đồng ý” để tiếp tục." in refused.get_data(as_text=True)
    with app.app_context():
        pao = db.session.get(User, pao_id)
        assert pao.consent_at is None and pao.must_change_password and pao.check_password(one_time)

    assert client.post("/auth/password", data={**data, "consent": "y"}).status_code == 302
    with app.app_context():
        pao = db.session.get(User, pao_id)
        assert pao.consent_at is not None and not pao.must_change_password
    # Consent given once: a later password change does not ask again.
    assert 'id="consent"' not in client.get("/auth/password").get_data(as_text=True)


def test_privacy_page_is_public_and_linked_from_every_page(client):
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'<footer.*href="/privacy".*</footer>', home, re.S)
    response = client.get("/privacy")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    page = response.get_data(as_text=True)
    assert "Học vụ số giữ thông tin gì của bạn?" in page and "Luật Bảo vệ dữ liệu cá nhân" in page
    client.post("/lang/en", data={"next": "/privacy"})
    english = client.get("/privacy").get_data(as_text=True)
    assert "What does Học vụ số keep about you?" in english and "never your answers" in english


# -- the download --------------------------------------------------------------------------------

@pytest.fixture
def learner(app, client, make_user, auth):
    """A signed-in learner with a row in as many tables as the app makes through its pages and
    services: progress, attempts and scores, a certificate, a class, an invitation, an
    ambassador's help, audit events."""
    teacher = make_user(role="teacher", login="gv@example.vn", full_name="Cô Giáo Lan")
    ambassador = make_user(role="ambassador", login="ds@example.vn", full_name="Đại Sứ Hải")
    uid = make_user(login="hang@example.vn", full_name="Nguyễn Thị Hằng")
    with app.app_context():
        unit = Unit(province_code=38, commune_code=communes(38)[0][0], kind="school",
                    name="Trường Một")
        db.session.add(unit)
        db.session.flush()
        user = db.session.get(User, uid)
        user.phone, user.village, user.unit_id = "0977000111", "Thôn Đông", unit.id
        joined = teaching.create_class(teacher, "Lớp tối", "community")
        teaching.join(joined, uid)
        invited = teaching.create_class(teacher, "Lớp sáng", "community")
        db.session.add(Invitation(classroom_id=invited.id, user_id=uid, invited_by=teacher))
        db.session.add(AmbassadorAction(ambassador_id=ambassador, citizen_id=uid, kind="register"))
        record(ambassador, "ambassador.register", "user", uid, login="0977000111")
        db.session.commit()
    auth.login("hang@example.vn")
    code = _finish_course(app, client)
    with app.app_context():
        snapshot.refresh(app.extensions["catalog"], 38)  # learner_status
    return {"id": uid, "code": code, "teacher": teacher, "ambassador": ambassador}


def test_export_holds_every_table_that_refers_to_the_person(app, client, learner):
    response = client.get("/me/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "private, no-store"
    body = response.get_data(as_text=True)
    tables = json.loads(body)["tables"]
    uid = learner["id"]
    with app.app_context():
        referring = _tables_referring_to("users")
        assert {"attempts", "certificates", "memberships", "class_invitations",
                "ambassador_actions", "audit_events", "learner_status"} <= set(referring)
        # An attempt is one person's: the tables of its parts (answers, scores) are theirs too.
        parts = _tables_referring_to("attempts")
        missing = sorted((set(referring) | set(parts)) - set(tables))
        assert missing == [], f"the export leaves out tables that refer to the person: {missing}"
        assert [row["id"] for row in tables["users"]] == [uid]
        # Every row that refers to the person by any of those columns is in the export.
        for name, columns in referring.items():
            table = db.metadata.tables[name]
            key = table.primary_key.columns.values()[0]
            held = set(db.session.scalars(sa.select(key).where(
                sa.or_(*(table.c[c] == uid for c in columns)))))
            assert held <= {row[key.name] for row in tables[name]}, name
        own_attempts = sa.select(Attempt.id).where(Attempt.user_id == uid)
        for name, columns in parts.items():
            table = db.metadata.tables[name]
            held = set(db.session.scalars(sa.select(table.c.id).where(
                sa.or_(*(table.c[c].in_(own_attempts) for c in columns)))))
            assert held <= {row["id"] for row in tables[name]}, name
        subject_events = set(db.session.scalars(sa.select(AuditEvent.id).where(
            AuditEvent.subject_type == "user", AuditEvent.subject_id == str(uid))))
        assert subject_events and subject_events <= {row["id"] for row in tables["audit_events"]}

        user = db.session.get(User, uid)
        attempts = db.session.scalars(sa.select(Attempt).where(Attempt.user_id == uid)).all()
        certificate = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == uid))
        password_hash, nonce = user.password_hash, user.session_nonce
    exported = {row["id"]: row for row in tables["attempts"]}
    assert attempts and all(exported[a.id]["answers"] == a.answers for a in attempts)
    assert any(row["serial"] == certificate.serial for row in tables["certificates"])
    assert tables["certificates"][0]["holder_name"] == "Nguyễn Thị Hằng"
    person = tables["users"][0]
    assert (person["village"], person["phone"]) == ("Thôn Đông", "0977000111")
    assert tables["competence_scores"] and tables["module_progress"] and tables["memberships"]
    for secret in ("password_hash", "session_nonce", password_hash, nonce):
        assert secret not in body
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.export"))
        assert (event.actor_id, event.subject_type, event.subject_id) == (uid, "user", str(uid))
        assert event.details == {"format": "json"}


def test_export_of_an_ambassador_keeps_out_the_citizens_answers(app, client, learner):
    """Who supervised which attempt is the ambassador's data; the citizen's answers are not."""
    with app.app_context():
        attempt = db.session.scalar(sa.select(Attempt).where(Attempt.user_id == learner["id"]))
        attempt.supervisor_id = learner["ambassador"]
        db.session.commit()
        attempt_id = attempt.id
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    Auth(client).login("ds@example.vn")
    tables = client.get("/me/data.json").get_json()["tables"]
    supervised = [row for row in tables["attempts"] if row["id"] == attempt_id]
    assert supervised and "answers" not in supervised[0] and "drawn" not in supervised[0]
    assert any(row["citizen_id"] == learner["id"] for row in tables["ambassador_actions"])
    typed = [row for row in tables["audit_events"] if row["action"] == "ambassador.register"]
    assert typed and "details" not in typed[0]  # the citizen's phone number stays out


def test_csv_export_is_formula_safe(app, client, make_user, auth):
    uid = make_user(login="csv@example.vn", full_name="=HYPERLINK(\"http://x.example\")")
    with app.app_context():
        db.session.get(User, uid).village = "@SUM(1+1)"
        db.session.commit()
    auth.login("csv@example.vn")
    response = client.get("/me/data.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "private, no-store"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["table", "row", "column", "value"]
    assert all(cell[:1] not in ("=", "+", "-", "@", "\t", "\r") for row in rows for cell in row)
    values = {(t, c): v for t, _n, c, v in rows[1:]}
    assert values[("users", "full_name")] == "'=HYPERLINK(\"http://x.example\")"
    assert values[("users", "village")] == "'@SUM(1+1)"
    assert ("users", "password_hash") not in values and ("users", "session_nonce") not in values
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.export"))
        assert event.actor_id == uid and event.details == {"format": "csv"}


def test_export_and_deletion_need_an_account(client):
    for url in ("/me/data.json", "/me/data.csv", "/me/delete"):
        assert "/auth/login" in client.get(url).headers["Location"]


# -- deletion --------------------------------------------------------------------------------------

def _counts() -> list[tuple]:
    return db.session.execute(sa.select(
        CommuneCount.commune_code, CommuneCount.group_slug, CommuneCount.month,
        CommuneCount.registered, CommuneCount.trained, CommuneCount.confirmed)
        .order_by(CommuneCount.commune_code, CommuneCount.group_slug, CommuneCount.month)).all()


def test_deleting_the_account(app, client, learner):
    uid, code = learner["id"], learner["code"]
    catalog = app.extensions["catalog"]
    with app.app_context():
        # The rest of the group's programme and its confirmation: the person counts as
        # registered, trained and confirmed.
        now = utcnow()
        add_certificate(uid, "cong-dan-so", now - timedelta(minutes=1))
        add_certificate(uid, "nguoi-dan", now, "confirmation")
        db.session.commit()
        snapshot.refresh(catalog, 38)
        before = _counts()
        mine = [r for r in before if r[0] == communes(38)[0][0] and r[1] == "nguoi-dan"]
        assert sum(r[3] for r in mine) >= 1 and sum(r[4] for r in mine) == 1
        assert sum(r[5] for r in mine) == 1

    page = client.get("/me/delete")
    assert page.status_code == 200 and "Chứng chỉ đã cấp vẫn giữ tên" in page.get_data(as_text=True)
    token = _token(page.get_data(as_text=True))
    wrong = client.post("/me/delete", data={"csrf_token": token, "password": "sai-mat-khau",
                                            "confirm": "y"})
    assert wrong.status_code == 400
    assert "Mật khẩu hiện tại chưa đúng." in wrong.get_data(as_text=True)
    unticked = client.post("/me/delete", data={"csrf_token": token, "password": TEST_PASSWORD})
    assert unticked.status_code == 400
    assert "Hãy đánh dấu ô này nếu bạn chắc chắn" in unticked.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, uid).deleted_at is None  # nothing happened yet

    done = client.post("/me/delete", data={"csrf_token": token, "password": TEST_PASSWORD,
                                           "confirm": "y"})
    assert done.status_code == 302
    home = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Tài khoản của bạn đã được xoá." in home and 'href="/auth/login"' in home
    assert "/auth/login" in client.get("/auth/profile").headers["Location"]  # signed out

    with app.app_context():
        user = db.session.get(User, uid)
        assert user.deleted_at is not None and user.full_name == privacy.DELETED_NAME
        assert user.email == privacy.deleted_login(uid) and user.phone is None
        assert user.village is None and user.unit_id is None
        assert not user.check_password(TEST_PASSWORD) and not user.check_password("")
        assert (user.group_slug, user.province_code, user.commune_code) == (
            "nguoi-dan", 38, communes(38)[0][0])
        everything = " ".join(str(v) for row in db.session.execute(sa.select(User.__table__))
                              for v in row)
        for gone in ("Nguyễn Thị Hằng", "hang@example.vn", "0977000111", "Thôn Đông"):
            assert gone not in everything
        assert db.session.scalar(sa.select(Membership.id).where(Membership.user_id == uid)) is None
        assert db.session.scalar(sa.select(Invitation.id).where(Invitation.user_id == uid)) is None
        typed = db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.action == "ambassador.register"))
        assert typed.subject_id == str(uid) and "0977000111" not in json.dumps(typed.details)
        assert db.session.scalar(sa.select(sa.func.count(AmbassadorAction.id)).where(
            AmbassadorAction.citizen_id == uid)) == 1  # kept, ids only
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.delete"))
        assert (event.actor_id, event.subject_type, event.subject_id) == (uid, "user", str(uid))
        # The ambassador who registered the person can neither revive the account with a new
        # login sheet nor open a session for it.
        ambassador = db.session.get(User, learner["ambassador"])
        with pytest.raises(ambassadors.AmbassadorError):
            ambassadors.new_sheet(ambassador, uid)
        with pytest.raises(ambassadors.AmbassadorError):
            ambassadors.start_session(ambassador, user, catalog)
        assert ambassadors.people(ambassador.id) == []

        # The province's figures: the same, incrementally and rebuilt from scratch.
        snapshot.refresh(catalog, 38)
        assert _counts() == before
        snapshot.refresh(catalog, 38, rebuild=True)
        assert _counts() == before

    # The certificate still verifies, with the name it was issued to.
    verify = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "HỢP LỆ" in verify and "Nguyễn Thị Hằng" in verify
    document = client.get(f"/verify/{code}.json").get_json()
    assert document["status"] == "valid"
    assert document["credential"]["credentialSubject"]["name"] == "Nguyễn Thị Hằng"
    assert client.get(f"/verify/{code}.pdf").status_code == 200

    # Signing in answers exactly as a wrong password does, whatever login is typed.
    auth = Auth(client)
    wrong_password = auth.login("gv@example.vn", "khong-phai-mat-khau")
    for login in ("hang@example.vn", "0977000111", privacy.deleted_login(uid)):
        response = auth.login(login, TEST_PASSWORD)
        assert response.status_code == wrong_password.status_code == 400
        assert WRONG_LOGIN in response.get_data(as_text=True)
    with pytest.raises(AccountError):
        parse_login(privacy.deleted_login(uid))  # nobody can register or be found by it

    # The email and the phone are free again: the person may come back as someone new.
    assert _register(client, login="hang@example.vn", consent="y").status_code == 302


def test_deletion_cannot_be_forged_from_another_site(app, client, make_user, auth):
    uid = make_user(login="csrf@example.vn")
    auth.login("csrf@example.vn")
    response = client.post("/me/delete", data={"password": TEST_PASSWORD, "confirm": "y"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(User, uid).deleted_at is None
