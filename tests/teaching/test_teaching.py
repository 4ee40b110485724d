import csv
import io
import re
from datetime import date, timedelta

import flask_wtf.csrf
import pytest
import sqlalchemy as sa
from werkzeug.routing import MapAdapter

from app.assessment import services as assessment
from app.auth.models import User
from app.courses.services import mark_read
from app.extensions import db
from app.teaching import services
from app.teaching.models import Classroom, Invitation, Membership

from ..conftest import csrf_token, follow_job

COURSE = "ky-nang-so-co-ban"


@pytest.fixture
def teacher(make_user, auth):
    user_id = make_user(role="teacher", login="co.giao@example.vn", full_name="Cô Nguyễn Thị Lan")
    auth.login("co.giao@example.vn")
    return user_id


def _create_class(client, name="Lớp 8A", kind="school") -> int:
    token = csrf_token(client, "/teaching/")
    response = client.post("/teaching/", data={"csrf_token": token, "name": name, "kind": kind})
    assert response.status_code == 302
    return int(re.search(r"/teaching/classes/(\d+)", response.headers["Location"]).group(1))


def _post(client, url, data=None, **kwargs):
    token = csrf_token(client, "/")
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


def test_learner_joins_by_code_and_by_link(app, client, teacher, make_user, auth):
    class_id = _create_class(client)
    with app.app_context():
        code = db.session.get(Classroom, class_id).join_code
    assert len(code) == 7 and not set(code) & set("01OIL")
    make_user(login="hs1@example.vn", full_name="Em Tuấn")
    make_user(login="hs2@example.vn", full_name="Em Hoa")
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    auth.login("hs1@example.vn")
    response = _post(client, "/join", {"code": f" {code.lower()} "})  # typed loosely
    assert response.status_code == 302 and response.headers["Location"].endswith("/me/assignments")
    again = _post(client, "/join", {"code": code}, follow_redirects=True)
    assert "Bạn đã ở trong lớp Lớp 8A rồi." in again.get_data(as_text=True)
    bad = _post(client, "/join", {"code": "ZZZZZZZ"})
    assert bad.status_code == 400 and "Không có lớp nào với mã này" in bad.get_data(as_text=True)

    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    auth.login("hs2@example.vn")
    page = client.get(f"/join/{code}").get_data(as_text=True)
    assert "Bạn được mời vào lớp Lớp 8A." in page
    assert _post(client, f"/join/{code}").status_code == 302
    with app.app_context():
        assert len(services.members(class_id)) == 2


def test_archived_class_takes_no_one(app, client, teacher, make_user, auth):
    class_id = _create_class(client)
    _post(client, f"/teaching/classes/{class_id}/archive", {"archived": "1"})
    with app.app_context():
        code = db.session.get(Classroom, class_id).join_code
    make_user(login="muon@example.vn")
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    auth.login("muon@example.vn")
    page = _post(client, "/join", {"code": code}, follow_redirects=True).get_data(as_text=True)
    assert "Lớp này đã đóng" in page


ROSTER_GOOD = """họ và tên,email hoặc số điện thoại,nhóm
Lò Văn Páo,0912000001,nguoi-dan
Hà Thị Mai,mai@example.vn,Học sinh, sinh viên
Đinh Công Tráng,cu@example.vn,hoc-sinh
"""


