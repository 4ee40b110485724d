"""The offline app without a browser: manifest and worker as served, the signed draws, and
answers sent from the phone graded exactly once through assessment and commit_step."""

import io
import time

import pytest
import sqlalchemy as sa
from PIL import Image

from app.assessment.models import Attempt
from app.catalog.question_types import QUESTION_TYPES
from app.certificates.models import Certificate
from app.courses.models import ModuleProgress
from app.extensions import db
from app.offline import services
from app.offline.models import OfflineSubmission

from ..conftest import Auth

COURSE = "ky-nang-so-co-ban"


def _answers(app, token: str, right: bool = True) -> dict:
    with app.test_request_context():
        payload = services._serializer().loads(token)
    catalog = app.extensions["catalog"]
    form = {}
    for item in payload["d"]:
        q = catalog.questions[item["id"]]
        kind = QUESTION_TYPES[q.type]
        chosen = kind.right_answer(q) if right else next(
            c for c in [kind.right_answer(q)[::-1], *([i] for i in item["order"])] if not kind.judge(q, c))
        form.update(kind.form_fields(f"q-{q.id}", item["order"], chosen))
    return form


def _issue(app, user_id: int, module_index: int = 0):
    catalog = app.extensions["catalog"]
    check = catalog.course(COURSE).modules[module_index].check
    with app.test_request_context():
        return services.issue_draw(user_id, check, catalog), check


def _submit(app, user_id, key, token, answers):
    with app.test_request_context():
        return services.submit_answers(user_id, key, token, answers, "2026-12-01T10:00:00Z",
                                       app.extensions["catalog"])


def _graded(app, user_id, check_key) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Attempt.id)).where(
            Attempt.user_id == user_id, Attempt.check_key == check_key,
            Attempt.submitted_at.is_not(None)))


def test_manifest_names_the_app_and_its_real_icons(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    body = manifest.get_json(force=True)
    assert body["name"] == "Học vụ số" and body["start_url"] == "/" and body["theme_color"]
    for icon in body["icons"]:
        png = client.get(icon["src"])
        assert png.status_code == 200 and "immutable" in png.headers["Cache-Control"]
        size = int(icon["sizes"].split("x")[0])
        assert Image.open(io.BytesIO(png.data)).size == (size, size)
    assert {i["sizes"] for i in body["icons"]} == {"192x192", "512x512"}


def test_worker_is_served_at_the_root_under_the_csp(client):
    sw = client.get("/sw.js")
    assert sw.mimetype == "text/javascript" and sw.headers["Service-Worker-Allowed"] == "/"
    assert "no-cache" in sw.headers["Cache-Control"]
    assert "script-src 'self'" in sw.headers["Content-Security-Policy"]
    source = sw.get_data(as_text=True)
    assert source.startswith("const SETTINGS = ")
    # its scripts are the fingerprinted assets, so a deploy changes the worker's bytes
    assert "/assets/queue." in source and "/assets/site." in source
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert "<script>" not in page  # no inline script: offline.js is an asset


def test_offline_page_is_vietnamese(client):
    page = client.get("/offline").get_data(as_text=True)
    assert "Không có mạng" in page and "Thuật ngữ" in page


def test_signing_out_clears_the_phone(client, make_user):
    make_user(login="chia-se-may@example.vn")
    Auth(client).login("chia-se-may@example.vn")
    token = client.get("/auth/profile").get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/auth/logout", data={"csrf_token": token})
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert "Clear-Site-Data" not in client.get("/").headers


def test_draw_carries_no_answer_and_is_bound_to_the_learner(app, make_user):
    user_id = make_user()
    issued, check = _issue(app, user_id)
    with app.test_request_context():
        payload = services._serializer().loads(issued.token)
    assert set(payload) == {"u", "c", "d", "n", "m"} and payload["u"] == user_id
    assert all(set(item) == {"id", "order"} for item in payload["d"])
    other = make_user()
    with pytest.raises(services.Refused, match="tài khoản khác"):
        _submit(app, other, "key-of-other-person", issued.token, _answers(app, issued.token))
    assert _graded(app, other, check.key) == 0


def test_offline_check_page_shows_no_correct_answer(app, client, make_user):
    make_user(login="xem-de@example.vn")
    Auth(client).login("xem-de@example.vn")
    module = app.extensions["catalog"].course(COURSE).modules[0]
    html = client.get(f"/offline/checks/{COURSE}/{module.slug}").get_data(as_text=True)
    assert 'data-offline-check' in html and 'name="token"' in html
    assert "correct" not in html.lower() and "Lưu bài làm để gửi" in html


def test_answers_graded_once_whatever_the_number_of_sendings(app, make_user):
    user_id = make_user()
    issued, check = _issue(app, user_id)
    answers = _answers(app, issued.token)
    first = _submit(app, user_id, "phone-key-000001", issued.token, answers)
    assert not first.duplicate and first.attempt.passed
    again = _submit(app, user_id, "phone-key-000001", issued.token, answers)  # a retry
    other_tab = _submit(app, user_id, "phone-key-000002", issued.token, answers)  # same draw
    assert again.duplicate and other_tab.duplicate
    assert again.attempt.id == other_tab.attempt.id == first.attempt.id
    assert _graded(app, user_id, check.key) == 1
    with app.app_context():
        arrival = db.session.scalar(sa.select(OfflineSubmission).where(
            OfflineSubmission.user_id == user_id))
        assert arrival.taken_at is not None and arrival.received_at >= arrival.taken_at


def test_expired_or_tampered_answers_are_refused(app, make_user, monkeypatch):
    user_id = make_user()
    with monkeypatch.context() as m:  # a draw issued eight days ago
        m.setattr(time, "time", lambda real=time.time: real() - 8 * 86400)
        old, check = _issue(app, user_id)
    with pytest.raises(services.Refused, match="quá hạn"):
        _submit(app, user_id, "phone-key-expired", old.token, _answers(app, old.token))
    fresh, _check = _issue(app, user_id)
    body, signature = fresh.token.rsplit(".", 1)
    forged = body + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    with pytest.raises(services.Refused, match="bị thay đổi"):
        _submit(app, user_id, "phone-key-tampered", forged, _answers(app, fresh.token))
    with pytest.raises(services.Refused):
        _submit(app, user_id, "phone-key-unanswered", fresh.token, {})
    assert _graded(app, user_id, check.key) == 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OfflineSubmission.id)).where(
            OfflineSubmission.user_id == user_id)) == 0
    # nothing else lost: the fresh draw still counts
    assert not _submit(app, user_id, "phone-key-fresh-1", fresh.token, _answers(app, fresh.token)).duplicate


