"""The ambassador's phone as a carrier (issue 16, item 5): a kit prepared online, answered in
full without a signal, replayed on arrival exactly as the online test asks and decided once."""

import random
import re
import time

import pytest
import sqlalchemy as sa

from app.ambassadors import carrier, services
from app.ambassadors.models import AmbassadorAction
from app.assessment import confirmation
from app.assessment import services as assessment_services
from app.assessment.models import Answer, Attempt
from app.audit.models import AuditEvent
from app.auth.models import User
from app.catalog.question_types import QUESTION_TYPES
from app.certificates.models import Certificate
from app.columns import utcnow
from app.extensions import db
from app.offline import services as offline
from app.offline.models import OfflineSubmission

from ..conftest import TEST_PASSWORD, Auth, csrf_token


def _payload(app, token):
    with app.test_request_context():
        return offline.read_signed(token, carrier._SALT, carrier.KIT_DAYS)


def _form_for(app, items, right) -> dict:
    """What the phone posts for kit items: the right answer where right(question) says so,
    else a wrong one, as each question type's fields post it."""
    catalog = app.extensions["catalog"]
    form = {}
    for item in items:
        q = catalog.questions[item["id"]]
        kind = QUESTION_TYPES[q.type]
        chosen = kind.right_answer(q) if right(q) else next(
            c for c in [kind.right_answer(q)[::-1], *([i] for i in item["order"])] if not kind.judge(q, c))
        form.update(kind.form_fields(f"q-{q.id}", item["order"], chosen))
    return form


@pytest.fixture
def people(app, make_user):
    """An ambassador and a citizen they registered (no password needed for them)."""
    ambassador = make_user(role="ambassador", login="dai.su@example.vn", full_name="Đại Sứ Hải")
    citizen = make_user(login="0911000111", full_name="Bà Lò Thị Xuân")
    with app.app_context():
        db.session.add(AmbassadorAction(ambassador_id=ambassador, citizen_id=citizen, kind="register"))
        db.session.commit()
    return ambassador, citizen


def _prepare(app, ambassador_id, citizen_id):
    with app.test_request_context():
        return carrier.prepare_kit(db.session.get(User, ambassador_id), db.session.get(User, citizen_id),
                                   app.extensions["catalog"])


def _upload(app, ambassador_id, key, token, answers, started="2026-12-01T08:00:00Z",
            taken="2026-12-01T08:20:00Z"):
    with app.test_request_context():
        outcome = carrier.upload_session(db.session.get(User, ambassador_id), key, token, answers, started,
                                         taken, app.extensions["catalog"])
        return outcome.duplicate, outcome.attempt.id, bool(outcome.attempt.passed)


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


# -- the replay is the online test ------------------------------------------------------

def test_a_kit_holds_what_the_online_test_may_ask_and_no_answer(app, people):
    ambassador, citizen = people
    catalog = app.extensions["catalog"]
    assessment = catalog.assessment_for("nguoi-dan")
    kit = _prepare(app, ambassador, citizen)
    payload = _payload(app, kit.token)
    assert set(payload) == {"a", "u", "c", "n", "d", "issued_at"}
    assert (payload["a"], payload["u"], payload["c"]) == (ambassador, citizen, assessment.key)
    assert all(set(item) == {"id", "order"} for item in payload["d"])
    codes = [catalog.questions[i["id"]].competence for i in payload["d"]]
    assert codes == [c for c in confirmation.order(assessment)
                     for _n in range(min(assessment.rule.ask_at_most, len(assessment.part(c).questions)))]
    assert len({i["id"] for i in payload["d"]}) == len(payload["d"]) == len(kit.questions)
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEvent.details).where(
            AuditEvent.action == "ambassador.kit"))["kit"] == payload["n"]


def _online_loop(assessment, kit_answers):
    """The online test asking, at each step, the next kit question of the competence it asks
    about (what next_question would ask with the same draws)."""
    queues = {}
    for q, right in kit_answers:
        queues.setdefault(q.competence, []).append((q, right))
    answered = []
    state = confirmation.progress(assessment, answered)
    while not state.over:
        answered.append(queues[state.current].pop(0))
        state = confirmation.progress(assessment, answered)
    return answered, state


