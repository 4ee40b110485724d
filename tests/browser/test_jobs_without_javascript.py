"""Long jobs on a 360-px phone with JavaScript off: the job's page reloads itself (a meta
refresh) until the result is there — a class's certificate ZIP, a dashboard refresh."""

from __future__ import annotations

import io
import zipfile

from app.extensions import db
from app.teaching import services as teaching

from ..teaching.test_teaching import COURSE, _enrol, _issue_course_certificates
from .conftest import PHONE


def _signed_in_without_javascript(browser, live_server, login: str):
    context = browser.new_context(viewport=PHONE, base_url=live_server, java_script_enabled=False,
                                  accept_downloads=True)
    page = context.new_page()
    page.goto("/auth/login")
    page.locator("#login").fill(login)
    page.locator("#password").fill("mat-khau-du-dai-1")
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/")
    return page


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_class_zip_arrives_by_itself_without_javascript(app, browser, live_server, make_user):
    teacher = make_user(role="teacher", login="gv-zip@example.vn")
    with app.app_context():
        classroom = teaching.create_class(teacher, "Lớp Kỹ năng số — Tổ công nghệ số thôn Đông",
                                          "community")
        teaching.add_assignment(classroom, "course", COURSE, None, app.extensions["catalog"])
        class_id = classroom.id  # the grid, and the ZIP under it, show with an assignment
        db.session.remove()
    _issue_course_certificates(app, _enrol(app, class_id, 2))
    page = _signed_in_without_javascript(browser, live_server, "gv-zip@example.vn")
    page.goto(f"/teaching/classes/{class_id}")
    page.get_by_role("button", name="Tải mọi chứng chỉ của lớp (ZIP)").click()
    page.wait_for_url(f"**/teaching/classes/{class_id}/certificates/*")
    link = page.get_by_role("link", name="Tải tệp ZIP")
    link.wait_for(timeout=60_000)  # the page reloaded itself until the job was done
    _fits(page)
    with page.expect_download() as download:
        link.click()
    with zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes())) as archive:
        assert len(archive.namelist()) == 2
        assert all(archive.read(n).startswith(b"%PDF") for n in archive.namelist())
    page.context.close()


def test_the_dashboard_update_finishes_by_itself_without_javascript(app, browser, live_server,
                                                                    make_user):
    make_user(role="admin", login="qt-cap-nhat@example.vn")
    page = _signed_in_without_javascript(browser, live_server, "qt-cap-nhat@example.vn")
    page.goto("/reports/")
    page.get_by_role("button", name="Cập nhật số liệu ngay").click()
    page.wait_for_url("**/reports/refresh/**")
    page.get_by_text("Đã cập nhật số liệu: 1 người học").wait_for(timeout=60_000)
    _fits(page)
    page.get_by_role("link", name="Xem bảng điều khiển").click()
    page.wait_for_url("**/reports/")
    assert "Số liệu tính lúc" in page.content()
    page.context.close()
