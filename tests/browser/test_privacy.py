"""The privacy pages on a 360-px phone: WCAG, no sideways scroll at 200% text, and the
deletion carried through to the end without JavaScript."""

from .conftest import PHONE
from .test_accessibility import audit

FITS = """() => { document.documentElement.style.fontSize = '225%';
                  return document.documentElement.scrollWidth - window.innerWidth; }"""


def _sign_in(page, login: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("Email, số điện thoại hoặc tên đăng nhập").fill(login)
    page.get_by_label("Mật khẩu").fill("mat-khau-du-dai-1")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/")


def test_privacy_pages_have_no_wcag_violations_and_fit_the_phone(phone, make_user, axe_source):
    make_user(login="rieng-tu@example.vn", full_name="Vi Thị Sen")
    _sign_in(phone, "rieng-tu@example.vn")
    found, overflow = {}, {}
    for url in ("/privacy", "/auth/profile", "/me/delete"):
        phone.goto(url)
        found[url] = audit(phone, axe_source)
        overflow[url] = phone.evaluate(FITS)
    phone.get_by_role("button", name="Xoá tài khoản vĩnh viễn").click()  # nothing filled in
    found["errors"] = audit(phone, axe_source)
    assert {u: v for u, v in found.items() if v} == {}
    assert {u: v for u, v in overflow.items() if v > 1} == {}


def test_deleting_the_account_without_javascript(browser, live_server, make_user):
    make_user(login="xoa@example.vn", full_name="Vi Văn Xoá")
    context = browser.new_context(viewport=PHONE, base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    _sign_in(page, "xoa@example.vn")
    page.goto("/auth/profile")
    page.get_by_role("link", name="Xoá tài khoản").click()
    page.get_by_role("button", name="Xoá tài khoản vĩnh viễn").click()
    assert page.get_by_text("Hãy nhập mật khẩu hiện tại.").is_visible()
    page.get_by_label("Mật khẩu hiện tại").fill("mat-khau-du-dai-1")
    page.get_by_label("Tôi hiểu: tài khoản bị xoá hẳn").check()
    page.get_by_role("button", name="Xoá tài khoản vĩnh viễn").click()
    assert page.get_by_text("Tài khoản của bạn đã được xoá.").is_visible()
    page.locator("details.menu > summary").click()  # on a phone the links are in the menu
    assert page.get_by_role("navigation").get_by_role("link", name="Đăng nhập").is_visible()
    context.close()