@pytest.mark.parametrize("group", ["nguoi-dan", "can-bo", "hoc-sinh", "doanh-nghiep"])
def test_the_replay_decides_as_the_online_test_for_any_answers(catalog, group):
    assessment = catalog.assessment_for(group)
    rng = random.Random(group)
    for _examinee in range(500):
        ability = rng.random()
        questions = confirmation.kit(assessment, frozenset(), rng)
        masters = {c: rng.random() < ability for c in confirmation.order(assessment)}
        answers = [(q, masters[q.competence] and rng.random() >= confirmation.SLIP or rng.random() < 0.25)
                   for q in questions]
        used, state = confirmation.replay(assessment, answers)
        online, online_state = _online_loop(assessment, answers)
        assert state.over and used == online
        assert (state.passed, state.verdicts) == (online_state.passed, online_state.verdicts)
        assert len(used) <= assessment.rule.max_questions


def test_the_stored_decision_is_the_online_pages_with_the_same_questions(app, make_user, people):
    """answer_confirmation (the supervised session's path), fed the kit's questions one at a
    time as the online test asks, against decide_kit on the same answers."""
    ambassador, citizen = people
    catalog = app.extensions["catalog"]
    assessment = catalog.assessment_for("nguoi-dan")
    rng = random.Random(5)
    for trial in range(8):
        online_id = make_user(login=f"truc-tuyen-{trial}@example.vn")
        kit = _prepare(app, ambassador, citizen)
        items = _payload(app, kit.token)["d"]
        share = [0.05, 0.5, 0.8, 0.95][trial % 4]
        pattern = {i["id"]: rng.random() < share for i in items}
        right = lambda q: pattern[q.id]  # noqa: E731
        with app.test_request_context():
            offline_attempt = assessment_services.decide_kit(
                citizen, assessment, items, _form_for(app, items, right), catalog, ambassador, None)
            db.session.commit()
            queues = {}
            for item in items:
                queues.setdefault(catalog.questions[item["id"]].competence, []).append(item)
            attempt = assessment_services.open_confirmation(online_id, assessment, catalog)
            while attempt.submitted_at is None:
                asked = catalog.questions[attempt.drawn[-1]["id"]].competence
                attempt.drawn = [*attempt.drawn[:-1], queues[asked].pop(0)]  # the kit's question
                db.session.commit()
                attempt = assessment_services.answer_confirmation(
                    online_id, attempt.id, _form_for(app, attempt.drawn[-1:], right), catalog)
            db.session.commit()
            assert [d["id"] for d in offline_attempt.drawn] == [d["id"] for d in attempt.drawn]
            assert (offline_attempt.passed, offline_attempt.correct, offline_attempt.total) == \
                (attempt.passed, attempt.correct, attempt.total)
            assert sorted((s.competence, s.correct, s.total) for s in offline_attempt.scores) == \
                sorted((s.competence, s.correct, s.total) for s in attempt.scores)


# -- arrival: once, bound, refused clearly ------------------------------------------------

def test_a_session_counts_once_and_a_pass_issues_the_confirmation(app, people):
    ambassador, citizen = people
    kit = _prepare(app, ambassador, citizen)
    answers = _form_for(app, _payload(app, kit.token)["d"], lambda q: True)
    duplicate, attempt_id, passed = _upload(app, ambassador, "device-key-0001", kit.token, answers)
    assert not duplicate and passed
    assert _upload(app, ambassador, "device-key-0001", kit.token, answers) == (True, attempt_id, True)
    assert _upload(app, ambassador, "other-tab-key-02", kit.token, answers) == (True, attempt_id, True)
    assert _count(app, Attempt, Attempt.user_id == citizen) == 1
    assert _count(app, OfflineSubmission, OfflineSubmission.user_id == citizen) == 1
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.supervisor_id == ambassador and attempt.submitted_at is not None
        assert db.session.scalar(sa.select(sa.func.count(Answer.id)).where(
            Answer.attempt_id == attempt_id)) == attempt.total < len(kit.questions)
        assert db.session.scalar(sa.select(Certificate.user_id).where(
            Certificate.kind == "confirmation")) == citizen
        actions = db.session.execute(sa.select(AmbassadorAction.kind, AmbassadorAction.passed)
                                     .order_by(AmbassadorAction.id)).all()
        assert actions == [("register", None), ("submit", True)]
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "ambassador.submit"))
        assert event.actor_id == ambassador and event.subject_id == str(citizen)
        assert event.details["taken_at"] == "2026-12-01T08:20:00+00:00"  # as the device said
        arrived = event.details["arrived_at"]
        assert arrived > event.details["taken_at"] and arrived[:10] == utcnow().date().isoformat()
        # the device's start is only a record, and never before the kit was issued
        assert event.details["started_at"] >= _payload(app, kit.token)["issued_at"].isoformat()[:19]


