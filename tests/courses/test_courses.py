"""Course pages: public to read, progress recorded for a signed-in learner, an offline copy
that records nothing, bad slugs a Vietnamese 404."""

import sqlalchemy as sa

from app.courses.models import ModuleProgress
from app.extensions import db

from ..conftest import csrf_token

COURSE = "ky-nang-so-co-ban"
MODULE = "01-dien-thoai-thong-minh"


def test_public_course_pages_need_no_account(client):
    assert client.get(f"/courses/{COURSE}").status_code == 200
    response = client.get(f"/courses/{COURSE}/{MODULE}")
    assert response.status_code == 200
    assert "Đăng nhập" in response.get_data(as_text=True)
    assert client.get(f"/checks/{COURSE}/{MODULE}").status_code == 302  # to login


def test_unknown_courses_and_modules_are_a_vietnamese_404(client):
    for url in ("/courses/khong-co", f"/courses/{COURSE}/99-khong-co", "/courses/<script>"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Không tìm thấy" in response.get_data(as_text=True)


def test_a_visit_and_read_are_recorded_for_the_learner(app, client, make_user, auth):
    user_id = make_user(login="doc-bai@example.vn")
    auth.login("doc-bai@example.vn")
    client.get(f"/courses/{COURSE}/{MODULE}")
    with app.app_context():
        row = db.session.scalar(sa.select(ModuleProgress).where(ModuleProgress.user_id == user_id))
        assert row is not None and row.read_at is None
    token = csrf_token(client, f"/courses/{COURSE}/{MODULE}")
    response = client.post(f"/courses/{COURSE}/{MODULE}/read", data={"csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        row = db.session.scalar(sa.select(ModuleProgress).where(ModuleProgress.user_id == user_id))
        assert row.read_at is not None
    page = client.get(f"/courses/{COURSE}").get_data(as_text=True)
    assert page.count("Đã đọc") == 1  # the course page shows the module read


def test_the_offline_copy_is_one_file_that_says_it_records_nothing(client):
    response = client.get(f"/courses/{COURSE}/offline.html")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{COURSE}.html"'
    html = response.get_data(as_text=True)
    assert "<style" in html and 'src="/assets/' not in html  # the stylesheet travels inside
    assert "không được ghi vào tiến độ của bạn" in html