def test_a_course_done_offline_earns_its_certificate(app, make_user):
    user_id = make_user()
    catalog = app.extensions["catalog"]
    course = catalog.course(COURSE)
    for i, module in enumerate(course.modules):
        with app.test_request_context():
            services.record_read(user_id, COURSE, module.slug, catalog)
        if module.check is not None:
            issued, _check = _issue(app, user_id, i)
            _submit(app, user_id, f"phone-key-course-{i:02d}", issued.token, _answers(app, issued.token))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Certificate.id)).where(
            Certificate.user_id == user_id, Certificate.course_slug == COURSE)) == 1


def test_sync_route_answers_in_json_with_a_vietnamese_message(app, client, make_user):
    user_id = make_user(login="gui-sau@example.vn")
    Auth(client).login("gui-sau@example.vn")
    assert client.post("/offline/sync", data={"kind": "read"}).status_code == 400  # not JSON
    refused = client.post("/offline/sync", json={"key": "bad key!", "token": "x", "answers": {}})
    assert refused.status_code == 400 and "không hợp lệ" in refused.get_json()["message"]
    cross_site = client.post("/offline/sync", json={"kind": "read"}, headers={"Origin": "https://evil.example"})
    assert cross_site.status_code == 400
    issued, check = _issue(app, user_id)
    item = {"key": "route-key-0001", "token": issued.token, "answers": _answers(app, issued.token)}
    graded = client.post("/offline/sync", json=item).get_json()
    assert graded["status"] == "graded" and graded["passed"] and "Đã chấm" in graded["message"]
    assert client.post("/offline/sync", json=item).get_json()["status"] == "duplicate"
    module = app.extensions["catalog"].course(COURSE).modules[1]
    read = client.post("/offline/sync", json={"kind": "read", "course": COURSE, "module": module.slug})
    assert read.get_json()["status"] == "saved"
    missing = client.post("/offline/sync", json={"kind": "read", "course": COURSE, "module": "khong-co"})
    assert missing.status_code == 400
    assert _graded(app, user_id, check.key) == 1


def test_prefetch_is_no_visit_and_pages_work_without_javascript(app, client, make_user):
    user_id = make_user(login="khong-js@example.vn")
    Auth(client).login("khong-js@example.vn")
    module = app.extensions["catalog"].course(COURSE).modules[3]
    kept = client.get(f"/courses/{COURSE}/{module.slug}", headers={"X-Offline-Prefetch": "1"})
    assert kept.status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(ModuleProgress).where(
            ModuleProgress.user_id == user_id, ModuleProgress.module_slug == module.slug)) is None
    html = client.get(f"/courses/{COURSE}/{module.slug}").get_data(as_text=True)
    # without JavaScript the form posts as before; the offline check link is only a data attribute
    assert f'action="/courses/{COURSE}/{module.slug}/read"' in html
    pack = client.get(f"/offline/courses/{COURSE}.json").get_json()
    assert pack["budget"] == services.COURSE_BUDGET
    assert f"/courses/{COURSE}/{module.slug}" in pack["urls"] and "/thuat-ngu" in pack["urls"]
