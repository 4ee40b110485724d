

def test_vietnamese_by_default_and_english_on_request(client):
    home = client.get("/").get_data(as_text=True)
    assert 'lang="vi"' in home and "Đăng nhập" in home
    response = client.post("/lang/en", data={"next": "/auth/login"})
    assert response.headers["Location"] == "/auth/login"
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'lang="en"' in page
    assert "Log in" in page and "Email, phone number or username" in page
    client.post("/lang/vi", data={"next": "/"})
    assert "Đăng nhập" in client.get("/auth/login").get_data(as_text=True)


def test_anonymous_pages_set_no_cookie(client):
    """No CSRF token on a page nobody is logged in to: nothing to store, no Set-Cookie."""
    for url in ("/", "/courses/ky-nang-so-co-ban", "/verify", "/khung-nang-luc-so"):
        assert "Set-Cookie" not in client.get(url).headers, url


def test_language_switch_refuses_offsite_redirects(client):
    response = client.post("/lang/en", data={"next": "//evil.example"})
    assert response.headers["Location"] == "/"


def test_every_message_has_an_english_translation_with_the_same_placeholders():
    import re
    from pathlib import Path

    from babel.messages.pofile import read_po

    po = Path(__file__).resolve().parents[1] / "app/translations/en/LC_MESSAGES/messages.po"
    with po.open("rb") as f:
        catalog = read_po(f)
    missing, mismatched = [], []
    for message in catalog:
        if not message.id:
            continue
        if not message.string:
            missing.append(message.id)
        elif sorted(re.findall(r"%\(\w+\)s|%%", message.id)) != sorted(re.findall(r"%\(\w+\)s|%%", message.string)):
            mismatched.append(message.id)
    assert missing == [] and mismatched == []
    assert len(catalog) > 150
    # the checks `pybabel compile` runs (python-format compatibility and the like)
    assert [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()] == []


def test_language_switch_refuses_backslash_redirects(client):
    # "/\evil.example" is another site to a browser; the login page already refused it.
    response = client.post("/lang/en", data={"next": "/\\evil.example"})
    assert response.headers["Location"] == "/"
