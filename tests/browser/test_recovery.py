"""The ways back into an account on a 360-px phone: the forgotten-password page, the reset
link's page, and a teacher's confirmation step and one-time password sheet; WCAG checked."""

import re

from app.auth import recovery
from app.auth.models import User
from app.extensions import db
from app.teaching import services as teaching

from .conftest import PHONE, sign_in
from .test_accessibility import audit

OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def test_recovery_pages_fit_a_phone_and_pass_wcag(app, browser, live_server, make_user, axe_source):
    teacher = make_user(role="teacher", login="co.lan@example.vn", full_name="Cô Lan")
    pupil = make_user(login="0912000444", full_name="Nguyễn Thị Bảo Ngọc Trâm Anh")
    with app.app_context():
        teaching.join(teaching.create_class(teacher, "Lớp 9B", "school"), pupil)
        link = "/auth/reset/" + recovery.reset_token(db.session.get(User, pupil))
    found = {}
    anonymous = browser.new_context(viewport=PHONE, base_url=live_server)
    page = anonymous.new_page()
    page.goto("/auth/login")
    page.get_by_role("link", name="Quên mật khẩu?").click()
    page.wait_for_url("**/auth/forgot")
    for url in ("/auth/forgot", link):
        page.goto(url)
        found[url] = audit(page, axe_source) + ([f"{page.evaluate(OVERFLOW)}px sideways"]
                                                if page.evaluate(OVERFLOW) > 1 else [])
    page.goto("/auth/forgot")
    page.get_by_label("Email của bạn").fill("0912000444")  # a phone number: told what to do
    page.get_by_role("button", name="Gửi liên kết").click()
    assert page.get_by_text("không phải một địa chỉ email").is_visible()
    found["forgot, with an error"] = audit(page, axe_source)
    anonymous.close()

    page = sign_in(browser, live_server, "co.lan@example.vn")
    page.goto(f"/auth/people/{pupil}/password-reset")
    found["confirmation"] = audit(page, axe_source)
    page.get_by_role("button", name="Đặt lại mật khẩu và in phiếu").click()
    assert page.get_by_text("Hãy đánh dấu ô xác nhận").is_visible()  # not ticked: nothing done
    page.get_by_label("Tôi hiểu và muốn đặt lại mật khẩu cho người này.").check()
    page.get_by_role("button", name="Đặt lại mật khẩu và in phiếu").click()
    assert page.get_by_role("heading", name="Phiếu đăng nhập Học vụ số").is_visible()
    assert re.fullmatch(r"\w{10}", page.locator(".login code").inner_text())
    found["sheet"] = audit(page, axe_source) + ([f"{page.evaluate(OVERFLOW)}px sideways"]
                                                if page.evaluate(OVERFLOW) > 1 else [])
    page.context.close()

    # The ambassador's step before a new sheet (the pupil lives in the ambassador's commune).
    make_user(role="ambassador", login="dai.su.b@example.vn")
    page = sign_in(browser, live_server, "dai.su.b@example.vn")
    page.goto(f"/ambassador/people/{pupil}/sheet")
    assert page.get_by_role("heading", name=re.compile("In lại phiếu cho")).is_visible()
    found["ambassador's step"] = audit(page, axe_source) + (
        [f"{page.evaluate(OVERFLOW)}px sideways"] if page.evaluate(OVERFLOW) > 1 else [])
    page.context.close()
    assert {url: v for url, v in found.items() if v} == {}
