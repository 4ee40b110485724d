"""Knowledge checks: draw, present, grade on the server, score per competence."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.catalog import Catalog, Check, Question
from app.catalog.types import Assessment
from app.catalog.question_types import QUESTION_TYPES, TRUE_FALSE_LABELS
from app.catalog.types import Framework
from app.extensions import db
from app.models import utcnow

from .models import Attempt, CompetenceScore

_rng = random.SystemRandom()  # learners must not be able to predict a draw


class AssessmentError(Exception):
    status = 400

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class AttemptNotFound(AssessmentError):
    status = 404


class AlreadySubmitted(AssessmentError):
    status = 409


class Unanswered(AssessmentError):
    """Some questions have no answer; `numbers` are their 1-based positions on the page."""

    def __init__(self, numbers: list[int]):
        super().__init__(_l("Bạn chưa trả lời câu: %(n)s.", n=", ".join(map(str, numbers))))
        self.numbers = numbers


def draw(check: Check | Assessment) -> list[dict]:
    """Pick the questions for one attempt and fix each one's choice order."""
    drawn = []
    for q in check.pick(_rng):
        order = list(range(len(q.choices)))
        if QUESTION_TYPES[q.type].shuffle:
            _rng.shuffle(order)
        drawn.append({"id": q.id, "order": order})
    return drawn


def open_attempt(user_id: int, check: Check | Assessment) -> Attempt:
    """The learner's unfinished attempt at the check, or a fresh draw.

    Reloading the page keeps the same questions, so nobody can fish for an easier draw.
    """
    attempt = db.session.scalar(sa.select(Attempt).where(
        Attempt.user_id == user_id, Attempt.check_key == check.key,
        Attempt.submitted_at.is_(None)).order_by(Attempt.id.desc()).limit(1))
    if attempt is not None and {d["id"] for d in attempt.drawn} <= check.pool:
        return attempt
    attempt = Attempt(user_id=user_id, check_key=check.key, drawn=draw(check),
                      total=check.draw, pass_mark=check.pass_mark)
    db.session.add(attempt)
    db.session.commit()
    return attempt


def get_attempt(user_id: int, attempt_id: int) -> Attempt:
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user_id:
        raise AttemptNotFound(_l("Không tìm thấy bài làm này."))
    return attempt


@dataclass(frozen=True)
class ShownChoice:
    position: int  # what the form posts back: the place on the page, never the content index
    text: str
    index: int  # content index, used only after submission
    correct: bool


@dataclass(frozen=True)
class ShownQuestion:
    number: int
    question: Question
    input_kind: str
    choices: tuple[ShownChoice, ...]

    @property
    def field(self) -> str:
        return f"q-{self.question.id}"


def shown_questions(attempt: Attempt, catalog: Catalog) -> list[ShownQuestion]:
    shown = []
    for number, item in enumerate(attempt.drawn, start=1):
        q = catalog.questions.get(item["id"])
        if q is None or sorted(item["order"]) != list(range(len(q.choices))):
            continue  # edited out of the content since the draw: it no longer counts
        def label(text: str) -> str:
            return str(TRUE_FALSE_LABELS[text]) if q.type == "true_false" else text

        shown.append(ShownQuestion(number, q, QUESTION_TYPES[q.type].input_kind, tuple(
            ShownChoice(pos, label(q.choices[i].text), i, q.choices[i].correct)
            for pos, i in enumerate(item["order"])
        )))
    return shown


