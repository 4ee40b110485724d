"""Every page of the URL map that a learner, a teacher, an ambassador, a leader and an admin
can open, on a 360×740 phone with tables full of data (tests/browser/crowd.py): the page is
never wider than the screen, the header is one line of at most 64 px, and axe-core finds no
WCAG 2.1 A/AA violation."""

from __future__ import annotations

import re

from .conftest import PHONE
from .crowd import PASSWORD, STAFF, fill
from .test_accessibility import audit

# Not pages: files, data and actions, or pages a role reaches only in the middle of a flow.
NOT_PAGES = re.compile(r"\.(csv|json|jsonld|png|pdf|zip|html|svg)$|^/healthz$")
# endpoint → why it is not walked here (each is covered by its own test)
ELSEWHERE = {
    "ambassadors.result": "after a supervised session is submitted (tests/ambassadors)",
    "main.set_language": "POST only", "main.toggle_display": "POST only",
    "auth.reset": "opened from a reset link's one-time token (tests/auth)",
    "certificates.status_list": "a signed revocation list for machines, not a page",
    "teaching.roster_job": "a roster import's own page, opened after the upload (tests/teaching)",
}


def _urls(app, data: dict) -> dict[str, str]:
    """endpoint → a URL with real ids for every GET page of the URL map."""
    course = app.extensions["catalog"].course("ky-nang-so-co-ban")
    values = {"class_id": data["class_id"], "user_id": data["member_id"],
              "attempt_id": data["attempt_id"], "code": data["certificate"],
              "course_slug": course.slug, "module_slug": course.modules[0].slug,
              "commune_code": data["commune"], "unit_id": data["unit_id"], "province_code": 38}
    special = {"ambassadors.session": {"attempt_id": data["session_id"]},
               "teaching.join_link": {"code": data["join_code"]},
               "teaching.certificates_job": {"job_id": data["zip_job"]},
               "teaching.certificates_zip": {"job_id": data["zip_job"]},
               "reports.refresh_job": {"job_id": data["refresh_job"]},
               "assessment.take": {"module_slug": next(m.slug for m in course.modules if m.check)}}
    urls = {}
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in ELSEWHERE or rule.endpoint in (
                    "static", "assets") or rule.endpoint.endswith(".static"):
                continue
            args = {a: special.get(rule.endpoint, {}).get(a, values.get(a)) for a in rule.arguments}
            if None in args.values():  # a parameter this data has no value for: say which
                urls[rule.endpoint] = f"unknown parameter in {rule.rule}"
                continue
            url = rule.build(args, append_unknown=False)[1]
            if not NOT_PAGES.search(url):
                urls[rule.endpoint] = url
    return urls


def _sign_in(browser, live_server, login: str):
    page = browser.new_context(viewport=PHONE, base_url=live_server).new_page()
    page.goto("/auth/login")
    page.locator("#login").fill(login)
    page.locator("#password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/")
    return page


def _measure(page) -> dict:
    return page.evaluate("""() => {
        const header = document.querySelector('header.top');
        return {width: document.documentElement.scrollWidth,
                header: header ? header.getBoundingClientRect().height : 0};
    }""")


def test_every_page_fits_a_phone_for_every_role(app, browser, live_server, axe_source):
    data = fill(app)
    urls = _urls(app, data)
    assert not [u for u in urls.values() if u.startswith("unknown")], urls
    assert len(urls) >= 45, sorted(urls)
    problems, opened = {}, {}
    for role, login in STAFF.items():
        page = _sign_in(browser, live_server, login)
        for endpoint, url in urls.items():
            if endpoint == "auth.logout":
                continue
            response = page.goto(url)
            if response.status in (403, 404) or response.status >= 500 and response.status != 503:
                if response.status >= 500:
                    problems[f"{role} {url}"] = [f"HTTP {response.status}"]
                continue
            if not response.headers.get("content-type", "").startswith("text/html"):
                opened.setdefault(endpoint, []).append(role)  # data for machines, not a page
                continue
            opened.setdefault(endpoint, []).append(role)
            found = _measure(page)
            wrong = []
            if found["width"] > PHONE["width"]:
                wrong.append(f"page {found['width']} px wide")
            if found["header"] > 64:
                wrong.append(f"header {found['header']} px tall")
            wrong += audit(page, axe_source)
            if wrong:
                problems[f"{role} {url}"] = wrong
        page.context.close()
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())
    # Every role opened its own pages, and every page was opened by somebody.
    for role, endpoint in (("learner", "certificates.show"), ("teacher", "teaching.classroom"),
                           ("teacher", "teaching.learner"), ("ambassador", "ambassadors.index"),
                           ("ambassador", "ambassadors.session"), ("leader", "reports.province"),
                           ("leader", "reports.commune"), ("leader", "reports.unit"),
                           ("admin", "auth.roles"), ("admin", "reports.data")):
        assert role in opened.get(endpoint, []), (role, endpoint)
    assert set(urls) - set(opened) <= {"auth.logout"}, set(urls) - set(opened)


def test_the_menu_opens_without_javascript(browser, live_server, make_user):
    """One line of header on a phone; the links are in a <details> that opens with JS off."""
    make_user(role="teacher", login="gv@example.vn")
    context = browser.new_context(viewport=PHONE, base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/auth/login")
    page.locator("#login").fill("gv@example.vn")
    page.locator("#password").fill("mat-khau-du-dai-1")
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/")
    header = page.locator("header.top").bounding_box()
    assert header["height"] <= 64
    link = page.get_by_role("link", name="Lớp của tôi")
    assert not link.is_visible()
    page.locator("details.menu > summary").click()
    assert link.is_visible()
    box = link.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] and box["height"] >= 44
    link.click()
    page.wait_for_url("**/teaching/")
    context.close()
