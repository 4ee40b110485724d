"""The ambassador's phone as a carrier (issue 16, item 5) in Debian's Chromium on a 360×740
phone: a kit prepared online, the session run with the network off, sent when it returns and
its result shown; sent again it changes nothing, and a tampered kit is refused."""

import sqlalchemy as sa

from app.ambassadors import carrier
from app.ambassadors.models import AmbassadorAction
from app.assessment.models import Attempt
from app.extensions import db
from app.offline import services as offline

from .conftest import fill, right_fields, sign_in
from .test_offline import _controlled


def _kit_items(app, page) -> list[dict]:
    token = page.locator("template[data-kit]").get_attribute("data-token")
    with app.test_request_context():
        return offline.read_signed(token, carrier._SALT, carrier.KIT_DAYS)["d"]


def _answer_every_screen(page, app, items) -> None:
    """The citizen's answers, one question per screen: right ones, worked out from the kit."""
    for n, item in enumerate(items, start=1):
        page.get_by_text(f"Câu {n} / {len(items)}").wait_for()
        fill(page, right_fields(app, item))
        page.locator("#kit-next").click()


def _attempts(app, citizen_id) -> list[Attempt]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Attempt).where(Attempt.user_id == citizen_id)))


def test_a_session_run_offline_on_the_ambassadors_phone(app, browser, live_server, make_user):
    ambassador = make_user(role="ambassador", login="dai-su-ban@example.vn", full_name="Đại Sứ Bản")
    citizen = make_user(login="0911333444", full_name="Bà Lò Thị Xuân")
    with app.app_context():
        db.session.add(AmbassadorAction(ambassador_id=ambassador, citizen_id=citizen, kind="register"))
        db.session.commit()
    page = sign_in(browser, live_server, "dai-su-ban@example.vn")
    context = page.context
    _controlled(page, "/ambassador/")
    page.get_by_role("button", name="Chuẩn bị bài làm khi không có mạng").click()
    page.get_by_text("Đã lưu bài trên máy này").wait_for()
    items = _kit_items(app, page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # Signing out would clear the phone (Clear-Site-Data): the browser asks first, "no" keeps it.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_text("Menu").click()
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_timeout(500)
    assert asked and "Đăng xuất sẽ xóa chúng" in asked[0]
    assert len(page.evaluate("HvsQueue.kits.all()")) == 1 and "/ambassador/" in page.url

    context.set_offline(True)
    page.goto("/ambassador/offline")  # kept by the kit page: it opens without a signal
    page.get_by_role("heading", name="Bài đã chuẩn bị trên máy này").wait_for()
    page.locator("#kit-list li", has_text="Bà Lò Thị Xuân").get_by_role("button", name="Bắt đầu làm bài").click()
    page.get_by_text("Người làm bài: Bà Lò Thị Xuân").wait_for()
    page.locator("#kit-next").click()  # nothing ticked: it asks for an answer, stays
    page.get_by_text("Hãy trả lời câu này trước.").wait_for()
    _answer_every_screen(page, app, items)
    page.locator("#offline-status li", has_text="Bài xác nhận của: Bà Lò Thị Xuân").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator("#no-kits").is_visible()  # the kit is used up
    sent = next(i for i in page.evaluate("HvsQueue.all()") if i["kind"] == "session")
    assert sent["state"] == "waiting" and _attempts(app, citizen) == []

    context.set_offline(False)
    page.goto("/ambassador/")  # the next page online sends what waits
    page.get_by_text("Đã chấm bài xác nhận làm khi không có mạng: đạt.").wait_for()
    graded = _attempts(app, citizen)
    assert len(graded) == 1 and graded[0].passed and graded[0].supervisor_id == ambassador
    page.get_by_role("link", name="Xem kết quả").click()
    page.get_by_text("Bà Lò Thị Xuân đã được xác nhận đạt phổ cập kỹ năng số.").wait_for()

    # Sent again (a retry, another tab): the first result, nothing new.
    again = page.evaluate("""async item => {
        const r = await fetch(item.url, {method: 'POST', headers: {'Content-Type': 'application/json'},
                              body: JSON.stringify(item)});
        return [r.status, (await r.json()).status]; }""", sent)
    assert again == [200, "duplicate"]
    # A kit altered on the phone is refused with a message, and nothing is stored.
    tampered = {**sent, "key": "tampered-" + sent["key"][:20], "token": "e" + sent["token"][1:]}
    if tampered["token"] == sent["token"]:
        tampered["token"] = "f" + sent["token"][1:]
    page.evaluate("item => HvsQueue.put(item)", {**tampered, "state": "waiting"})
    page.reload()
    page.get_by_text("đã bị thay đổi trên máy").wait_for()
    assert len(_attempts(app, citizen)) == 1
    context.close()