def submit(user_id: int, attempt_id: int, form: dict[str, list[str]], catalog: Catalog) -> Attempt:
    """Grade an attempt once. `form` maps field names (q-<id>) to the posted positions."""
    attempt = get_attempt(user_id, attempt_id)
    if attempt.submitted_at is not None:
        raise AlreadySubmitted(_l("Bài này đã được nộp rồi."))
    shown = shown_questions(attempt, catalog)
    answers: dict[str, list[int]] = {}
    missing = []
    for sq in shown:
        positions = {int(p) for p in form.get(sq.field, []) if p.isdigit()}
        picked = sorted(sq.choices[p].index for p in positions if p < len(sq.choices))
        if not picked:
            missing.append(sq.number)
        answers[sq.question.id] = picked
    if missing:
        raise Unanswered(missing)

    per_competence: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # correct, total, rank
    correct = 0
    levels = catalog.framework.levels_by_code
    for sq in shown:
        q = sq.question
        right = QUESTION_TYPES[q.type].grade(q.correct_indexes, frozenset(answers[q.id]))
        score = per_competence[q.competence]
        score[1] += 1
        if right:
            correct += 1
            score[0] += 1
            score[2] = max(score[2], levels[q.level].rank)
    total = len(shown)
    check = catalog.check(attempt.check_key)
    if check is not None:
        by_competence = {code: (c, t) for code, (c, t, _rank) in per_competence.items()}
        passed = check.passes(correct, total, by_competence)
    else:  # the check left the content since the draw: judge by the mark it had then
        passed = total > 0 and 100 * correct >= attempt.pass_mark * total

    # Only the first submission counts, even if the learner double-clicks or two tabs post.
    result = db.session.execute(
        sa.update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None))
        .values(submitted_at=utcnow(), answers=answers, correct=correct, total=total,
                passed=passed)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise AlreadySubmitted(_l("Bài này đã được nộp rồi."))
    for code, (c, t, rank) in per_competence.items():
        db.session.add(CompetenceScore(attempt_id=attempt.id, user_id=user_id, competence=code,
                                       correct=c, total=t, level_rank=rank or None))
    db.session.commit()
    db.session.refresh(attempt)
    return attempt


def percent_of(correct, total):
    """SQL for a whole percentage, halves rounded up, the same as Attempt.percent on every
    database. In integers: SQLAlchemy 2's `/` is true division, and PostgreSQL's ROUND of a
    float rounds halves to even where SQLite's rounds them up."""
    return (correct * 200 + total) // (total * 2)


def best_results(user_id: int, check_keys: list[str]) -> dict[str, tuple[int | None, bool]]:
    """For each check: (best percent, passed at least once)."""
    if not check_keys:
        return {}
    rows = db.session.execute(
        sa.select(Attempt.check_key, sa.func.max(percent_of(Attempt.correct, Attempt.total)),
                  sa.func.max(sa.case((Attempt.passed.is_(True), 1), else_=0)))
        .where(Attempt.user_id == user_id, Attempt.check_key.in_(check_keys),
               Attempt.submitted_at.is_not(None), Attempt.total > 0)
        .group_by(Attempt.check_key)
    )
    return {key: (best, bool(passed)) for key, best, passed in rows}


def attempts_for(user_id: int, check_key: str) -> list[Attempt]:
    return list(db.session.scalars(sa.select(Attempt).where(
        Attempt.user_id == user_id, Attempt.check_key == check_key,
        Attempt.submitted_at.is_not(None)).order_by(Attempt.submitted_at.desc())))


@dataclass(frozen=True)
class CompetenceResult:
    code: str
    name: str
    best_percent: int | None
    level: str | None  # level code reached, e.g. "CB2"
    attempts: int


def competence_profile(user_id: int, framework: Framework) -> list[tuple[object, list[CompetenceResult]]]:
    """Every domain with each competence's best result and the highest level shown."""
    rows = db.session.execute(
        sa.select(CompetenceScore.competence,
                  sa.func.max(percent_of(CompetenceScore.correct, CompetenceScore.total)),
                  sa.func.max(CompetenceScore.level_rank),
                  sa.func.count(CompetenceScore.id))
        .where(CompetenceScore.user_id == user_id, CompetenceScore.total > 0)
        .group_by(CompetenceScore.competence)
    )
    found = {code: (best, rank, n) for code, best, rank, n in rows}
    by_rank = {lv.rank: lv.code for lv in framework.levels}
    profile = []
    for domain in framework.domains:
        results = []
        for c in domain.competences:
            best, rank, n = found.get(c.code, (None, None, 0))
            results.append(CompetenceResult(c.code, c.name, best, by_rank.get(rank), n))
        profile.append((domain, results))
    return profile


def missing_requirements(user_id: int, assessment: Assessment, catalog: Catalog) -> list:
    """The courses the assessment requires that the learner has not completed yet."""
    from app.certificates.models import Certificate

    done = set(db.session.scalars(sa.select(Certificate.course_slug).where(
        Certificate.user_id == user_id, Certificate.kind == "course",
        Certificate.course_slug.in_(assessment.requires))))
    return [catalog.courses[slug] for slug in assessment.requires if slug not in done]
