"""Grading on the server: each question type, and the score per competence."""

import pytest

from app.assessment import services
from app.assessment.models import Attempt
from app.catalog.question_types import QUESTION_TYPES
from app.extensions import db
from app.models import utcnow


@pytest.mark.parametrize("qtype, correct, picked, expected", [
    ("single", {1}, {1}, True),
    ("single", {1}, {0}, False),
    ("single", {1}, set(), False),
    ("multiple", {0, 2}, {0, 2}, True),
    ("multiple", {0, 2}, {0}, False),  # not all the right ones: no partial credit
    ("multiple", {0, 2}, {0, 1, 2}, False),  # a wrong one ticked too
    ("true_false", {1}, {1}, True),
    ("true_false", {1}, {0}, False),
])
def test_each_question_type_grades(qtype, correct, picked, expected):
    assert QUESTION_TYPES[qtype].grade(frozenset(correct), frozenset(picked)) is expected


def _attempt_on(user_id, check, question_ids):
    """An attempt with chosen questions in content order, so the test knows every position."""
    drawn = [{"id": qid, "order": list(range(len(next(q for q in check.questions if q.id == qid).choices)))}
             for qid in question_ids]
    attempt = Attempt(user_id=user_id, check_key=check.key, drawn=drawn, total=len(drawn),
                      pass_mark=check.pass_mark)
    db.session.add(attempt)
    db.session.commit()
    return attempt


def _positions(question, right: bool) -> list[str]:
    correct = [i for i, c in enumerate(question.choices) if c.correct]
    wrong = [i for i, c in enumerate(question.choices) if not c.correct]
    return [str(i) for i in (correct if right else wrong[:1])]


def test_score_per_competence_and_level(app_ctx, make_user, catalog):
    user_id = make_user()
    check = catalog.course("ky-nang-so-co-ban").module("05-an-toan-tren-mang").check
    by_comp: dict[str, list] = {}
    for q in check.questions:
        by_comp.setdefault(q.competence, []).append(q)
    comp_a, comp_b = sorted(by_comp)[:2]
    qa1, qa2 = by_comp[comp_a][:2]
    qb = by_comp[comp_b][0]
    attempt = _attempt_on(user_id, check, [qa1.id, qa2.id, qb.id])
    form = {f"q-{qa1.id}": _positions(qa1, True), f"q-{qa2.id}": _positions(qa2, False),
            f"q-{qb.id}": _positions(qb, True)}
    attempt = services.submit(user_id, attempt.id, form, catalog)

    assert (attempt.correct, attempt.total, attempt.percent) == (2, 3, 67)
    assert attempt.passed is False  # 67% < 80%
    scores = {s.competence: (s.correct, s.total, s.level_rank) for s in attempt.scores}
    levels = catalog.framework.levels_by_code
    assert scores == {comp_a: (1, 2, levels[qa1.level].rank), comp_b: (1, 1, levels[qb.level].rank)}

    profile = dict((d.code, {r.code: r for r in results})
                   for d, results in services.competence_profile(user_id, catalog.framework))
    assert profile[comp_a[0]][comp_a].best_percent == 50
    assert isinstance(profile[comp_a[0]][comp_a].best_percent, int)  # shown as "50%", not "50.000%"
    assert profile[comp_a[0]][comp_a].level == qa1.level
    assert profile[comp_b[0]][comp_b].best_percent == 100
    assert profile["6"]["6.1"].best_percent is None


def test_an_attempt_is_graded_only_once(app_ctx, make_user, catalog):
    user_id = make_user()
    check = catalog.course("ky-nang-so-co-ban").module("01-dien-thoai-thong-minh").check
    attempt = services.open_attempt(user_id, check)
    form = {}
    for sq in services.shown_questions(attempt, catalog):
        form[sq.field] = [str(c.position) for c in sq.choices if c.correct]
    graded = services.submit(user_id, attempt.id, form, catalog)
    assert graded.passed is True and graded.correct == check.draw
    with pytest.raises(services.AlreadySubmitted):
        services.submit(user_id, attempt.id, form, catalog)


def test_unanswered_questions_are_named_and_nothing_is_saved(app_ctx, make_user, catalog):
    user_id = make_user()
    check = catalog.course("ky-nang-so-co-ban").module("01-dien-thoai-thong-minh").check
    attempt = services.open_attempt(user_id, check)
    shown = services.shown_questions(attempt, catalog)
    form = {shown[0].field: ["0"]}
    with pytest.raises(services.Unanswered) as info:
        services.submit(user_id, attempt.id, form, catalog)
    assert info.value.numbers == list(range(2, check.draw + 1))
    db.session.refresh(attempt)
    assert attempt.submitted_at is None and attempt.scores == []


def test_draw_takes_distinct_questions_from_the_pool_and_shuffles_choices(app_ctx, catalog):
    check = catalog.course("ky-nang-so-co-ban").module("01-dien-thoai-thong-minh").check
    draws = [services.draw(check) for _ in range(30)]
    for d in draws:
        ids = [item["id"] for item in d]
        assert len(ids) == check.draw == len(set(ids))
    assert len({tuple(item["id"] for item in d) for d in draws}) > 1
    orders = {tuple(item["order"]) for d in draws for item in d if len(item["order"]) == 4}
    assert len(orders) > 1


def test_reloading_the_check_keeps_the_same_draw(app_ctx, make_user, catalog):
    user_id = make_user()
    check = catalog.course("ky-nang-so-co-ban").module("02-tim-kiem-thong-tin").check
    first = services.open_attempt(user_id, check)
    again = services.open_attempt(user_id, check)
    assert again.id == first.id and again.drawn == first.drawn


def test_another_learners_attempt_is_not_found(app_ctx, make_user, catalog):
    owner, other = make_user(), make_user()
    check = catalog.course("ky-nang-so-co-ban").module("02-tim-kiem-thong-tin").check
    attempt = services.open_attempt(owner, check)
    with pytest.raises(services.AttemptNotFound):
        services.submit(other, attempt.id, {}, catalog)


def test_a_percentage_is_the_same_on_the_result_page_and_in_sql(app_ctx, make_user):
    user_id = make_user()
    attempt = Attempt(user_id=user_id, check_key="assessment:nguoi-dan", drawn=[], total=24,
                      pass_mark=70, correct=3, submitted_at=utcnow())
    db.session.add(attempt)
    db.session.commit()
    assert attempt.percent == 13  # 12.5 rounds up
    assert services.best_results(user_id, ["assessment:nguoi-dan"]) == {"assessment:nguoi-dan": (13, False)}
