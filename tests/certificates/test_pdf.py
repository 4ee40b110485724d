"""The certificate PDF: real bytes read back with pypdf and poppler, the QR decoded by zxing."""

import io
import os
import re
import shutil
import subprocess
import unicodedata
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from app.certificates import pdf, services
from app.certificates.models import Certificate
from app.extensions import db

BASE = "https://hocvuso.example.vn"


def _text(data: bytes) -> str:
    pages = PdfReader(io.BytesIO(data)).pages
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in pages))


def test_pdf_is_a4_with_the_vietnamese_name_course_date_serial_and_competences(
        app, client, issue_certificate):
    # Typed decomposed (as some phone keyboards do): the PDF still prints it composed, intact.
    code = issue_certificate(full_name=unicodedata.normalize("NFD", "Trịnh Thị Ngọc Ánh"),
                             login="anh@example.vn")
    response = client.get(f"/verify/{code}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    with app.app_context():
        certificate = services.by_code(code)
        serial, competences = certificate.serial, certificate.competences
    raw = "\n".join(p.extract_text() for p in reader.pages)
    assert "Trịnh Thị Ngọc Ánh" in raw  # composed code points, straight out of the PDF
    assert "CHỨNG NHẬN HOÀN THÀNH KHÓA HỌC" in raw and "Kỹ năng số cơ bản" in raw
    assert f"Số hiệu: {serial}" in raw and "Ngày cấp:" in raw
    for c in competences:
        assert f"{c['code']} {c['name']}" in raw and f"{c['correct']}/{c['total']}" in raw
    assert code in raw
    assert "anh@example.vn" not in raw and "ĐÃ THU HỒI" not in raw
    # poppler reads the same text: fonts are embedded with a Unicode map, not just drawn.
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-", "-"], input=response.data, capture_output=True,
                             check=True).stdout.decode()
        assert "Trịnh Thị Ngọc Ánh" in out


def _require_pdftoppm():
    if shutil.which("pdftoppm"):
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail("pdftoppm is missing (Debian package poppler-utils) and REQUIRE_BROWSER=1")
    pytest.skip("pdftoppm not installed (apt-get install poppler-utils)")


def _qr_codes_on_page_one(data: bytes, folder: Path) -> list:
    (folder / "c.pdf").write_bytes(data)
    for old in folder.glob("page*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(folder / "c.pdf"),
                    str(folder / "page")], check=True)
    [png] = list(folder.glob("page*.png"))
    with Image.open(png) as image:
        return zxingcpp.read_barcodes(image)


def test_qr_code_read_from_the_rendered_pdf_is_the_verify_url(app, client, issue_certificate,
                                                              tmp_path):
    _require_pdftoppm()
    code = issue_certificate()
    decoded = _qr_codes_on_page_one(client.get(f"/verify/{code}.pdf").data, tmp_path)
    assert [d.text for d in decoded] == [f"{BASE}/verify/{code}"]
    assert decoded[0].format == zxingcpp.BarcodeFormat.QRCode
    # Still on page 1 and still readable under the REVOKED stamp, when the text needs 2 pages.
    with app.app_context():
        certificate = services.by_code(code)
        certificate.title = "Kỹ năng số cho người dân ở các xã, phường vùng sâu, vùng xa " * 3
        certificate.competences = (certificate.competences * 60)[:60]  # more than a page holds
        certificate.revoked_at = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)
        db.session.commit()
    data = client.get(f"/verify/{code}.pdf").data
    assert len(PdfReader(io.BytesIO(data)).pages) >= 2
    decoded = _qr_codes_on_page_one(data, tmp_path)
    assert [d.text for d in decoded] == [f"{BASE}/verify/{code}"]


