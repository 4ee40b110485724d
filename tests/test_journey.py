"""The learner's whole journey through the test client, with real CSRF tokens:
register → read → fail a check → retake and pass → complete → certificate → /verify says valid."""

import re
from html import unescape

import sqlalchemy as sa

from app.assessment.models import Answer, Attempt
from app.auth.models import User
from app.extensions import db
from app.localities import communes

from .conftest import answers_for, csrf_token, draw_first

COURSE = "ky-nang-so-co-ban"


def _take_check(app, client, module_slug: str, right: bool):
    page = client.get(f"/checks/{COURSE}/{module_slug}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    attempt_id = int(re.search(r'action="/attempts/(\d+)"', html).group(1))
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    data = {"csrf_token": token, **answers_for(app, attempt_id, right)}
    response = client.post(f"/attempts/{attempt_id}", data=data)
    assert response.status_code == 302
    return attempt_id, response


def test_whole_journey_to_a_verified_certificate(app, client):
    catalog = app.extensions["catalog"]
    course = catalog.course(COURSE)
    commune = communes(38)[5][0]

    # Register with a phone number; land on the home page with the group's programme first.
    token = csrf_token(client, "/auth/register")
    response = client.post("/auth/register", data={
        "csrf_token": token, "full_name": "Lê Thị Ánh Tuyết", "login": "091 234 5678",
        "password": "hoc-ky-nang-so", "confirm": "hoc-ky-nang-so", "group_slug": "nguoi-dan",
        "province_code": "38", "commune_code": str(commune), "village": "Thôn Đông",
        "consent": "y"})
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "Lê Thị Ánh Tuyết" in home
    assert home.index("Kỹ năng số cơ bản") < home.index("Các khóa học khác")
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.phone == "0912345678"))
        assert (user.commune_code, user.village) == (commune, "Thôn Đông")

    first, *rest = course.modules
    # Read the first module, fail its check, then retake with a new draw and pass.
    page = client.get(f"/courses/{COURSE}/{first.slug}").get_data(as_text=True)
    assert first.title in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(f"/courses/{COURSE}/{first.slug}/read", data={"csrf_token": token}).status_code == 302

    failed_id, response = _take_check(app, client, first.slug, right=False)
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Chưa đạt" in result and "Làm lại (câu hỏi mới)" in result
    assert first.check.questions[0].explanation in result or "Đáp án và giải thích" in result

    passed_id, response = _take_check(app, client, first.slug, right=True)
    assert passed_id != failed_id  # the retake is a fresh attempt
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đạt:" in result

    # Read and pass everything else; the last pass issues the certificate.
    for module in rest:
        page = client.get(f"/courses/{COURSE}/{module.slug}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        client.post(f"/courses/{COURSE}/{module.slug}/read", data={"csrf_token": token})
        if module.check:
            _take_check(app, client, module.slug, right=True)

    course_page = client.get(f"/courses/{COURSE}").get_data(as_text=True)
    code = re.search(r'href="/certificates/([A-Za-z0-9_-]{32})"', course_page).group(1)
    certificate = client.get(f"/certificates/{code}").get_data(as_text=True)
    assert "Lê Thị Ánh Tuyết" in certificate and "<svg" in certificate
    assert f"https://hocvuso.example.vn/verify/{code}" in certificate

    # Anyone, logged out, verifies it by its QR link.
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    verify = client.get(f"/verify/{code}")
    assert verify.status_code == 200
    html = verify.get_data(as_text=True)
    assert "HỢP LỆ" in html and "Lê Thị Ánh Tuyết" in html and "Kỹ năng số cơ bản" in html
    assert "0912345678" not in html  # no contact data on the public page
    assert re.search(r"HVS-\d{4}-\d{7}", html)


def test_check_page_carries_no_correct_answer(app, client, make_user, auth):
    make_user(login="an@example.vn")
    auth.login("an@example.vn")
    module = app.extensions["catalog"].course(COURSE).modules[0]
    html = client.get(f"/checks/{COURSE}/{module.slug}").get_data(as_text=True)
    for q in module.check.questions:
        assert q.explanation not in html
    assert "correct" not in html.lower()
    # the values posted back are places on the page (0, 1, …), not content indexes
    values = set(re.findall(r'type="(?:radio|checkbox)" name="q-[^"]+" value="(\d+)"', html))
    assert values and values <= {"0", "1", "2", "3", "4", "5"}


def test_unanswered_submission_keeps_ticked_answers(app, client, make_user, auth):
    make_user(login="binh@example.vn")
    auth.login("binh@example.vn")
    module = app.extensions["catalog"].course(COURSE).modules[0]
    html = client.get(f"/checks/{COURSE}/{module.slug}").get_data(as_text=True)
    attempt_id = int(re.search(r'action="/attempts/(\d+)"', html).group(1))
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    first_field = re.search(r'name="(q-[^"]+)"', html).group(1)
    response = client.post(f"/attempts/{attempt_id}", data={"csrf_token": token, first_field: "1"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Bạn chưa trả lời câu: 2, 3, 4, 5." in page
    assert re.search(rf'name="{first_field}" value="1" checked', page)


def test_unknown_verification_code_is_a_vietnamese_404(client):
    response = client.get("/verify/khong-co-ma-nay")
    assert response.status_code == 404
    assert "Không tìm thấy chứng chỉ" in response.get_data(as_text=True)


ORDERING_CHECK = ("cong-dan-so", "03-dich-vu-cong-truc-tuyen", "cds-03-15")


def test_an_ordering_question_through_the_real_pages(app, client, make_user, auth):
    make_user(login="chau@example.vn")
    auth.login("chau@example.vn")
    course, module, qid = ORDERING_CHECK
    question = app.extensions["catalog"].questions[qid]
    steps = [c.text for c in question.choices]
    html = client.get(f"/checks/{course}/{module}").get_data(as_text=True)
    attempt_id = int(re.search(r'action="/attempts/(\d+)"', html).group(1))
    order = draw_first(app, attempt_id, qid)

    # Shown shuffled, one select per step named by its place; every select offers 1…5, so
    # nothing on the page tells the right order.
    html = client.get(f"/checks/{course}/{module}").get_data(as_text=True)
    assert f'action="/attempts/{attempt_id}"' in html  # the same attempt, reloaded
    shown = re.findall(rf'<label for="q-{qid}\.(\d)">([^<]+)</label>', html)
    assert [(p, unescape(t)) for p, t in shown] == [(str(p), steps[i]) for p, i in enumerate(order)]
    assert order != sorted(order)
    selects = re.findall(rf'<select id="q-{qid}\.\d" name="(q-{qid}\.\d)">(.*?)</select>', html, re.S)
    assert [name for name, _ in selects] == [f"q-{qid}.{p}" for p in range(5)]
    assert all(re.findall(r'<option value="(\d)"', options) == list("12345") for _, options in selects)
    assert "correct" not in html.lower() and question.explanation not in html

    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    right = answers_for(app, attempt_id, right=True)
    assert [right[f"q-{qid}.{p}"] for p in range(5)] == [[str(i + 1)] for i in order]

    # Two steps given the same number: refused in Vietnamese, nothing graded, numbers kept.
    twice = {**right, f"q-{qid}.0": right[f"q-{qid}.1"]}
    response = client.post(f"/attempts/{attempt_id}", data={"csrf_token": token, **twice})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    repeated = right[f"q-{qid}.1"][0]
    assert (f"Câu 1: mỗi số thứ tự chỉ dùng cho một bước, nhưng số {repeated} đang được chọn "
            "cho nhiều bước.") in page
    assert re.search(r'<fieldset class="question missing">\s*<legend>Câu 1\.', page)
    assert re.search(rf'name="q-{qid}\.0">.*?<option value="{repeated}" selected>', page, re.S)
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).submitted_at is None

    # The right order passes it, and the result page shows the verdict that was stored.
    response = client.post(f"/attempts/{attempt_id}", data={"csrf_token": token, **right})
    assert response.status_code == 302
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    first = result[result.index("Câu 1."):result.index("Câu 2.")]
    assert '<p class="right">Đúng</p>' in first and "Thứ tự đúng:" in first
    assert [(unescape(t), n) for t, n in re.findall(r"<li>([^<]+) <em>\(bạn xếp thứ (\d)\)</em></li>", first)] \
        == [(s, str(n)) for n, s in enumerate(steps, start=1)]
    with app.app_context():
        stored = db.session.scalar(sa.select(Answer).where(Answer.attempt_id == attempt_id,
                                                           Answer.question_id == qid))
        assert (stored.chosen, stored.correct, stored.position) == ([0, 1, 2, 3, 4], True, 1)
        # a verdict changed in the database is what the page shows: it judges nothing itself
        stored.correct = False
        db.session.commit()
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<p class="wrong">Chưa đúng</p>' in result[result.index("Câu 1."):result.index("Câu 2.")]
