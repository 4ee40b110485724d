"""The admin's, leader's and ambassador's main pages in a real browser: WCAG 2.1 A/AA on a phone."""

from .conftest import sign_in as _login
from .test_accessibility import audit


def test_admin_and_ambassador_pages_have_no_wcag_violations(browser, live_server, make_user, axe_source):
    make_user(role="admin", login="qt-a11y@example.vn")
    make_user(role="ambassador", login="ds-a11y@example.vn")
    admin = _login(browser, live_server, "qt-a11y@example.vn")
    found = {}
    for url in ("/reports/", "/reports/rankings", "/reports/ambassadors", "/reports/data",
                "/admin/certificates", "/auth/admin/roles", "/progress", "/verify/credential",
                "/admin/questions"):
        response = admin.goto(url)
        assert response.status == 200, url
        found[url] = audit(admin, axe_source)
    admin.goto("/admin/questions")  # long prompts and file paths stay inside a 360-px screen
    assert admin.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    ambassador = _login(browser, live_server, "ds-a11y@example.vn")
    for url in ("/ambassador/", "/ambassador/register"):
        assert ambassador.goto(url).status == 200, url
        found[url] = audit(ambassador, axe_source)
    assert {url: v for url, v in found.items() if v} == {}