def test_pdf_is_cached_revalidated_and_regenerated_when_revoked(app, client, issue_certificate,
                                                                monkeypatch):
    code = issue_certificate()
    first = client.get(f"/verify/{code}.pdf")
    etag = first.headers["ETag"]
    assert "no-cache" in first.headers["Cache-Control"]
    cache = Path(app.config["CERTIFICATE_PDF_CACHE_DIR"])
    assert [p.name for p in cache.glob("*.pdf")] == [f"{code}-{etag.strip(chr(34))}.pdf"]

    # The second download comes from the cache: rendering again would fail loudly.
    def no_render(content):
        raise AssertionError("rendered again")

    with monkeypatch.context() as patched:
        patched.setattr(pdf, "render", no_render)
        assert client.get(f"/verify/{code}.pdf").data == first.data
        assert client.get(f"/verify/{code}.pdf", headers={"If-None-Match": etag}).status_code == 304

    with app.app_context():
        certificate = services.by_code(code)
        certificate.revoked_at = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)
        certificate.revoked_reason = "Cấp nhầm người"
        db.session.commit()
    revoked = client.get(f"/verify/{code}.pdf", headers={"If-None-Match": etag})
    assert revoked.status_code == 200 and revoked.headers["ETag"] != etag
    text = _text(revoked.data)
    assert "ĐÃ THU HỒI / REVOKED" in text and "Cấp nhầm người" in text
    assert "20/11/2026" in text  # the one date format (app/i18n.py)
    # The valid-looking version is gone from the cache.
    assert [p.name for p in cache.glob("*.pdf")] == [
        f"{code}-{revoked.headers['ETag'].strip(chr(34))}.pdf"]


def test_confirmation_pdf_and_public_links(app, client, make_user):
    user_id = make_user(full_name="Lò Văn Páo")
    with app.app_context():
        certificate = Certificate(
            code=services.new_code(), user_id=user_id, kind="confirmation", course_slug="nguoi-dan",
            holder_name="Lò Văn Páo", title="Phổ cập kỹ năng số — Người dân",
            competences=[{"code": "1.1", "name": "Duyệt, tìm kiếm và lọc dữ liệu", "correct": 3,
                          "total": 4, "level": None}])
        db.session.add(certificate)
        db.session.commit()
        code = certificate.code
    text = _text(client.get(f"/verify/{code}.pdf").data)
    assert "XÁC NHẬN ĐẠT PHỔ CẬP KỸ NĂNG SỐ" in text and "Lò Văn Páo" in text
    assert "Phổ cập kỹ năng số — Người dân" in text and "3/4" in text
    html = client.get(f"/verify/{code}").get_data(as_text=True)
    assert f"/verify/{code}.pdf" in html and f"/verify/{code}.json" in html


def test_unknown_code_has_no_pdf(client):
    assert client.get("/verify/khong-co-ma-nay.pdf").status_code == 404


def test_holder_page_links_the_pdf_and_the_credential(app, client, auth, issue_certificate):
    code = issue_certificate(login="chu@example.vn")
    auth.login("chu@example.vn")
    html = client.get(f"/certificates/{code}").get_data(as_text=True)
    assert f'href="/verify/{code}.pdf"' in html and "Tải PDF" in html
    assert f'href="/verify/{code}.json"' in html


def test_class_zip_holds_each_pdf_under_a_safe_unique_name(app, issue_certificate):
    codes = [issue_certificate(full_name="Nguyễn Thị Hằng"),
             issue_certificate(full_name="Nguyễn Thị Hằng"),  # same name, another person
             issue_certificate(full_name="../../etc/passwd Đặng Ự")]
    with app.test_request_context():
        certificates = [services.by_code(c) for c in codes]
        data = pdf.certificates_zip(certificates + certificates[:1])  # one passed twice
        serials = [c.serial for c in certificates]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert len(names) == 4 and len(set(names)) == 4
        assert all(re.fullmatch(r"[A-Za-z0-9_-]+\.pdf", n) for n in names)
        assert names[0] == f"{serials[0]}_nguyen-thi-hang.pdf"
        assert names[2] == f"{serials[2]}_etc-passwd-dang-u.pdf"
        assert names[3] == f"{serials[0]}_nguyen-thi-hang-2.pdf"
        for name, serial in zip(names, serials + serials[:1]):
            text = _text(archive.read(name))
            assert serial in text
        assert "Đặng Ự" in _text(archive.read(names[2]))


def test_ascii_slug():
    assert pdf.ascii_slug("Đỗ Thị Giang") == "do-thi-giang"
    assert pdf.ascii_slug("  ") == "chung-chi"
