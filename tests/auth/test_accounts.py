import pytest

from app.auth.services import AccountError, parse_login
from app.localities import communes

from ..conftest import Auth, csrf_token


@pytest.mark.parametrize("raw, expected", [
    ("0912345678", ("phone", "0912345678")),
    ("+84 912 345 678", ("phone", "0912345678")),
    ("84-912-345-678", ("phone", "0912345678")),
    ("Chi.Hoa@Example.VN", ("email", "chi.hoa@example.vn")),
])
def test_logins_are_normalised(raw, expected):
    assert parse_login(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "0212345678", "abc@", "09123456789", ""])
def test_bad_logins_are_refused(raw):
    with pytest.raises(AccountError):
        parse_login(raw)


def _register(client, **fields):
    data = {"csrf_token": csrf_token(client, "/auth/register"), "full_name": "Hà Văn Lực",
            "login": "luc@example.vn", "password": "mat-khau-tot", "confirm": "mat-khau-tot",
            "group_slug": "doanh-nghiep", "province_code": "38",
            "commune_code": str(communes(38)[0][0]), "consent": "y"}
    data.update(fields)
    return client.post("/auth/register", data=data)


def test_every_invalid_field_gets_a_message_and_keeps_its_value(client):
    response = _register(client, full_name="Hà Văn Lực", login="0123", password="ngan",
                         confirm="khac", group_slug="", commune_code="0")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    for message in ("Hãy nhập email hoặc số điện thoại di động Việt Nam",
                    "Mật khẩu cần ít nhất 8 ký tự.", "Hai mật khẩu chưa giống nhau.",
                    "Hãy chọn nhóm của bạn trong danh sách.",
                    "Hãy chọn xã, phường nơi bạn sống hoặc làm việc."):
        assert message in html
    assert 'value="Hà Văn Lực"' in html and 'value="0123"' in html


def test_commune_must_belong_to_the_chosen_province(client):
    hanoi_commune = communes(1)[0][0]
    response = _register(client, commune_code=str(hanoi_commune))
    assert response.status_code == 400
    assert "Xã, phường này không thuộc tỉnh đã chọn" in response.get_data(as_text=True)


def test_changing_province_without_javascript_offers_that_provinces_communes(client):
    response = _register(client, province_code="1")  # commune still from Thanh Hóa
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert communes(1)[0][1] in html and communes(38)[1][1] not in html


def test_garbage_in_select_fields_is_a_clear_error_not_a_crash(client):
    response = _register(client, province_code="abc", commune_code="<script>")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Hãy chọn xã, phường nơi bạn sống hoặc làm việc." in html
    assert "&lt;script&gt;" not in html and "<script>" not in html.split("</footer>")[0]
    response = _register(client, province_code="999")
    assert "Hãy chọn tỉnh, thành phố trong danh sách." in response.get_data(as_text=True)


def test_duplicate_login_is_refused_with_a_message(client):
    assert _register(client).status_code == 302
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    response = _register(client, login="LUC@example.vn")
    assert response.status_code == 400
    assert "Email này đã được dùng để đăng ký. Hãy đăng nhập." in response.get_data(as_text=True)


def test_login_logout_and_wrong_password(client, make_user, auth):
    make_user(login="0987654321")
    bad = auth.login("0987 654 321", "sai-mat-khau")
    assert bad.status_code == 400
    assert "Email/số điện thoại hoặc mật khẩu chưa đúng." in bad.get_data(as_text=True)
    assert auth.login("+84987654321").status_code == 302
    assert client.get("/me/competences").status_code == 200
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    assert client.get("/me/competences").status_code == 302


def test_login_redirects_only_to_local_pages(client, make_user):
    make_user(login="c@example.vn")
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login?next=https://evil.example/x", data={
        "csrf_token": token, "login": "c@example.vn", "password": "mat-khau-du-dai-1"})
    assert response.headers["Location"] == "/"


def test_forms_without_csrf_token_are_refused(client, make_user):
    make_user(login="d@example.vn")
    response = client.post("/auth/login", data={"login": "d@example.vn", "password": "x" * 10})
    assert response.status_code == 400
    assert "Phiên làm việc đã hết hạn" in response.get_data(as_text=True)


def test_profile_edit(client, make_user, auth):
    make_user(login="e@example.vn")
    auth.login("e@example.vn")
    token = csrf_token(client, "/auth/profile")
    commune = communes(38)[3][0]
    response = client.post("/auth/profile", data={
        "csrf_token": token, "full_name": "Tên  Mới ", "group_slug": "hoc-sinh",
        "province_code": "38", "commune_code": str(commune), "village": "Bản Lát"})
    assert response.status_code == 302
    html = client.get("/auth/profile").get_data(as_text=True)
    assert 'value="Tên Mới"' in html and "Bản Lát" in html
    home = client.get("/").get_data(as_text=True)
    assert "Học sinh số" in home.split("Các khóa học khác")[0]


def test_failed_logins_are_limited_per_account_with_a_clear_429(client, make_user, auth):
    make_user(login="bi-do@example.vn")
    for _ in range(5):
        assert auth.login("bi-do@example.vn", "sai-mat-khau-123").status_code == 400
    # typed differently, it is the same account
    blocked = auth.login("BI-DO@example.vn ", "mat-khau-du-dai-1")
    assert blocked.status_code == 429
    assert "Bạn đã thử quá nhiều lần" in blocked.get_data(as_text=True)
    assert int(blocked.headers["Retry-After"]) > 0
    # another account from the same address is not blocked by this one's limit
    make_user(login="khac@example.vn")
    assert auth.login("khac@example.vn").status_code == 302


def test_failed_logins_are_limited_per_address(client, make_user, auth):
    for i in range(30):
        assert auth.login(f"ai-do-{i}@example.vn", "sai-mat-khau-123").status_code == 400
    make_user(login="that@example.vn")
    assert auth.login("that@example.vn").status_code == 429


def test_successful_logins_do_not_use_up_the_limit(client, make_user, auth):
    make_user(login="hay-vao@example.vn")
    for _ in range(8):
        assert auth.login("hay-vao@example.vn").status_code == 302
        client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})


def test_logout_makes_a_copied_session_cookie_worthless(app, make_user, auth, client):
    make_user(login="may-chung@example.vn")
    auth.login("may-chung@example.vn")
    stolen = app.test_client()  # another browser holding a copy of the same cookie
    for cookie in client._cookies.values():
        stolen.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    assert stolen.get("/me/competences").status_code == 200
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/me/competences")})
    assert stolen.get("/me/competences").status_code == 302  # signed out there too


def test_session_is_renewed_at_login_but_keeps_display_preferences(app, make_user, auth, client):
    make_user(login="moi@example.vn")
    client.post("/lang/en", data={"next": "/"})
    with client.session_transaction() as s:
        s["planted"] = "by someone else"
    auth.login("moi@example.vn")
    with client.session_transaction() as s:
        assert "planted" not in s and s["lang"] == "en"


def test_password_change_signs_out_other_devices_but_not_this_one(app, make_user, auth, client):
    make_user(login="doi-mk@example.vn")
    auth.login("doi-mk@example.vn")
    other = app.test_client()
    Auth(other).login("doi-mk@example.vn")
    token = csrf_token(client, "/auth/password")
    response = client.post("/auth/password", data={
        "csrf_token": token, "current": "mat-khau-du-dai-1", "password": "mat-khau-moi-2",
        "confirm": "mat-khau-moi-2"})
    assert response.status_code == 302
    assert client.get("/me/competences").status_code == 200
    assert other.get("/me/competences").status_code == 302
