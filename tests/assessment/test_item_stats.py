"""Item statistics from stored answers equal the values worked out by hand, and the review
flags follow ../shared/ASSESSMENT.md."""

import math

import pytest

from app.assessment import item_stats
from app.assessment.models import Answer, Attempt
from app.columns import utcnow
from app.extensions import db


@pytest.fixture
def question(catalog):
    return next(q for q in catalog.questions.values()
                if q.type == "single" and len(q.choices) == 4)


def _attempt(user_id, question, right: bool, total_right: int, picked: int) -> None:
    attempt = Attempt(user_id=user_id, check_key="ky-nang-so-co-ban/x", drawn=[], answers={},
                      total=5, correct=total_right, pass_mark=80, passed=False,
                      submitted_at=utcnow())
    db.session.add(attempt)
    db.session.flush()
    db.session.add(Answer(attempt_id=attempt.id, question_id=question.id,
                          competence=question.competence, position=1, chosen_mask=1 << picked,
                          chosen=[picked], correct=right))


def test_statistics_equal_the_hand_computed_values(app, catalog, make_user, question):
    user_id = make_user(login="thong-ke@example.vn")
    right = next(iter(question.correct_indexes))
    wrong = [i for i in range(4) if i != right]
    with app.app_context():
        # (answered right?, the attempt's whole score, option ticked)
        for x, total, picked in [(True, 3, right), (False, 1, wrong[0]), (True, 2, right),
                                 (False, 0, wrong[1])]:
            _attempt(user_id, question, x, total, picked)
        db.session.commit()
        found = {s.question.id: s for s in item_stats.statistics(catalog)}[question.id]
    # x = 1,0,1,0; rest score y = total − x = 2,1,1,0
    # r = (nΣxy − ΣxΣy) / √((nΣx² − (Σx)²)(nΣy² − (Σy)²)) = (12 − 8) / √(4 · 8)
    assert found.exposure == 4
    assert found.facility == 0.5
    assert math.isclose(found.discrimination, 4 / math.sqrt(32))
    expected = [0.0] * 4
    expected[right], expected[wrong[0]], expected[wrong[1]] = 0.5, 0.25, 0.25
    assert list(found.option_rates) == expected
    assert found.flags == ()  # fewer than 30 answers: nothing judged yet


def test_flags_once_a_question_has_been_seen_enough(app, catalog, make_user, question):
    user_id = make_user(login="co@example.vn")
    right = next(iter(question.correct_indexes))
    with app.app_context():
        for i in range(120):  # everyone right, whatever their score: too easy, no discrimination
            _attempt(user_id, question, True, 1 + i % 5, right)
        db.session.commit()
        stats = item_stats.statistics(catalog)
    found = next(s for s in stats if s.question.id == question.id)
    assert "easy" in found.flags and "distractor" in found.flags
    assert found.discrimination is None or found.discrimination < 0.10
    assert stats[0].flags  # flagged questions come first


def test_the_admin_page_lists_questions_with_their_statistics(app, client, make_user, auth,
                                                              question):
    make_user(role="admin", login="qt-thong-ke@example.vn")
    auth.login("qt-thong-ke@example.vn")
    page = client.get("/admin/questions?sort=id")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Thống kê câu hỏi" in html
    assert "Trang 1/" in html and "đáp án đúng" in html
    assert client.get("/admin/questions?page=" + "9" * 50).status_code == 200


def test_the_command_prints_flagged_questions_with_file_and_line(app, catalog, make_user,
                                                                 question):
    user_id = make_user(login="lenh@example.vn")
    right = next(iter(question.correct_indexes))
    with app.app_context():
        for i in range(40):
            _attempt(user_id, question, True, 1 + i % 5, right)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["assessment", "item-stats"])
    assert result.exit_code == 0, result.output
    assert f"{question.source} {question.id} [easy" in result.output
    assert "gần như ai cũng đúng (trên 95%)" in result.output  # the reason, as a person reads it
    assert "câu cần xem lại; tính trong" in result.output
