"""The installable app offline (issue 16) in Debian's Chromium on a 360×740 phone: manifest and
service worker registered, a course read with the network off, an uncached page answered by
the Vietnamese offline page, a check answered offline graded once when the signal returns,
and a tampered one refused without losing anything else."""

import sqlalchemy as sa

from app.assessment.models import Attempt
from app.courses.models import ModuleProgress
from app.extensions import db
from app.offline import services

from .conftest import fill, right_fields, sign_in

COURSE = "ky-nang-so-co-ban"


def _controlled(page, url: str) -> None:
    """Open url once the service worker controls the page (its first load only registers it)."""
    page.goto(url)
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def _fill_right_answers(page, app) -> None:
    """Tick the right answers of the offline check on the page, worked out from its draw."""
    token = page.locator("input[name=token]").get_attribute("value")
    with app.test_request_context():
        payload = services._serializer().loads(token)
    for item in payload["d"]:
        fill(page, right_fields(app, item))


def _attempts(app, user_id: int, check_key: str) -> list[Attempt]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Attempt).where(
            Attempt.user_id == user_id, Attempt.check_key == check_key,
            Attempt.submitted_at.is_not(None))))  # (the online check page opens one of its own)


def test_installable(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server)
    page = context.new_page()
    _controlled(page, "/")
    manifest = page.evaluate("""async () => {
        const link = document.querySelector('link[rel=manifest]');
        const m = await (await fetch(link.href)).json();
        const icons = await Promise.all(m.icons.map(async i => {
            const r = await fetch(i.src); return [i.sizes, r.status, r.headers.get('content-type')]; }));
        return {name: m.name, start: m.start_url, display: m.display, theme: m.theme_color, icons};
    }""")
    assert manifest["name"] == "Học vụ số" and manifest["start"] == "/"
    assert manifest["display"] == "standalone" and manifest["theme"]
    assert ["192x192", 200, "image/png"] in manifest["icons"]
    assert ["512x512", 200, "image/png"] in manifest["icons"]
    scope = page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.scope)")
    assert scope == live_server + "/"
    response = page.request.get("/sw.js")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    context.close()


def test_course_offline_and_check_sent_once(app, browser, live_server, make_user):
    user_id = make_user(login="offline-learner@example.vn")
    page = sign_in(browser, live_server, "offline-learner@example.vn")
    context = page.context
    course = app.extensions["catalog"].course(COURSE)
    first, third = course.modules[0], course.modules[2]
    _controlled(page, f"/courses/{COURSE}")
    page.wait_for_selector("html[data-offline-kept]", state="attached")
    kept = int(page.locator("html").get_attribute("data-offline-kept"))
    assert 0 < kept < services.COURSE_BUDGET
    page.goto(f"/courses/{COURSE}/{first.slug}")  # visited; the third one never is
    with app.app_context():  # kept ahead is not a visit
        started = set(db.session.scalars(sa.select(ModuleProgress.module_slug).where(
            ModuleProgress.user_id == user_id)))
    assert started == {first.slug}

    context.set_offline(True)
    for module in (first, third):
        page.goto(f"/courses/{COURSE}/{module.slug}")
        assert page.get_by_role("heading", level=1).inner_text() == module.title
    page.goto("/thuat-ngu")
    assert page.get_by_role("heading", level=1).is_visible()
    page.goto("/me/competences")  # never opened: the offline page, not the browser's error
    assert page.get_by_role("heading", level=1).inner_text() == "Không có mạng"

    # Read the third module and answer the first module's check, all offline.
    page.goto(f"/courses/{COURSE}/{third.slug}")
    page.get_by_role("button", name="Tôi đã đọc xong bài này").click()
    page.get_by_text("Đang chờ gửi khi có mạng:").wait_for()
    page.goto(f"/checks/{COURSE}/{first.slug}")  # the online check's address: its offline copy
    assert page.get_by_role("heading", level=1).inner_text() == "Bài kiểm tra (làm khi không có mạng)"
    _fill_right_answers(page, app)
    page.get_by_role("button", name="Lưu bài làm để gửi").click()
    page.locator("#offline-status li", has_text=f"Bài kiểm tra: {first.title}").wait_for()
    waiting = page.evaluate("HvsQueue.all()")
    answer = next(i for i in waiting if i["kind"] == "answer")
    assert _attempts(app, user_id, first.check.key) == []

    context.set_offline(False)
    page.goto(f"/courses/{COURSE}")  # the next page online sends what waits
    page.get_by_text("Đã chấm bài kiểm tra gửi sau").wait_for()
    graded = _attempts(app, user_id, first.check.key)
    assert len(graded) == 1 and graded[0].passed
    with app.app_context():
        read_at = db.session.scalar(sa.select(ModuleProgress.read_at).where(
            ModuleProgress.user_id == user_id, ModuleProgress.module_slug == third.slug))
    assert read_at is not None
    assert [i["state"] for i in page.evaluate("HvsQueue.all()")] == ["sent", "sent"]
    for _sent in range(2):  # each said until the learner has read it
        page.get_by_role("button", name="Đã hiểu").first.click()
    page.wait_for_function("HvsQueue.all().then(items => items.length === 0)")

    # Sent again (a retry), or the same draw from a second tab with its own key: nothing new.
    for key in (answer["key"], "second-tab-" + answer["key"][:20]):
        again = page.evaluate("""async item => {
            const r = await fetch('/offline/sync', {method: 'POST', headers: {'Content-Type': 'application/json'},
                                  body: JSON.stringify(item)});
            return [r.status, (await r.json()).status];
        }""", {**answer, "key": key})
        assert again == [200, "duplicate"]
    assert len(_attempts(app, user_id, first.check.key)) == 1

    # A tampered answer is refused with a message; nothing else is lost.
    second = course.modules[1]
    page.goto(f"/offline/checks/{COURSE}/{second.slug}")
    context.set_offline(True)
    _fill_right_answers(page, app)
    page.evaluate("""() => { const t = document.querySelector('input[name=token]');
                              t.value = t.value.replace(/^./, c => c === 'e' ? 'f' : 'e'); }""")
    page.get_by_role("button", name="Lưu bài làm để gửi").click()
    page.locator("#offline-status li", has_text=f"Bài kiểm tra: {second.title}").wait_for()
    context.set_offline(False)
    page.reload()
    page.get_by_text("đã bị thay đổi trên máy").wait_for()
    assert _attempts(app, user_id, second.check.key) == []
    assert len(_attempts(app, user_id, first.check.key)) == 1

    # Signing out on a shared phone leaves nothing of this person in the browser's storage.
    kept_paths = """async () => {
        const paths = [];
        for (const name of await caches.keys())
            for (const r of await (await caches.open(name)).keys()) paths.push(new URL(r.url).pathname);
        return paths; }"""
    assert f"/courses/{COURSE}/{third.slug}" in page.evaluate(kept_paths)
    page.get_by_text("Menu").click()
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()
    left = page.evaluate(kept_paths)  # the new worker may have kept the public pages again
    assert not [p for p in left if p.startswith(("/courses/", "/offline/checks/", "/me"))], left
    context.close()
