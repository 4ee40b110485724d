"""Numbers past the database's range and control characters in redirect targets: a clean
400 or a safe redirect, never a 500 (both were found by an attacker on PostgreSQL)."""

from urllib.parse import quote

import pytest

from app.extensions import db
from app.localities import communes
from app.reports.models import Unit

from ..conftest import csrf_token, follow_job

HUGE = "9" * 400


def test_a_400_digit_unit_id_is_a_400_on_my_unit(app, client, make_user, auth):
    with app.app_context():
        db.session.add(Unit(province_code=38, commune_code=communes(38)[0][0], kind="school",
                            name="Trường Tiểu học Bản Pọng"))
        db.session.commit()
    make_user(login="donvi@example.vn")
    auth.login("donvi@example.vn")
    token = csrf_token(client, "/me/unit")
    for value in (HUGE, "-" + HUGE, "2147483648", "-2147483648"):
        response = client.post("/me/unit", data={"csrf_token": token, "unit_id": value})
        assert response.status_code == 400, value
        assert "Hãy chọn một đơn vị" in response.get_data(as_text=True)


def test_a_400_digit_id_is_a_400_on_the_ambassadors_register_form(client, make_user, auth):
    make_user(role="ambassador", login="ds-input@example.vn")
    auth.login("ds-input@example.vn")
    token = csrf_token(client, "/ambassador/register")
    base = {"csrf_token": token, "full_name": "Bà Lò Thị Xuân", "phone": "",
            "group_slug": "nguoi-dan", "commune_code": communes(38)[0][0], "village": "",
            "unit_id": 0}
    for field in ("unit_id", "commune_code"):
        response = client.post("/ambassador/register", data={**base, field: HUGE})
        assert response.status_code == 400, field


def test_a_400_digit_commune_code_is_a_400_at_sign_up(client):
    token = csrf_token(client, "/auth/register")
    response = client.post("/auth/register", data={
        "csrf_token": token, "full_name": "Hà Văn Minh", "login": "minh@example.vn",
        "password": "mot-mat-khau-kho-doan", "confirm": "mot-mat-khau-kho-doan",
        "group_slug": "nguoi-dan", "province_code": 38, "commune_code": HUGE})
    assert response.status_code == 400
    assert "Xã, phường này không thuộc tỉnh" in response.get_data(as_text=True)


def test_a_400_digit_cursor_on_the_ambassadors_report_is_ignored(client, make_user, auth):
    make_user(role="admin", login="admin-input@example.vn")
    auth.login("admin-input@example.vn")
    assert client.get(f"/reports/ambassadors?before={HUGE}").status_code == 200
    assert client.get(f"/reports/rankings?page={HUGE}").status_code == 200


@pytest.mark.parametrize("target", ["/x\r\nSet-Cookie: a=b", "/\r\n", "/a\nb", "/a\tb", "/a\x7f"])
def test_control_characters_in_next_give_a_safe_redirect(client, make_user, auth, target):
    for url in ("/lang/en", "/display"):
        response = client.post(url, data={"next": target})
        assert response.status_code == 302 and response.headers["Location"] == "/", url
    make_user(login="next@example.vn")
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login?next=" + quote(target, safe="/"),
                           data={"csrf_token": token, "login": "next@example.vn",
                                 "password": "mat-khau-du-dai-1"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "a=b" not in response.headers.get("Set-Cookie", "").split(";")[0]


def test_control_characters_in_next_after_a_dashboard_refresh(client, make_user, auth):
    make_user(role="admin", login="refresh-input@example.vn")
    auth.login("refresh-input@example.vn")
    token = csrf_token(client, "/reports/")
    response = client.post("/reports/refresh", data={"csrf_token": token,
                                                     "next": "/reports/\r\nX: y"})
    assert response.headers["Location"].endswith("?next=/reports/")  # the refresh job's page
    page = follow_job(client, response).get_data(as_text=True)
    assert 'class="button" href="/reports/"' in page and "X: y" not in page


def test_a_superscript_digit_in_a_check_is_a_clear_400(app, client, make_user, auth):
    """'²'.isdigit() is True but int('²') fails: it must not reach int()."""
    import re

    make_user(login="so-mu@example.vn")
    auth.login("so-mu@example.vn")
    page = client.get("/checks/ky-nang-so-co-ban/01-dien-thoai-thong-minh").get_data(as_text=True)
    attempt_id = re.search(r'action="/attempts/(\d+)"', page).group(1)
    field = re.search(r'name="(q-[^"]+)"', page).group(1)
    token = csrf_token(client, "/checks/ky-nang-so-co-ban/01-dien-thoai-thong-minh")
    response = client.post(f"/attempts/{attempt_id}", data={"csrf_token": token, field: "²"})
    assert response.status_code == 400 and "Bạn chưa trả lời câu" in response.get_data(as_text=True)


def test_a_superscript_digit_as_a_commune_in_a_units_csv_is_a_line_problem(app, client, make_user,
                                                                          auth):
    import io

    make_user(role="admin", login="qt-so-mu@example.vn")
    auth.login("qt-so-mu@example.vn")
    token = csrf_token(client, "/reports/data")
    data = "xã,loại,tên đơn vị\n²,school,Trường Tiểu học Bản Pọng\n".encode()
    response = client.post("/reports/data/units", data={
        "csrf_token": token, "units-csrf_token": token,
        "units-data": (io.BytesIO(data), "dv.csv")}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Dòng 2: Không có xã, phường &#39;²&#39; trong tỉnh." in response.get_data(as_text=True)
