"""Real-browser fixtures: the app served on 127.0.0.1, Debian's Chromium driven by Playwright.

Never a downloaded browser. Without /usr/bin/chromium (or axe-core from npm) these tests
skip with the reason, except where REQUIRE_BROWSER=1 (.ci/run), where they fail instead.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 360, "height": 740}


def unavailable(reason: str):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # one line per request would drown the test output
        pass


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync",
                  "--disable-quic"])
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, live_server):
    """A fresh phone-sized browser context (cold cache, no cookies) on the live app."""
    context = browser.new_context(viewport=PHONE, base_url=live_server, locale="vi-VN",
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def axe_source():
    if not AXE.exists():
        unavailable(f"{AXE} is missing (npm install)")
    return AXE.read_text(encoding="utf-8")


def register(page, *, name: str, login: str, password: str = "mat-khau-tot-1",
             group_label: str = "Người dân") -> None:
    page.goto("/auth/register")
    page.get_by_label("Họ và tên").fill(name)
    page.get_by_label("Email hoặc số điện thoại").fill(login)
    page.get_by_label("Mật khẩu", exact=True).fill(password)
    page.get_by_label("Nhập lại mật khẩu").fill(password)
    page.get_by_label("Bạn thuộc nhóm nào?").select_option(label=group_label)
    page.locator("#commune_code").select_option(index=3)
    page.get_by_label("Tôi đồng ý").check()
    page.get_by_role("button", name="Đăng ký").click()
    page.wait_for_url("**/")


def pass_check(page, app, right: bool = True) -> None:
    """On a check page: tick the right (or a wrong) answers and submit."""
    from ..conftest import answers_for

    action = page.locator("form[action^='/attempts/']").get_attribute("action")
    attempt_id = int(action.rsplit("/", 1)[1])
    fill(page, answers_for(app, attempt_id, right))
    page.get_by_role("button", name="Nộp bài").click()
    page.wait_for_url("**/attempts/*")


def fill(page, fields: dict) -> None:
    """Give the answers {field: [values]} on the page: ticks, or an ordering's step numbers."""
    for field, values in fields.items():
        if page.locator(f"select[name='{field}']").count():  # an ordering's step: its number
            page.locator(f"select[name='{field}']").select_option(values[0])
            continue
        for pos in values:
            page.locator(f"input[name='{field}'][value='{pos}']").check()


def right_fields(app, item: dict) -> dict:
    """The fields that answer a drawn item ({"id", "order"}) rightly, as the page names them."""
    from app.catalog.question_types import QUESTION_TYPES

    question = app.extensions["catalog"].questions[item["id"]]
    kind = QUESTION_TYPES[question.type]
    return kind.form_fields(f"q-{question.id}", item["order"], kind.right_answer(question))


def sign_in(browser, live_server, login: str, viewport=PHONE, password: str = "mat-khau-du-dai-1"):
    """A new browser context signed in as `login` (the accounts of make_user share a password)."""
    page = browser.new_context(viewport=viewport, base_url=live_server).new_page()
    page.goto("/auth/login")
    page.get_by_label("Email, số điện thoại hoặc tên đăng nhập").fill(login)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/")
    return page
