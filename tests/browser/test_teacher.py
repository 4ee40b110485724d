"""The teacher's main flow in a real browser: a class, a join code, an assignment, the grid."""

from .conftest import PHONE, sign_in

DESKTOP = {"width": 1024, "height": 800}
from .test_accessibility import audit


def test_teacher_creates_a_class_assigns_and_follows_progress(app, browser, live_server, make_user, axe_source):
    make_user(role="teacher", login="gv@example.vn", full_name="Thầy Quang")
    make_user(login="hv@example.vn", full_name="Em Lan")
    teacher = sign_in(browser, live_server, "gv@example.vn", viewport=DESKTOP)
    teacher.get_by_role("link", name="Lớp của tôi").click()
    teacher.get_by_label("Tên lớp").fill("Tổ công nghệ số thôn Đông")
    teacher.get_by_label("Loại lớp").select_option(label="Tổ công nghệ số cộng đồng")
    teacher.get_by_role("button", name="Tạo lớp").click()
    code = teacher.locator("strong.code").inner_text()
    assert len(code) == 7
    module = app.extensions["catalog"].course("ky-nang-so-co-ban").modules[0]
    teacher.get_by_label("Giao gì").select_option(value="module")
    teacher.get_by_label("Khóa học hoặc bài học").select_option(value=f"ky-nang-so-co-ban/{module.slug}")
    teacher.get_by_role("button", name="Giao bài").click()
    assert teacher.get_by_text("Đã giao bài cho lớp.").is_visible()

    learner = sign_in(browser, live_server, "hv@example.vn")
    learner.goto("/join")
    learner.get_by_label("Mã lớp").fill(code)
    learner.get_by_role("button", name="Tham gia").click()
    learner.get_by_role("link", name=module.title).click()
    learner.get_by_role("button", name="Tôi đã đọc xong bài này").click()

    teacher.reload()
    row = teacher.locator("table.progress-grid tbody tr", has_text="Em Lan")
    assert "Xong" in row.inner_text()
    assert teacher.locator("table.progress-grid tfoot").inner_text().count("1/1") == 1
    assert audit(teacher, axe_source) == []
    teacher.goto("/teaching/")
    assert audit(teacher, axe_source) == []
    learner.goto("/me/assignments")
    assert audit(learner, axe_source) == []


def test_invited_learner_accepts_on_a_phone_and_only_then_appears(app, browser, live_server, make_user,
                                                                  axe_source):
    make_user(role="teacher", login="gv@example.vn", full_name="Thầy Quang")
    make_user(login="0912000333", full_name="Em Lan")
    teacher = sign_in(browser, live_server, "gv@example.vn", viewport=DESKTOP)
    teacher.get_by_role("link", name="Lớp của tôi").click()
    teacher.get_by_label("Tên lớp").fill("Chi hội phụ nữ thôn Đông")
    teacher.get_by_label("Loại lớp").select_option(label="Chi hội phụ nữ")
    teacher.get_by_role("button", name="Tạo lớp").click()
    teacher.get_by_label("Email hoặc số điện thoại của học viên").fill("0912 000 333")
    teacher.get_by_role("button", name="Mời vào lớp").click()
    assert teacher.get_by_text("Nếu có tài khoản với email hoặc số điện thoại này").is_visible()
    assert "Em Lan" not in teacher.content()

    learner = sign_in(browser, live_server, "0912000333")
    card = learner.locator(".card", has_text="Chi hội phụ nữ thôn Đông")
    assert "Thầy Quang" in card.inner_text()
    accept, decline = card.get_by_role("button", name="Đồng ý vào lớp"), card.get_by_role("button", name="Từ chối")
    assert accept.is_visible() and decline.is_visible()
    assert learner.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    for button in (accept, decline):  # both inside the 360-px screen, big enough to tap
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] and box["height"] >= 44
    assert audit(learner, axe_source) == []
    accept.click()
    assert learner.get_by_text("Bạn đã tham gia lớp Chi hội phụ nữ thôn Đông.").is_visible()

    teacher.reload()
    assert teacher.get_by_text("Em Lan").first.is_visible()
    # The row's button posts the page's one action form to its own formaction, with the token
    # that sits at the end of the body (the page is cached and compressed once).
    teacher.get_by_role("button", name="Đưa ra khỏi lớp").click()
    assert teacher.get_by_text("Đã đưa học viên ra khỏi lớp.").is_visible()
    assert teacher.locator("h2#members-h").inner_text() == "Học viên (0)"
