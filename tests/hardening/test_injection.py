"""Script tags, event handlers, javascript: links and spreadsheet formulas, typed in by people,
come out harmless on pages and in CSV exports."""

import csv
import io
import re

from ..conftest import Auth, csrf_token

NAME = '<script>alert("x")</script><img src=x onerror=alert(1)>'
FORMULA = "=cmd|' /C calc'!A0"


def test_names_and_class_names_are_escaped_on_every_page(app, client, make_user, auth):
    make_user(role="teacher", login="gv-xss@example.vn", full_name="Cô " + NAME)
    learner = make_user(login="hv-xss@example.vn", full_name=FORMULA)
    auth.login("gv-xss@example.vn")
    token = csrf_token(client, "/teaching/")
    response = client.post("/teaching/", data={"csrf_token": token, "name": "Lớp " + NAME, "kind": "school"})
    class_url = response.headers["Location"]
    client.post(f"{class_url}/members", data={"csrf_token": token, "login": "hv-xss@example.vn"})
    # the learner sees the invitation (class and teacher names) and accepts it
    learner_client = app.test_client()
    Auth(learner_client).login("hv-xss@example.vn")
    home = learner_client.get("/").get_data(as_text=True)
    assert "<script>alert" not in home and "<img src=x" not in home and "Lớp &lt;script&gt;" in home
    accept = re.search(r'action="(/me/invitations/\d+/accept)"', home).group(1)
    learner_client.post(accept, data={"csrf_token": csrf_token(learner_client, "/")})
    client.post(f"{class_url}/assignments", data={"csrf_token": token, "kind": "course",
                                                 "target": "ky-nang-so-co-ban"})
    for url in ("/", "/teaching/", class_url, "/auth/profile"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
    page = client.get(class_url).get_data(as_text=True)
    assert "Lớp &lt;script&gt;" in page
    # CSV: the formula becomes text, not something a spreadsheet runs
    exported = client.get(f"{class_url}/progress.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(exported)))
    names = [r[0] for r in rows[1:] if r]
    assert "'" + FORMULA in names
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert learner


def test_security_headers_on_every_response(client):
    for url in ("/", "/auth/login", "/verify/khong-co", "/healthz"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_no_inline_script_or_style_in_any_page_template():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "app"
    offenders = []
    for template in root.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        if template.name == "offline.html":
            continue  # a downloaded file, opened from the phone's storage: no CSP applies there
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son\w+=", text) \
                or re.search(r'\sstyle="', text) or "<style" in text:
            offenders.append(str(template.relative_to(root)))
    assert offenders == []


def test_session_cookie_flags(app, client, make_user, auth):
    make_user(login="cookie@example.vn")
    response = auth.login("cookie@example.vn")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
