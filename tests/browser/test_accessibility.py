"""WCAG 2.1 A and AA on every main page (axe-core in Chromium), keyboard-only use,
and text enlarged to 200% on a phone without loss."""

import pytest

from app.certificates import services as certificates

from .conftest import PHONE, pass_check

COURSE = "ky-nang-so-co-ban"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def audit(page, axe_source: str) -> list[str]:
    # Through DevTools, not a <script> tag: the pages' CSP forbids inline scripts, rightly.
    page.evaluate(axe_source + "\n;true")
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]]


@pytest.fixture
def learner_pages(app, browser, live_server, make_user):
    """A logged-in phone context with a failed and a passed check and a certificate, and the
    list of the main pages to audit."""
    user_id = make_user(login="a11y@example.vn", full_name="Lò Văn Sáng")
    context = browser.new_context(viewport=PHONE, base_url=live_server)
    page = context.new_page()
    page.goto("/auth/login")
    page.get_by_label("Email, số điện thoại hoặc tên đăng nhập").fill("a11y@example.vn")
    page.get_by_label("Mật khẩu").fill("mat-khau-du-dai-1")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/")
    course = app.extensions["catalog"].course(COURSE)
    for module in course.modules:
        page.goto(f"/courses/{COURSE}/{module.slug}")
        page.get_by_role("button", name="Tôi đã đọc xong bài này").click()
        pass_check(page, app)
    result_url = page.url
    with app.app_context():
        code = certificates.certificates_of(user_id)[0].code
    first = course.modules[0]
    pages = ["/", f"/courses/{COURSE}", f"/courses/{COURSE}/{first.slug}",
             f"/checks/{COURSE}/{first.slug}", result_url, "/me/competences", "/certificates/",
             f"/certificates/{code}", "/auth/profile", "/confirmation", "/confirmation/take"]
    public = ["/", "/auth/login", "/auth/register", f"/courses/{COURSE}",
              f"/courses/{COURSE}/{first.slug}", "/verify", f"/verify/{code}", "/verify/khong-co",
              "/trang-khong-co", "/khung-nang-luc-so", "/thuat-ngu", "/khi-can-giup-do"]
    yield page, pages, public
    context.close()


def test_main_pages_have_no_wcag_violations(browser, live_server, axe_source, learner_pages):
    page, pages, public = learner_pages
    found = {}
    for url in pages:
        page.goto(url)
        found[url] = audit(page, axe_source)
    anonymous = browser.new_context(viewport=PHONE, base_url=live_server)
    other = anonymous.new_page()
    for url in public:
        other.goto(url)
        found["anonymous " + url] = audit(other, axe_source)
    # The same pages with the large-text, high-contrast setting on.
    other.goto("/")
    other.locator("details.menu > summary").click()  # on a phone the setting is in the menu
    other.get_by_role("button", name="Chữ to, rõ").click()
    for url in public[:5]:
        other.goto(url)
        found["large text " + url] = audit(other, axe_source)
    anonymous.close()
    assert {url: v for url, v in found.items() if v} == {}
    assert len(found) == len(pages) + len(public) + 5


def test_forms_with_errors_have_no_wcag_violations(phone, axe_source):
    phone.goto("/auth/register")
    phone.get_by_role("button", name="Đăng ký").click()
    assert phone.locator("[aria-invalid='true']").count() >= 4
    assert audit(phone, axe_source) == []


