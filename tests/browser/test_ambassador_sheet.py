"""The ambassador's register form and login sheet on a 360×740 phone: with JavaScript the unit
list follows the commune and the print button prints; without it the server re-offers the
units and the page still prints; the print view fits the width; the PDF downloads."""

import io

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from app.extensions import db
from app.localities import communes
from app.units.models import Unit

from .conftest import PHONE
from .test_accessibility import audit

OWN, OTHER = communes(38)[0][0], communes(38)[1][0]
FITS = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def ambassador(app, make_user):
    make_user(role="ambassador", login="dai.su.web@example.vn", full_name="Đại Sứ Hải")
    with app.app_context():
        for name, code in (("Trường Nhà", OWN), ("Trường Bên Kia", OTHER)):
            db.session.add(Unit(province_code=38, commune_code=code, kind="school", name=name))
        db.session.commit()
    yield
    with app.app_context():  # the session-wide database: leave no units for other tests
        db.session.execute(db.delete(Unit).where(Unit.name.in_(("Trường Nhà", "Trường Bên Kia"))))
        db.session.commit()


def _signed_in(browser, live_server, javascript: bool = True):
    context = browser.new_context(viewport=PHONE, base_url=live_server, locale="vi-VN",
                                  java_script_enabled=javascript, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/auth/login")
    page.locator("input[name=login]").fill("dai.su.web@example.vn")
    page.locator("input[name=password]").fill("mat-khau-du-dai-1")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/")
    return page


def _units(page) -> list[str]:
    return page.locator("#unit_id option").all_inner_texts()[1:]


def _check_sheet_fits_and_prints(page, axe_source, login_url: str) -> None:
    assert page.get_by_text("Email, số điện thoại hoặc tên đăng nhập:").is_visible()
    assert page.evaluate(FITS) <= 1
    assert audit(page, axe_source) == []
    page.emulate_media(media="print")
    try:
        assert page.evaluate(FITS) <= 1
        assert page.locator(".sheet").is_visible() and page.locator(".sheet .qr svg").is_visible()
        for hidden in (".top", ".sheet-actions", ".flash"):
            assert not page.locator(hidden).first.is_visible(), hidden
        # Large type on paper: the login and password at 26pt (about 35 CSS pixels).
        size = page.locator(".sheet .login").first.evaluate("e => getComputedStyle(e).fontSize")
        assert float(size.removesuffix("px")) >= 34
        # The QR code, large on paper (6 cm), reads back as the sign-in page's address.
        qr = page.locator(".sheet .qr svg")
        assert qr.bounding_box()["width"] >= 200
        decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
        assert [d.text for d in decoded] == [login_url]
        # What the browser prints on A4: one page, the sheet's text on it.
        printed = PdfReader(io.BytesIO(page.pdf(format="A4")))
        assert len(printed.pages) == 1 and "Bà Lò Thị Xuân" in printed.pages[0].extract_text()
    finally:
        page.emulate_media(media="null")  # back to the screen (and print for page.pdf)


def test_with_javascript_the_units_follow_and_the_sheet_prints(app, browser, live_server, ambassador,
                                                               axe_source):
    page = _signed_in(browser, live_server)
    page.goto("/ambassador/register")
    assert not page.get_by_role("button", name="Xem đơn vị của xã, phường đã chọn").is_visible()
    assert _units(page) == ["Trường Nhà"]
    page.locator("#full_name").fill("Bà Lò Thị Xuân")
    page.locator("#commune_code").select_option(str(OTHER))
    page.locator("#unit_id option", has_text="Trường Bên Kia").wait_for(state="attached")
    assert _units(page) == ["Trường Bên Kia"]
    page.locator("#unit_id").select_option(label="Trường Bên Kia")
    page.get_by_role("button", name="Đăng ký và in phiếu").click()
    page.wait_for_selector(".sheet")
    _check_sheet_fits_and_prints(page, axe_source, app.config["BASE_URL"] + "/auth/login")
    page.evaluate("window.print = () => { window.printed = true; }")  # no print dialog here
    page.get_by_role("button", name="In phiếu").click()
    assert page.evaluate("window.printed === true")
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải PDF (chữ to)").click()
    with open(download.value.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"
    assert download.value.suggested_filename == "phieu-dang-nhap-ba-lo-thi-xuan.pdf"
    page.context.close()


def test_without_javascript_the_server_offers_the_units_and_the_page_prints(
        app, browser, live_server, ambassador, axe_source):
    page = _signed_in(browser, live_server, javascript=False)
    page.goto("/ambassador/register")
    page.locator("#full_name").fill("Ông Cầm Văn Ơn")
    page.locator("#commune_code").select_option(str(OTHER))
    assert _units(page) == ["Trường Nhà"]  # nothing runs to change it
    page.get_by_role("button", name="Xem đơn vị của xã, phường đã chọn").click()
    page.wait_for_load_state()
    assert _units(page) == ["Trường Bên Kia"]
    assert page.locator("#full_name").input_value() == "Ông Cầm Văn Ơn"
    page.locator("#unit_id").select_option(label="Trường Bên Kia")
    page.locator("form button[type=submit]:not([name])").last.click()
    page.wait_for_selector(".sheet")
    assert not page.get_by_role("button", name="In phiếu").is_visible()  # only with a script
    assert page.get_by_text("Trang này cũng in được bằng lệnh In của trình duyệt").is_visible()
    page.context.close()
    js_page = _signed_in(browser, live_server)  # axe needs a script; the markup is the same
    js_page.goto("/ambassador/register")
    assert audit(js_page, axe_source) == []
    js_page.context.close()
