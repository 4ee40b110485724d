"""A signed-in person's pages and downloads stay out of shared caches and shared phones'
browsers; what is the same for everyone (assets, the public summary to a visitor) keeps its
caching. Invisible formatting characters never make a name render reversed."""

import io
import re

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from app.text import clean_name

from ..conftest import csrf_token, follow_job


def _private(response) -> bool:
    directives = {d.strip() for d in response.headers.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives and "public" not in directives


def test_every_signed_in_page_is_private_and_not_stored(app, client, make_user, auth):
    make_user(role="admin", login="admin-cache@example.vn")
    auth.login("admin-cache@example.vn")
    checked = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint in ("assets", "static"):
            continue
        response = client.get(rule.rule)
        if response.status_code == 200 and response.mimetype in ("text/html", "text/csv",
                                                                 "application/zip"):
            assert _private(response), (rule.rule, response.headers.get("Cache-Control"))
            checked.append(rule.rule)
    assert {"/", "/auth/profile", "/me/competences", "/progress", "/reports/", "/reports/province.csv",
            "/teaching/"} <= set(checked), checked


def test_a_class_s_downloads_are_private(client, make_user, auth):
    make_user(role="teacher", login="gv-cache@example.vn")
    auth.login("gv-cache@example.vn")
    token = csrf_token(client, "/teaching/")
    class_url = client.post("/teaching/", data={"csrf_token": token, "name": "Lớp 9A",
                                                "kind": "school"}).headers["Location"]
    for url in (f"{class_url}/progress.csv", class_url):  # the ZIP: in tests/teaching
        response = client.get(url)
        assert response.status_code == 200 and _private(response), url


def test_public_pages_and_assets_keep_their_caching(client, make_user, auth):
    public = client.get("/progress")
    assert "public" in public.headers["Cache-Control"] and "Cookie" in public.headers["Vary"]
    asset = re.search(r'href="(/assets/site\.[^"]+\.css)"', client.get("/").get_data(as_text=True))
    make_user(login="asset-cache@example.vn")
    auth.login("asset-cache@example.vn")
    response = client.get(asset.group(1))
    assert "public" in response.headers["Cache-Control"] and "immutable" in response.headers["Cache-Control"]
    jwks = client.get("/.well-known/jwks.json")
    assert "public" in jwks.headers["Cache-Control"]


SPOOF = "Nguy\u202eễn\u202c Văn\u200b A\u2066n\u2069\ufeff"


@pytest.mark.parametrize("char", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066",
                                  "\u2067", "\u2068", "\u2069", "\u200b", "\u200c", "\u200d",
                                  "\u200e", "\u200f"])
def test_clean_name_strips_every_invisible_formatting_character(char):
    assert clean_name(f"Lò{char} Thị{char}Xuân") in ("Lò Thị Xuân", "Lò ThịXuân")
    assert char not in clean_name(f"Lò{char} Thị{char}Xuân")


def test_an_override_character_never_reaches_a_page(app, client, make_user, auth):
    # sign-up
    from app.localities import communes

    token = csrf_token(client, "/auth/register")
    response = client.post("/auth/register", data={
        "csrf_token": token, "full_name": SPOOF, "login": "spoof@example.vn",
        "password": "ruong lua ben suoi", "confirm": "ruong lua ben suoi",
        "group_slug": "nguoi-dan", "province_code": 38, "commune_code": communes(38)[0][0],
        "village": "Bản\u202e Pọng", "consent": "y"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "spoof@example.vn"))
        assert user.full_name == "Nguyễn Văn An" and user.village == "Bản Pọng"
    page = client.get("/").get_data(as_text=True)
    assert "Nguyễn Văn An" in page and not re.search("[\u200b-\u200f\u202a-\u202e\u2066-\u2069]", page)
    # profile edit
    token = csrf_token(client, "/auth/profile")
    client.post("/auth/profile", data={"csrf_token": token, "full_name": "Trần\u202e Bình",
                                       "group_slug": "nguoi-dan", "province_code": 38,
                                       "commune_code": communes(38)[0][0], "village": ""})
    with app.app_context():
        assert db.session.get(User, user.id).full_name == "Trần Bình"


def test_an_override_character_in_a_roster_or_a_class_name_is_stripped(app, client, make_user, auth):
    make_user(role="teacher", login="gv-spoof@example.vn")
    auth.login("gv-spoof@example.vn")
    token = csrf_token(client, "/teaching/")
    class_url = client.post("/teaching/", data={"csrf_token": token, "name": "Lớp\u202e 9A",
                                                "kind": "school"}).headers["Location"]
    roster = "họ tên,email hoặc số điện thoại,nhóm\nLò\u202e Văn\u2066 Pọng\u2069,0911222333,hoc-sinh\n"
    response = follow_job(client, client.post(f"{class_url}/roster", data={
        "csrf_token": token, "roster": (io.BytesIO(roster.encode()), "lop.csv")},
        content_type="multipart/form-data"))
    assert response.status_code == 200
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.phone == "0911222333"))
        assert user.full_name == "Lò Văn Pọng"
    page = client.get(class_url).get_data(as_text=True)
    assert "Lớp 9A" in page and "Lò Văn Pọng" in page
    assert not re.search("[\u200b-\u200f\u202a-\u202e\u2066-\u2069]", page)