def test_roster_import_creates_missing_accounts_with_one_time_passwords(app, client, teacher, make_user, auth):
    cu = make_user(login="cu@example.vn", full_name="Đinh Công Tráng")
    class_id = _create_class(client)
    # the group column holds a name with a comma, so that row is quoted in real files
    data = ROSTER_GOOD.replace("Học sinh, sinh viên", '"Học sinh, sinh viên"').encode("utf-8-sig")
    response = follow_job(client, _post(client, f"/teaching/classes/{class_id}/roster",
                     {"roster": (io.BytesIO(data), "lop8a.csv")}, content_type="multipart/form-data"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "2 tài khoản mới, đã vào lớp." in page
    assert "1 dòng còn lại: nếu đã có tài khoản, người đó nhận lời mời" in page
    passwords = dict(re.findall(r'class="slip-login">(0912000001|mai@example\.vn)</strong>.*?'
                                r'class="slip-password">(\w+)</code>', page, re.S))
    assert set(passwords) == {"0912000001", "mai@example.vn"}
    with app.app_context():
        # the existing account is invited, not enrolled, until it accepts
        assert [u.full_name for u in services.members(class_id)] == ["Hà Thị Mai", "Lò Văn Páo"]
        invitation = db.session.scalar(sa.select(Invitation).where(Invitation.user_id == cu))
        services.accept_invitation(invitation)
        assert [u.full_name for u in services.members(class_id)] == ["Hà Thị Mai", "Lò Văn Páo", "Đinh Công Tráng"]  # by given name
        mai = db.session.scalar(sa.select(User).where(User.email == "mai@example.vn"))
        assert mai.group_slug == "hoc-sinh" and mai.must_change_password

    # The new learner must change the one-time password before anything else.
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    auth.login("0912000001", passwords["0912000001"])
    assert client.get("/me/assignments").headers["Location"].endswith("/auth/password")
    token = csrf_token(client, "/auth/password")
    response = client.post("/auth/password", data={
        "csrf_token": token, "current": passwords["0912000001"], "password": "mat-khau-cua-pao",
        "confirm": "mat-khau-cua-pao", "consent": "y"})
    assert response.status_code == 302
    assert client.get("/me/assignments").status_code == 200


def test_roster_with_bad_rows_reports_each_by_line_and_imports_nothing(app, client, teacher):
    class_id = _create_class(client)
    bad = ("Lò Văn Páo,0912000001,nguoi-dan\n"
           "Hà Thị Mai,khong-phai-email,hoc-sinh\n"
           "Đinh Công Tráng,cu@example.vn,nong-dan\n"
           "Lò Văn Páo,0912 000 001,nguoi-dan\n"
           "Thiếu cột,0912000009\n").encode()
    response = _post(client, f"/teaching/classes/{class_id}/roster",
                     {"roster": (io.BytesIO(bad), "sai.csv")}, content_type="multipart/form-data")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Chưa nhập: tệp có 4 dòng cần sửa." in page
    assert "Dòng 2:" in page and "Dòng 3:" in page and "Nhóm không hợp lệ: &#39;nong-dan&#39;" in page
    assert "Dòng 4: Trùng với dòng 1." in page and "Dòng 5: Cần đúng 3 cột" in page
    assert "Dòng 1:" not in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1  # only the teacher
        assert services.members(class_id) == []


def test_roster_that_is_not_utf8_gets_a_clear_message(app, client, teacher):
    class_id = _create_class(client)
    response = _post(client, f"/teaching/classes/{class_id}/roster",
                     {"roster": (io.BytesIO(b"L\xf2 V\xe3n P\xe1o,0912000001,nguoi-dan"), "x.csv")},
                     content_type="multipart/form-data")
    assert response.status_code == 400
    assert "UTF-8" in response.get_data(as_text=True)


def _enrol(app, class_id, n, **kw):
    from app.localities import communes

    ids = []
    with app.app_context():
        for i in range(n):
            user = User(full_name=f"Học viên {i:03d}", email=f"hv{i}-{class_id}@example.vn",
                        password_hash="x", group_slug="hoc-sinh", province_code=38,
                        commune_code=communes(38)[0][0])
            db.session.add(user)
            db.session.flush()
            db.session.add(Membership(classroom_id=class_id, user_id=user.id))
            ids.append(user.id)
        db.session.commit()
    return ids


def test_assignments_visible_to_learners_with_due_dates_and_overdue(app, client, teacher, make_user, auth):
    class_id = _create_class(client)
    catalog = app.extensions["catalog"]
    m1, m2 = catalog.course(COURSE).modules[:2]
    yesterday = (date.today() - timedelta(days=2)).isoformat()
    soon = (date.today() + timedelta(days=7)).isoformat()
    assert _post(client, f"/teaching/classes/{class_id}/assignments",
                 {"kind": "module", "target": f"{COURSE}/{m1.slug}", "due_on": yesterday}).status_code == 302
    assert _post(client, f"/teaching/classes/{class_id}/assignments",
                 {"kind": "check", "target": f"{COURSE}/{m2.slug}", "due_on": soon}).status_code == 302
    bad = _post(client, f"/teaching/classes/{class_id}/assignments",
                {"kind": "check", "target": COURSE, "due_on": "31/02/2026"})
    assert bad.status_code == 400 and "Ngày không hợp lệ" in bad.get_data(as_text=True)
    learner = make_user(login="giao@example.vn")
    with app.app_context():
        services.join(db.session.get(Classroom, class_id), learner)
        mark_read(learner, m1)  # done, so not overdue
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    auth.login("giao@example.vn")
    page = client.get("/me/assignments").get_data(as_text=True)
    assert m1.title in page and f"Bài kiểm tra: {m2.title}" in page
    assert "Quá hạn" not in page and "Xong" in page and "Chưa bắt đầu" in page
    with app.app_context():
        db.session.execute(sa.delete(__import__("app.courses.models", fromlist=["ModuleProgress"]).ModuleProgress))
        db.session.commit()
    assert "Quá hạn" in client.get("/me/assignments").get_data(as_text=True)


def test_progress_grid_numbers_and_csv_equal_the_screen(app, client, teacher):
    catalog = app.extensions["catalog"]
    class_id = _create_class(client)
    course = catalog.course(COURSE)
    m1, m2 = course.modules[:2]
    learners = _enrol(app, class_id, 4)
    past = (date.today() - timedelta(days=1)).isoformat()
    for kind, target, due in (("check", f"{COURSE}/{m1.slug}", ""), ("module", f"{COURSE}/{m2.slug}", past),
                              ("course", COURSE, "")):
        _post(client, f"/teaching/classes/{class_id}/assignments", {"kind": kind, "target": target, "due_on": due})
    with app.app_context():
        # learner 0 passes check 1 with 100%; learner 1 fails it (best 40%); learner 2 reads module 2
        for uid, right in ((learners[0], True), (learners[1], False)):
            attempt = assessment.open_attempt(uid, m1.check)
            form = {}
            for sq in assessment.shown_questions(attempt, catalog):
                picks = [c.position for c in sq.choices if c.correct == right]
                form[sq.field] = [str(p) for p in (picks if right else picks[:1])]
            if not right:  # get exactly 2 of 5 right
                for sq in assessment.shown_questions(attempt, catalog)[:2]:
                    form[sq.field] = [str(c.position) for c in sq.choices if c.correct]
            assessment.submit(uid, attempt.id, form, catalog)
        mark_read(learners[2], m2)
        grid = services.class_grid(db.session.get(Classroom, class_id), catalog, date.today())
        by_kind = {item.assignment.kind: item.assignment.id for item in grid.items}
        check_id, module_id, course_id = by_kind["check"], by_kind["module"], by_kind["course"]
        assert [item.assignment.kind for item in grid.items] == ["module", "check", "course"]  # due first
        assert grid.cells[(learners[0], check_id)] == services.Cell("passed", 100, False)
        assert grid.cells[(learners[1], check_id)] == services.Cell("failed", 40, False)
        assert grid.cells[(learners[2], module_id)] == services.Cell("done", None, False)
        assert grid.cells[(learners[3], module_id)] == services.Cell("not_started", None, True)
        steps = len(course.modules) + len(course.checks)
        assert grid.cells[(learners[0], course_id)] == services.Cell("in_progress", round(100 / steps), False)
        assert grid.finished(check_id) == 1 and grid.totals(module_id)["overdue"] == 3

    page = client.get(f"/teaching/classes/{class_id}").get_data(as_text=True)
    assert "Đạt 100%" in page and "Chưa đạt 40%" in page and "1/4" in page and "3 quá hạn" in page
    exported = client.get(f"/teaching/classes/{class_id}/progress.csv")
    assert exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    header, body = rows[0], rows[1:5]
    assert len(header) == 2 + 3 * 3
    by_name = {r[0]: r for r in body}
    # columns: module (due), check, course — the screen's order
    assert by_name["Học viên 000"][5:8] == ["Đạt", "100", "0"]
    assert by_name["Học viên 001"][5:8] == ["Chưa đạt", "40", "0"]
    assert by_name["Học viên 003"][2:5] == ["Chưa bắt đầu", "", "1"]
    assert rows[-1][2:5] == ["1", "", "3"] and rows[-1][5] == "1"  # totals, like the screen's footer


def test_grid_of_200_learners_and_20_assignments_takes_a_bounded_number_of_queries(app, client, teacher):
    catalog = app.extensions["catalog"]
    class_id = _create_class(client)
    learners = _enrol(app, class_id, 200)
    targets = [f"{c.slug}/{m.slug}" for c in catalog.courses.values() for m in c.modules][:17]
    with app.app_context():
        classroom = db.session.get(Classroom, class_id)
        for i, target in enumerate(targets):
            services.add_assignment(classroom, "check" if i % 2 else "module", target, None, catalog)
        for slug in list(catalog.courses)[:3]:
            services.add_assignment(classroom, "course", slug, None, catalog)
        for uid in learners[::3]:
            mark_read(uid, catalog.course(COURSE).modules[0])

    statements = []

    def count(*args, **kwargs):
        statements.append(args[2])

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        page = client.get(f"/teaching/classes/{class_id}")
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<th scope=\"row\">") == 201  # 200 learners + the totals row
    print(f"\nclass page, 200 learners x 20 assignments: {len(statements)} SQL statements")
    assert len(statements) <= 12


def test_the_class_page_builds_its_row_links_and_token_once_whatever_the_class_size(
        app, client, teacher, monkeypatch):
    catalog = app.extensions["catalog"]
    module = catalog.course(COURSE).modules[0]
    calls = {"url_for": 0, "csrf_token": 0}
    build, csrf = MapAdapter.build, flask_wtf.csrf.generate_csrf  # every url_for(), csrf_token()

    def counted(name, real):
        def call(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)
        return call

    def page(learners: int) -> str:
        class_id = _create_class(client, name=f"Lớp {learners}")
        ids = _enrol(app, class_id, learners)
        with app.app_context():
            services.add_assignment(db.session.get(Classroom, class_id), "module",
                                    f"{COURSE}/{module.slug}", None, catalog)
        calls.update(url_for=0, csrf_token=0)
        monkeypatch.setattr(MapAdapter, "build", counted("url_for", build))
        monkeypatch.setattr(flask_wtf.csrf, "generate_csrf", counted("csrf_token", csrf))
        html = client.get(f"/teaching/classes/{class_id}?item=0").get_data(as_text=True)  # not cached
        monkeypatch.undo()
        assert f'href="/teaching/classes/{class_id}/learners/{ids[-1]}"' in html
        assert f'action="/teaching/classes/{class_id}/members/{ids[0]}/remove"' in html
        return html

    html = page(3)
    small = dict(calls)
    page(40)
    assert calls == small  # not one more url_for() or token for 37 more rows
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert html.count(token) == html.count('name="csrf_token"')  # the same everywhere


def test_every_teacher_route_forbids_another_teachers_class(app, client, make_user, auth):
    owner = make_user(role="teacher", login="owner@example.vn")
    with app.app_context():
        classroom = services.create_class(owner, "Lớp của người khác", "school")
        class_id = classroom.id
        learner = make_user(login="hv-khac@example.vn")
        services.join(classroom, learner)
        a = services.add_assignment(classroom, "course", COURSE, None, app.extensions["catalog"])
        assignment_id = a.id
    make_user(role="teacher", login="intruder@example.vn")
    auth.login("intruder@example.vn")
    token = csrf_token(client, "/teaching/")
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/teaching/classes/<int:class_id>"):
            continue
        url = rule.rule.replace("<int:class_id>", str(class_id)).replace(
            "<int:user_id>", str(learner)).replace("<int:assignment_id>", str(assignment_id))
        method = "POST" if "POST" in rule.methods else "GET"
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 403, (rule.rule, response.status_code)
        checked += 1
    assert checked >= 10
    # and nothing changed
    with app.app_context():
        assert db.session.get(Classroom, class_id).archived_at is None
        assert len(services.members(class_id)) == 1


def test_learners_cannot_open_teacher_pages(client, make_user, auth):
    make_user(login="chi-hoc@example.vn")
    auth.login("chi-hoc@example.vn")
    assert client.get("/teaching/").status_code == 403
    assert client.get("/auth/admin/roles").status_code == 403


def test_admin_grants_the_teacher_role_by_page_and_by_command(app, client, make_user, auth):
    make_user(role="admin", login="qt@example.vn")
    make_user(login="se-day@example.vn", full_name="Thầy Bình")
    make_user(login="0933000111", full_name="Cô Hạnh")
    auth.login("qt@example.vn")
    response = _post(client, "/auth/admin/roles", {"login": "se-day@example.vn", "role": "teacher"})
    assert response.status_code == 302
    result = app.test_cli_runner().invoke(args=["users", "grant-role", "0933 000 111", "teacher"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        roles = {name: role for name, role in db.session.execute(sa.select(User.full_name, User.role))}
        from app.audit.models import AuditEvent
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 2
    assert roles["Thầy Bình"] == "teacher" and roles["Cô Hạnh"] == "teacher"
    bad = app.test_cli_runner().invoke(args=["users", "grant-role", "khong@co.vn", "teacher"])
    assert bad.exit_code != 0 and "Không có tài khoản" in bad.output


def _issue_course_certificates(app, learners) -> None:
    """Each learner reads every module and passes every check: the last step issues it."""
    catalog = app.extensions["catalog"]
    with app.app_context():
        for uid in learners:
            for m in catalog.course(COURSE).modules:
                mark_read(uid, m)
                attempt = assessment.open_attempt(uid, m.check)
                form = {sq.field: [str(c.position) for c in sq.choices if c.correct]
                        for sq in assessment.shown_questions(attempt, catalog)}
                assessment.submit(uid, attempt.id, form, catalog)


def test_teacher_downloads_the_class_certificates_as_one_zip(app, client, teacher):
    import zipfile

    class_id = _create_class(client)
    learners = _enrol(app, class_id, 2)
    empty = _post(client, f"/teaching/classes/{class_id}/certificates")
    assert empty.status_code == 302  # nothing to download yet: back to the class with a message
    assert empty.headers["Location"] == f"/teaching/classes/{class_id}"
    _issue_course_certificates(app, learners)
    started = _post(client, f"/teaching/classes/{class_id}/certificates")
    page = follow_job(client, started).get_data(as_text=True)  # a job made the PDFs
    link = re.search(r'href="(/teaching/classes/\d+/certificates/\w+\.zip)"', page).group(1)
    response = client.get(link)
    assert response.headers["Cache-Control"] == "private, no-store"  # never in a shared cache
    assert response.status_code == 200 and response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert len(names) == 2 and all(n.endswith(".pdf") and n.startswith("HVS-") for n in names)
    assert all(zipfile.ZipFile(io.BytesIO(response.data)).read(n).startswith(b"%PDF") for n in names)
