"""Small things a user notices (issue 17.6) and the one date format (17.5)."""

import re
from datetime import date, datetime, timezone
from pathlib import Path

from app.certificates.models import Certificate
from app.extensions import db
from app.i18n import format_day, format_moment

APP = Path(__file__).resolve().parents[1] / "app"


def test_one_date_format_vietnamese_and_english(app):
    moment = datetime(2026, 12, 1, 20, 5, tzinfo=timezone.utc)  # 2 Dec, 03:05 in Vietnam
    with app.test_request_context():
        assert format_day(date(2026, 12, 2)) == "2/12/2026"
        assert format_day(moment) == "2/12/2026"  # the local date, not UTC's
        assert format_moment(moment) == "2/12/2026 03:05"
    with app.test_request_context():
        from flask import session
        session["lang"] = "en"
        assert format_day(date(2026, 12, 15)) == "15 Dec 2026"
        assert format_moment(moment) == "2 Dec 2026 03:05"


def test_no_other_date_formatting_anywhere():
    others = re.compile(r"\|(date|datetime)format\b|\bformat_date(time)?\(|strftime\(\"%d")
    found = [str(p.relative_to(APP)) for p in APP.rglob("*") if p.suffix in (".html", ".py")
             and p.name != "i18n.py" and others.search(p.read_text(encoding="utf-8"))]
    assert found == []


def test_favicon_and_fingerprinted_reports_css(client, make_user, auth):
    page = client.get("/").get_data(as_text=True)
    icon = re.search(r'<link rel="icon" href="([^"]+)"', page).group(1)
    assert re.fullmatch(r"/assets/favicon\.[0-9a-f]{10}\.svg", icon)
    answer = client.get(icon)
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
    assert client.get("/favicon.ico").headers["Location"].endswith(icon)
    make_user(role="leader", login="ld@example.vn")
    auth.login("ld@example.vn")
    css = re.search(r'href="(/assets/reports\.[0-9a-f]{10}\.css)"',
                    client.get("/reports/").get_data(as_text=True)).group(1)
    served = client.get(css)
    assert served.status_code == 200 and "immutable" in served.headers["Cache-Control"]
    assert ".figures" in served.get_data(as_text=True)


def _certificate(app, user_id, kind):
    with app.app_context():
        row = Certificate(code=kind[0] * 32, user_id=user_id, kind=kind, course_slug="nguoi-dan",
                          holder_name="Lò Văn Sáng", title="Phổ cập kỹ năng số — Người dân",
                          competences=[{"code": "1.1", "name": "Duyệt, tìm kiếm", "correct": 2,
                                        "total": 2, "level": "TC1"},
                                       {"code": "4.2", "name": "Bảo vệ dữ liệu", "correct": 3,
                                        "total": 3, "level": "CB2"}])
        db.session.add(row)
        db.session.commit()
        return row.code, row.serial


def test_certificate_pages_explain_levels_and_name_the_qr(app, client, make_user):
    code, serial = _certificate(app, make_user(), "confirmation")
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "<dt>Xác nhận</dt>" in page and "<dt>Khóa học</dt>" not in page
    assert "CB2</abbr> — Cơ bản 2; <abbr" in page and "TC1</abbr> — Trung cấp 1" in page
    qr = client.get(f"/certificates/{code}/qr.png")
    assert qr.headers["Content-Disposition"] == f"attachment; filename={serial}-QR.png"


def test_course_page_lists_competences_in_framework_order(client, catalog):
    page = client.get("/courses/ky-nang-so-co-ban").get_data(as_text=True)
    listed = page.split("Năng lực số được rèn luyện")[1]
    codes = re.findall(r"<li>(\d\.\d) — ", listed)
    order = list(catalog.framework.competences)
    assert len(codes) > 3 and codes == sorted(codes, key=order.index)