def test_sign_up_and_a_check_with_the_keyboard_alone(app, phone):
    page = phone
    page.goto("/auth/register")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.className") == "skip"
    page.locator("#full_name").focus()
    page.keyboard.type("Hà Thị Mây")
    page.keyboard.press("Tab")
    page.keyboard.type("0966111222")
    page.keyboard.press("Tab")
    page.keyboard.type("mat-khau-ban-phim")
    page.keyboard.press("Tab")
    page.keyboard.type("mat-khau-ban-phim")
    page.keyboard.press("Tab")  # group
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")  # province: Thanh Hóa already chosen
    page.keyboard.press("Tab")  # commune
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")  # village (optional)
    page.keyboard.press("Tab")  # "Tôi đồng ý", under the privacy statement
    page.keyboard.press("Space")
    assert page.locator("#consent").is_checked()
    page.keyboard.press("Tab")  # the submit button
    assert page.evaluate("document.activeElement.textContent.trim()") == "Đăng ký"
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    assert page.get_by_role("heading", name="Xin chào, Hà Thị Mây").is_visible()

    # A knowledge check: Tab to each group of choices, arrows or Space to choose, Enter to send.
    module = app.extensions["catalog"].course(COURSE).modules[0]
    page.goto(f"/checks/{COURSE}/{module.slug}")
    inputs = page.locator("fieldset.question input")
    first = inputs.first
    first.focus()
    page.keyboard.press("Space")
    assert first.is_checked()
    page.get_by_role("button", name="Nộp bài").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Bạn chưa trả lời câu").is_visible()  # kept the one answer, named the rest
    assert page.locator("fieldset.question input").first.is_checked()


@pytest.mark.parametrize("url", ["/", "/auth/register", "/auth/login", f"/courses/{COURSE}",
                                 f"/courses/{COURSE}/05-an-toan-tren-mang", "/verify"])
def test_text_enlarged_to_200_percent_fits_the_phone(phone, url):
    phone.goto(url)
    phone.evaluate("document.documentElement.style.fontSize = '225%'")  # 2 × the usual 112.5%
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{url} scrolls sideways by {overflow}px at 200% text"
    hidden = phone.evaluate("""[...document.querySelectorAll('main *')].filter(el => {
        const s = getComputedStyle(el);
        return (s.overflow === 'hidden' || s.overflowX === 'hidden') && el.scrollWidth > el.clientWidth + 1;
    }).length""")
    assert hidden == 0


def test_an_ordering_question_on_a_phone(app, phone, make_user, axe_source):
    """The check with steps to put in order, on a 360-px phone: a select per step, nothing
    sideways even at 200% text, a clear message for a number used twice, no WCAG violation."""
    from ..conftest import draw_first

    make_user(login="xep@example.vn")
    page = phone
    page.goto("/auth/login")
    page.get_by_label("Email, số điện thoại hoặc tên đăng nhập").fill("xep@example.vn")
    page.get_by_label("Mật khẩu").fill("mat-khau-du-dai-1")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/")
    url = "/checks/cong-dan-so/03-dich-vu-cong-truc-tuyen"
    page.goto(url)
    attempt_id = int(page.locator("form[action^='/attempts/']").get_attribute("action").rsplit("/", 1)[1])
    order = draw_first(app, attempt_id, "cds-03-15")
    page.goto(url)
    steps = page.locator("fieldset.question").first.locator("select")
    assert steps.count() == len(order) == 5
    assert audit(page, axe_source) == []
    for size in ("100%", "225%"):  # 225%: 2 × the usual 112.5%
        page.evaluate(f"document.documentElement.style.fontSize = '{size}'")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"the ordering question scrolls sideways by {overflow}px at {size}"
        for i in range(5):
            box = steps.nth(i).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1
    page.evaluate("document.documentElement.style.fontSize = ''")

    # A number given to two steps: the page says so, by the question, and keeps the choices.
    for i in range(5):
        page.get_by_label(page.locator(f"label[for='q-cds-03-15.{i}']").inner_text()).select_option(
            "1" if i < 2 else str(i + 1))
    page.get_by_role("button", name="Nộp bài").click()
    assert page.get_by_text("Câu 1: mỗi số thứ tự chỉ dùng cho một bước").is_visible()
    assert page.locator("select[name='q-cds-03-15.1']").input_value() == "1"
    assert audit(page, axe_source) == []

    pass_check(page, app)
    assert page.get_by_text("Thứ tự đúng:").is_visible()