def test_expired_tampered_foreign_or_unanswered_kits_are_refused(app, people, make_user, monkeypatch):
    ambassador, citizen = people
    with monkeypatch.context() as m:  # a kit prepared eight days ago
        m.setattr(time, "time", lambda real=time.time: real() - 8 * 86400)
        old = _prepare(app, ambassador, citizen)
    with app.test_request_context():  # read past its age, only to answer it
        items = offline._serializer(carrier._SALT).loads(old.token)["d"]
    with pytest.raises(offline.Refused, match="quá hạn"):
        _upload(app, ambassador, "device-key-expired", old.token, _form_for(app, items, lambda q: True))
    kit = _prepare(app, ambassador, citizen)
    answers = _form_for(app, _payload(app, kit.token)["d"], lambda q: True)
    body, signature = kit.token.rsplit(".", 1)
    forged = body + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    with pytest.raises(offline.Refused, match="bị thay đổi"):
        _upload(app, ambassador, "device-key-forged", forged, answers)
    other = make_user(role="ambassador", login="dai.su.2@example.vn")
    with pytest.raises(offline.Refused, match="đại sứ số khác"):
        _upload(app, other, "device-key-other", kit.token, answers)
    half = dict(list(answers.items())[: len(answers) // 2])
    with pytest.raises(offline.Refused, match="chưa trả lời"):
        _upload(app, ambassador, "device-key-half", kit.token, half)
    with pytest.raises(offline.Refused, match="không hợp lệ"):
        _upload(app, ambassador, "bad key!", kit.token, answers)
    assert _count(app, Attempt) == 0 and _count(app, OfflineSubmission) == 0
    assert not _upload(app, ambassador, "device-key-good1", kit.token, answers)[0]  # nothing lost
    # a sending of another ambassador's with the same device key is not theirs either
    with pytest.raises(offline.Refused, match="tài khoản khác"):
        _upload(app, other, "device-key-good1", kit.token, answers)


def test_a_citizen_confirmed_or_gone_meanwhile_is_refused_and_the_rest_goes_on(app, people, make_user):
    ambassador, citizen = people
    first, second = _prepare(app, ambassador, citizen), _prepare(app, ambassador, citizen)
    right = lambda q: True  # noqa: E731
    assert _upload(app, ambassador, "device-key-first", first.token,
                   _form_for(app, _payload(app, first.token)["d"], right))[2]
    with pytest.raises(offline.Refused, match="đã được xác nhận đạt"):
        _upload(app, ambassador, "device-key-second", second.token,
                _form_for(app, _payload(app, second.token)["d"], right))
    other = make_user(login="0911000222", full_name="Ông Hà Văn Tư")
    with app.app_context():
        db.session.add(AmbassadorAction(ambassador_id=ambassador, citizen_id=other, kind="register"))
        db.session.commit()
    kit = _prepare(app, ambassador, other)
    with app.app_context():
        db.session.get(User, other).deleted_at = utcnow()
        db.session.commit()
    with pytest.raises(offline.Refused, match="xoá tài khoản"):
        _upload(app, ambassador, "device-key-deleted", kit.token,
                _form_for(app, _payload(app, kit.token)["d"], right))
    assert _count(app, Attempt) == 1


# -- the pages ---------------------------------------------------------------------------

def test_prepare_online_with_the_citizens_password_then_send(app, client, make_user):
    make_user(role="ambassador", login="dai.su@example.vn")
    make_user(login="0911222333", full_name="Ông Hà Văn Tư")
    Auth(client).login("dai.su@example.vn")
    page = client.get("/ambassador/offline").get_data(as_text=True)
    assert "Làm bài khi không có mạng" in page and "Trang này cần JavaScript." in page
    assert "/assets/carrier." in page and "<script>" not in page
    token = csrf_token(client, "/ambassador/offline")
    wrong = client.post("/ambassador/kits", data={"csrf_token": token, "login": "0911222333",
                                                  "password": "doan-bua"})
    assert wrong.status_code == 403 and "Mật khẩu của người học chưa đúng" in wrong.get_data(as_text=True)
    made = client.post("/ambassador/kits", data={"csrf_token": token, "login": "0911222333",
                                                 "password": TEST_PASSWORD})
    html = made.get_data(as_text=True)
    assert made.status_code == 200 and "Bài xác nhận cho Ông Hà Văn Tư" in html
    assert "correct" not in html.lower() and "Trang này cần JavaScript." in html
    kit_token = re.search(r'data-token="([^"]+)"', html).group(1)
    item = {"key": "route-device-0001", "token": kit_token, "started_at": "2026-12-01T08:00:00Z",
            "taken_at": "2026-12-01T08:10:00Z",
            "answers": _form_for(app, _payload(app, kit_token)["d"], lambda q: False)}
    assert client.post("/ambassador/offline/sync", data={"x": "1"}).status_code == 400  # not JSON
    cross = client.post("/ambassador/offline/sync", json=item, headers={"Origin": "https://evil.example"})
    assert cross.status_code == 400
    sent = client.post("/ambassador/offline/sync", json=item)
    assert sent.status_code == 200 and sent.get_json()["status"] == "graded"
    assert "chưa đạt" in sent.get_json()["message"] and not sent.get_json()["passed"]
    assert client.get(sent.get_json()["result"]).status_code == 200
    assert client.post("/ambassador/offline/sync", json=item).get_json()["status"] == "duplicate"
    broken = client.post("/ambassador/offline/sync", json={**item, "key": "route-device-0002",
                                                            "token": kit_token[:-3] + "xyz"})
    assert broken.status_code == 400 and "bị thay đổi" in broken.get_json()["message"]
    assert _count(app, Attempt) == 1


def test_only_the_ambassador_who_prepared_it_can_send_it(app, client, make_user, people):
    ambassador, citizen = people
    kit = _prepare(app, ambassador, citizen)
    item = {"key": "foreign-device-01", "token": kit.token,
            "answers": _form_for(app, _payload(app, kit.token)["d"], lambda q: True)}
    make_user(login="hoc-vien@example.vn")
    Auth(client).login("hoc-vien@example.vn")
    assert client.post("/ambassador/offline/sync", json=item).status_code == 403  # a learner
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    make_user(role="ambassador", login="dai.su.2@example.vn")
    Auth(client).login("dai.su.2@example.vn")
    refused = client.post("/ambassador/offline/sync", json=item)
    assert refused.status_code == 400 and "đại sứ số khác" in refused.get_json()["message"]
    assert client.post(f"/ambassador/people/{citizen}/kit",
                       data={"csrf_token": csrf_token(client, "/ambassador/")}).status_code == 404
    assert _count(app, Attempt) == 0


def test_one_tap_kit_for_someone_registered_and_none_once_confirmed(app, client, people):
    ambassador, citizen = people
    Auth(client).login("dai.su@example.vn")
    token = csrf_token(client, "/ambassador/")
    assert "Chuẩn bị bài làm khi không có mạng" in client.get("/ambassador/").get_data(as_text=True)
    made = client.post(f"/ambassador/people/{citizen}/kit", data={"csrf_token": token})
    assert made.status_code == 200 and "Bài xác nhận cho Bà Lò Thị Xuân" in made.get_data(as_text=True)
    kit_token = re.search(r'data-token="([^"]+)"', made.get_data(as_text=True)).group(1)
    _upload(app, ambassador, "one-tap-device-01", kit_token,
            _form_for(app, _payload(app, kit_token)["d"], lambda q: True))
    again = client.post(f"/ambassador/people/{citizen}/kit", data={"csrf_token": token}, follow_redirects=True)
    assert "đã được xác nhận đạt phổ cập kỹ năng số" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "ambassador.kit")) == 1
