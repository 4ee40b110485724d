"""The login sheet made to be printed: a print-ready page, and a PDF in large type whose text
poppler reads and whose QR code a decoder reads back as the sign-in page's address."""

import re
import shutil
import subprocess

import pytest
import sqlalchemy as sa
import zxingcpp
from PIL import Image

from app.auth.models import User
from app.extensions import db
from app.localities import communes

from ..conftest import csrf_token


@pytest.fixture
def ambassador(make_user, auth):
    user_id = make_user(role="ambassador", login="dai.su@example.vn", full_name="Đại Sứ Hải")
    auth.login("dai.su@example.vn")
    return user_id


def _register(client, full_name="Bà Lò Thị Xuân"):
    token = csrf_token(client, "/ambassador/register")
    return client.post("/ambassador/register", data={
        "csrf_token": token, "full_name": full_name, "phone": "", "group_slug": "nguoi-dan",
        "commune_code": communes(38)[0][0], "village": "", "unit_id": 0})


def _sheet(page: str) -> dict:
    return {"login": re.search(r'class="login">([^<]+)<', page).group(1),
            "password": re.search(r'class="login"><code>(\w+)</code>', page).group(1),
            "token": re.search(r'name="sheet" value="([^"]+)"', page).group(1),
            "csrf": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)}


def _pdf(client, sheet):
    return client.post("/ambassador/sheet.pdf", data={"csrf_token": sheet["csrf"],
                                                      "sheet": sheet["token"]})


def _require(tool):
    if not shutil.which(tool):
        pytest.fail(f"{tool} is missing (Debian package poppler-utils)")


def test_the_sheet_page_prints_without_javascript(client, ambassador):
    page = _register(client).get_data(as_text=True)
    assert "Email, số điện thoại hoặc tên đăng nhập:" in page  # the sign-in page's words
    assert re.search(r'<button[^>]*id="print"[^>]*hidden', page)  # shown by print.js only
    assert "<script src=\"/assets/print." in page and "onclick" not in page
    assert re.search(r'<link rel="stylesheet" href="/assets/sheet\.[0-9a-f]+\.css">', page)
    css = client.get(re.search(r'href="(/assets/sheet\.[0-9a-f]+\.css)"', page).group(1))
    assert "@media print" in css.get_data(as_text=True)


def test_the_pdf_holds_the_sheet_in_text_and_a_qr_code_to_sign_in(app, client, ambassador, tmp_path):
    sheet = _sheet(_register(client).get_data(as_text=True))
    response = _pdf(client, sheet)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert "attachment" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    _require("pdftotext")
    text = subprocess.run(["pdftotext", "-", "-"], input=response.data, capture_output=True,
                          check=True).stdout.decode()
    flat = "".join(text.split())  # letters drawn a little apart may come out with spaces
    assert "Bà Lò Thị Xuân" in text and "Email, số điện thoại hoặc tên đăng nhập:" in text
    assert sheet["login"] in flat and sheet["password"] in flat
    login_url = app.config["BASE_URL"] + "/auth/login"
    assert login_url in flat
    _require("pdftoppm")
    (tmp_path / "s.pdf").write_bytes(response.data)
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-f", "1", "-l", "1", str(tmp_path / "s.pdf"),
                    str(tmp_path / "page")], check=True)
    image = Image.open(next(tmp_path.glob("page*.png")))
    decoded = zxingcpp.read_barcodes(image)
    assert [d.text for d in decoded] == [login_url]
    assert decoded[0].format == zxingcpp.BarcodeFormat.QRCode


def test_the_password_is_not_stored_and_a_changed_one_makes_no_pdf(app, client, ambassador):
    sheet = _sheet(_register(client).get_data(as_text=True))
    with app.app_context():
        citizen = db.session.scalar(sa.select(User).where(User.full_name == "Bà Lò Thị Xuân"))
        assert sheet["password"] not in citizen.password_hash
        citizen.set_password("Mat-khau-rieng-2026")  # the citizen chose their own
        citizen.must_change_password = False
        db.session.commit()
    response = _pdf(client, sheet)
    assert response.status_code == 409 and response.mimetype == "text/html"
    assert "không còn dùng được" in response.get_data(as_text=True)


def test_a_forged_or_foreign_token_makes_no_pdf(app, client, ambassador, make_user, auth):
    sheet = _sheet(_register(client).get_data(as_text=True))
    forged = dict(sheet, token=sheet["token"][:-2] + ("AA" if sheet["token"][-2:] != "AA" else "BB"))
    assert _pdf(client, forged).status_code == 400
    assert _pdf(client, dict(sheet, token="x" * 5000)).status_code == 400
    make_user(role="ambassador", login="khac@example.vn")
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    auth.login("khac@example.vn")
    other = dict(sheet, csrf=csrf_token(client, "/ambassador/"))
    assert _pdf(client, other).status_code == 404
