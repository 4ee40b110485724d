"""Every cache is invalidated by what it was made from: a read, a role change, a revocation,
a member's progress, a roster change; and the signed-in user costs no query."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.assessment import services as assessment
from app.auth.models import User
from app.caching import CSRF_MARK, FileGenerations
from app.certificates import services as certificates
from app.courses.services import mark_read
from app.extensions import db
from app.teaching import services as teaching

from .conftest import Auth, csrf_token, follow_job

COURSE = "ky-nang-so-co-ban"


def _module_url(catalog, n=0):
    module = catalog.course(COURSE).modules[n]
    return f"/courses/{COURSE}/{module.slug}", module


def test_generations_are_shared_by_every_process_mapping_the_file(tmp_path):
    one, other = FileGenerations(str(tmp_path / "g")), FileGenerations(str(tmp_path / "g"))
    before = other.get("certificate:abc")
    one.bump("certificate:abc")
    assert other.get("certificate:abc") != before
    assert other.get_many(["certificate:abc", "x"]) == (other.get("certificate:abc"), other.get("x"))


def test_signed_in_pages_load_no_user_row(app, client, make_user, catalog):
    make_user(login="khong-truy-van@example.vn")
    Auth(client).login("khong-truy-van@example.vn")
    url, _ = _module_url(catalog)
    client.get(url)
    seen = []
    with app.app_context():
        engine = db.engine

    def listener(*args):
        seen.append(args[2])

    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        assert "Đăng xuất" in client.get(url).get_data(as_text=True)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    assert seen and not any("FROM users" in s for s in seen), seen


def test_module_page_cache_follows_the_read_state_and_the_role(app, client, make_user, catalog):
    user_id = make_user(login="doc-bai@example.vn")
    Auth(client).login("doc-bai@example.vn")
    url, module = _module_url(catalog)
    first = client.get(url).get_data(as_text=True)
    assert "Tôi đã đọc xong bài này" in first and "Lớp của tôi" not in first
    assert client.get(url).get_data(as_text=True) == first  # the same page, from the cache
    assert CSRF_MARK not in first
    with app.app_context():
        mark_read(user_id, module, catalog)
    read = client.get(url).get_data(as_text=True)
    assert "Bạn đã đọc xong bài này." in read and "Tôi đã đọc xong bài này" not in read
    with app.app_context():
        db.session.get(User, user_id).role = "teacher"
        db.session.commit()
    assert "Lớp của tôi" in client.get(url).get_data(as_text=True)


def test_a_cached_module_page_carries_each_visitors_own_csrf_token(app, make_user, catalog):
    url, _ = _module_url(catalog, 1)
    tokens = []
    for login in ("mot@example.vn", "hai@example.vn"):
        make_user(login=login)
        client = app.test_client()
        Auth(client).login(login)
        client.get(url)
        page = client.get(url).get_data(as_text=True)
        tokens.append(re.findall(r'name="csrf_token" value="([^"]+)"', page))
        # the token on the cached page is the one this session accepts
        response = client.post("/auth/logout", data={"csrf_token": tokens[-1][0]})
        assert response.status_code == 302
    assert tokens[0] and tokens[1] and set(tokens[0]).isdisjoint(tokens[1])


def _certificate(app, catalog, user_id):
    course = catalog.course(COURSE)
    with app.app_context():
        for m in course.modules:
            mark_read(user_id, m, catalog)
            attempt = assessment.open_attempt(user_id, m.check)
            form = {sq.field: [str(c.position) for c in sq.choices if c.correct]
                    for sq in assessment.shown_questions(attempt, catalog)}
            assessment.submit(user_id, attempt.id, form, catalog)
        return certificates.find_certificate(user_id, COURSE)


def test_verify_page_says_revoked_at_once(app, client, make_user, catalog):
    user_id = make_user(login="co-chung-chi@example.vn")
    admin = make_user(login="quan-tri@example.vn", role="admin")
    certificate = _certificate(app, catalog, user_id)
    url = f"/verify/{certificate.code}"
    page = client.get(url).get_data(as_text=True)
    assert client.get(url).get_data(as_text=True) == page and "ĐÃ THU HỒI" not in page
    with app.app_context():
        certificates.revoke(db.session.get(type(certificate), certificate.id), "Gian lận", admin)
    assert "ĐÃ THU HỒI" in client.get(url).get_data(as_text=True)


def test_class_grid_follows_progress_assignments_and_roster(app, client, make_user, catalog):
    teacher = make_user(role="teacher", login="gv-luoi@example.vn")
    learner = make_user(login="hv-luoi@example.vn", full_name="Lò Văn Páo")
    Auth(client).login("gv-luoi@example.vn")
    course = catalog.course(COURSE)
    module = course.modules[0]
    with app.app_context():
        classroom = teaching.create_class(teacher, "Lớp lưới", "school")
        class_id = classroom.id
        teaching.join(classroom, learner)
        teaching.add_assignment(classroom, "module", f"{COURSE}/{module.slug}", None, catalog)
    url = f"/teaching/classes/{class_id}"
    page = client.get(url).get_data(as_text=True)
    assert "Lò Văn Páo" in page and "Chưa bắt đầu" in page
    with app.app_context():
        mark_read(learner, module, catalog)  # a member's progress
    page = client.get(url).get_data(as_text=True)
    assert "Chưa bắt đầu" not in page and "Xong" in page
    with app.app_context():  # the roster
        newcomer = make_user(login="hv-moi@example.vn", full_name="Hà Thị Mai")
        teaching.join(db.session.get(type(classroom), class_id), newcomer)
    assert "Hà Thị Mai" in client.get(url).get_data(as_text=True)
    with app.app_context():  # an assignment
        assignment = teaching.assignments_of(class_id)[0]
        teaching.remove_assignment(db.session.get(type(classroom), class_id), assignment.id)
    assert "Chưa bắt đầu" not in client.get(url).get_data(as_text=True)
    assert "Xong" not in client.get(url).get_data(as_text=True)


def test_roster_import_runs_as_a_job_and_shows_the_passwords_once(app, client, make_user):
    make_user(role="teacher", login="gv-viec@example.vn")
    Auth(client).login("gv-viec@example.vn")
    token = csrf_token(client, "/teaching/")
    class_url = client.post("/teaching/", data={"csrf_token": token, "name": "Lớp việc",
                                                "kind": "school"}).headers["Location"]
    roster = "".join(f"Học Viên {i:02d},viec{i}@example.vn,nguoi-dan\n" for i in range(30))
    started = client.post(f"{class_url}/roster", content_type="multipart/form-data", data={
        "csrf_token": token, "roster": (__import__("io").BytesIO(roster.encode()), "lop.csv")})
    assert started.status_code == 303  # the request answers at once; the job does the work
    page = follow_job(client, started).get_data(as_text=True)
    assert "viec29@example.vn" in page and page.count("slip-password") == 30
    again = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "đã hiện rồi" in again and "slip-password" not in again and "30 tài khoản mới" in again
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id)).where(
            User.email.like("viec%@example.vn"))) == 30


def test_a_shared_page_is_compressed_once_and_stays_right_after_a_revocation(
        app, client, make_user, catalog):
    import brotli

    user_id = make_user(login="nen-mot-lan@example.vn")
    admin = make_user(login="quan-tri-nen@example.vn", role="admin")
    certificate = _certificate(app, catalog, user_id)
    url = f"/verify/{certificate.code}"
    plain = client.get(url).get_data(as_text=True)
    first = client.get(url, headers={"Accept-Encoding": "br"})
    assert first.headers["Content-Encoding"] == "br"
    assert brotli.decompress(first.get_data()).decode() == plain
    with app.app_context():
        certificates.revoke(db.session.get(type(certificate), certificate.id), "Gian lận", admin)
    revoked = client.get(url, headers={"Accept-Encoding": "br"})
    assert "ĐÃ THU HỒI" in brotli.decompress(revoked.get_data()).decode()


def test_a_signed_in_cached_page_is_compressed_once_and_ends_with_each_visitors_token(
        app, make_user, catalog):
    import gzip

    import brotli

    from app.extensions import compress

    url, _ = _module_url(catalog, 2)
    heads = compress.cache._cache
    seen = {}
    for login in ("nen-ba@example.vn", "nen-bon@example.vn"):
        make_user(login=login)
        client = app.test_client()
        Auth(client).login(login)
        plain = client.get(url).get_data(as_text=True)  # builds the cached page
        before = heads.hits
        pages = {}
        for algorithm, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
            response = client.get(url, headers={"Accept-Encoding": algorithm})
            assert response.headers["Content-Encoding"] == algorithm
            pages[algorithm] = decode(response.get_data()).decode()
        # Each decodes to the page itself: the shared part, then this visitor's own token.
        token = re.search(r'name="csrf_token" value="([^"]+)" form="logout-form"', plain).group(1)
        assert pages["br"] == pages["gzip"] == plain.replace(
            re.search(r'value="([^"]+)" form=', plain).group(1), token)
        seen[login] = (token, pages["br"])
        if len(seen) == 2:  # the second visitor's pages came from the first one's compression
            assert heads.hits - before == 2
        assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    (one, page_one), (other, page_other) = seen.values()
    assert one != other and page_one.replace(one, other) == page_other


def test_the_signed_token_kept_per_session_changes_with_the_session(app, make_user, catalog):
    url, _ = _module_url(catalog, 3)
    make_user(login="ma-mot-phien@example.vn")
    client = app.test_client()
    tokens = []
    for _ in range(2):
        Auth(client).login("ma-mot-phien@example.vn")
        pages = [client.get(url).get_data(as_text=True) for _ in range(2)]
        found = {t for p in pages for t in re.findall(r'name="csrf_token" value="([^"]+)"', p)}
        assert len(found) == 1  # one signed token for every page and form of the session
        tokens.append(found.pop())
        assert client.post("/auth/logout", data={"csrf_token": tokens[-1]}).status_code == 302
    assert tokens[0] != tokens[1]
    Auth(client).login("ma-mot-phien@example.vn")
    refused = client.post("/auth/logout", data={"csrf_token": tokens[0]})  # an old session's
    assert refused.status_code == 400
