"""The certificate page on a phone: the "Lưu vào ví" QR code holds the JSON-LD credential's
address (read back from the rendered page with a QR decoder), and the file downloads."""

import io
import json
from pathlib import Path

import zxingcpp
from PIL import Image

from app.certificates import services

from ..certificates.test_certificates import _complete_course, _last_step
from .conftest import sign_in
from .test_accessibility import audit


def test_wallet_qr_code_and_file_on_a_phone(app, browser, live_server, make_user, axe_source):
    user_id = make_user(login="vi-dien-thoai@example.vn", full_name="Hà Thị Vân")
    _complete_course(app, user_id)
    with app.app_context():
        certificate, issued = _last_step(app, user_id)
        assert issued
        code = certificate.code
        wallet_url = services.credential_url(code)
    page = sign_in(browser, live_server, "vi-dien-thoai@example.vn")
    page.goto(f"/certificates/{code}")
    section = page.locator("section.wallet")
    assert section.get_by_role("heading", name="Lưu vào ví").is_visible()
    assert "Learner Credential Wallet" in section.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    assert audit(page, axe_source) == []
    # What a phone camera reads from the second QR code, as drawn on the screen.
    image = Image.open(io.BytesIO(section.locator("svg").screenshot()))
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [wallet_url]
    with page.expect_download() as download:
        section.get_by_role("link", name="Tải tệp chứng chỉ cho ví").click()
    saved = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert download.value.suggested_filename == f"{certificate.serial}-vi.json"
    assert saved["id"] == f"{app.config['BASE_URL']}/verify/{code}"
    assert saved["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    page.context.close()
