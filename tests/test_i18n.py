from .conftest import csrf_token


def test_vietnamese_by_default_and_english_on_request(client):
    home = client.get("/").get_data(as_text=True)
    assert 'lang="vi"' in home and "Đăng nhập" in home
    response = client.post("/lang/en", data={"csrf_token": csrf_token(client, "/"), "next": "/auth/login"})
    assert response.headers["Location"] == "/auth/login"
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'lang="en"' in page
    assert "Log in" in page and "Email or phone number" in page
    client.post("/lang/vi", data={"csrf_token": csrf_token(client, "/"), "next": "/"})
    assert "Đăng nhập" in client.get("/auth/login").get_data(as_text=True)


def test_language_switch_refuses_offsite_redirects(client):
    response = client.post("/lang/en", data={"csrf_token": csrf_token(client, "/"), "next": "//evil.example"})
    assert response.headers["Location"] == "/"
