"""Knowledge checks: draw, present, grade on the server, score per competence."""

from __future__ import annotations

import functools
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from app.catalog import Catalog, Check, Question
from app.catalog.types import Assessment
from app.catalog.question_types import QUESTION_TYPES, QuestionType, RefusedAnswer
from app.catalog.types import Framework
from app.columns import utcnow
from app.courses import services as course_services
from app.courses.completion import commit_step
from app.extensions import db
from app.percentages import percent_sql

from . import confirmation
from .models import Answer, Attempt, CompetenceScore

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
    """Questions that cannot be graded as posted; `numbers` are their 1-based positions on the
    page. `refused` maps some of them to why their answer was refused (an order that gives
    two steps the same number); the others have no answer at all."""

    def __init__(self, numbers: list[int], refused: dict[int, object] | None = None):
        refused = refused or {}
        blank = [n for n in numbers if n not in refused]
        parts = [_l("Bạn chưa trả lời câu: %(n)s.", n=", ".join(map(str, blank)))] if blank else []
        parts += [_l("Câu %(n)s: %(problem)s", n=n, problem=why)
                  for n, why in sorted(refused.items())]
        super().__init__(LazyString(lambda: " ".join(map(str, parts))))
        self.numbers = numbers
        self.refused = refused


def draw(check: Check, avoid: frozenset[str] = frozenset()) -> list[dict]:
    """Pick the questions for one attempt (none of `avoid` while the pool allows) and fix
    each one's choice order, shuffled anew for every attempt."""
    return [_drawn_item(q) for q in check.pick(_rng, avoid)]


def _previous_questions(user_id: int, check_key: str) -> frozenset[str]:
    """The questions of the learner's last submitted attempt: a retake must be new."""
    drawn = db.session.scalar(sa.select(Attempt.drawn).where(
        Attempt.user_id == user_id, Attempt.check_key == check_key,
        Attempt.submitted_at.is_not(None)).order_by(Attempt.id.desc()).limit(1))
    return frozenset(item["id"] for item in drawn or ())


def open_attempt(user_id: int, check: Check | Assessment) -> Attempt:
    """The learner's unfinished attempt at the check, or a fresh draw.

    Reloading the page keeps the same questions, so nobody can fish for an easier draw.
    """
    attempt = db.session.scalar(sa.select(Attempt).where(
        Attempt.user_id == user_id, Attempt.check_key == check.key,
        Attempt.submitted_at.is_(None)).order_by(Attempt.id.desc()).limit(1))
    if attempt is not None and {d["id"] for d in attempt.drawn} <= check.pool:
        return attempt
    attempt = Attempt(user_id=user_id, check_key=check.key,
                      drawn=draw(check, _previous_questions(user_id, check.key)),
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
    text: str  # as the type labels it
    index: int  # content index, used only after submission
    correct: bool
    picked: int | None = None  # once answered: 1-based place in the answer (ordering: its number)


@dataclass(frozen=True)
class Verdict:
    """One question as answered: the content indexes chosen, in the order given, and whether
    the answer was right."""

    chosen: tuple[int, ...]
    correct: bool

    @property
    def mask(self) -> int:
        return sum(1 << i for i in self.chosen)


@dataclass(frozen=True)
class ShownQuestion:
    number: int
    question: Question
    choices: tuple[ShownChoice, ...]  # in the order shown
    verdict: Verdict | None = None  # once answered, as stored

    @property
    def kind(self) -> QuestionType:
        return QUESTION_TYPES[self.question.type]

    @property
    def template(self) -> str:
        """The question type's macros (`input`, `review`), chosen by its name."""
        return self.kind.template

    @property
    def field(self) -> str:
        return f"q-{self.question.id}"

    @property
    def order(self) -> list[int]:
        return [c.index for c in self.choices]


def show_question(number: int, question: Question, order: list[int],
                  verdict: Verdict | None = None) -> ShownQuestion | None:
    """One drawn question as the page shows it (`order`: content indexes in the order shown);
    None when the content changed its options since the draw, so it no longer counts."""
    if sorted(order) != list(range(len(question.choices))):
        return None
    kind = QUESTION_TYPES[question.type]
    places = {i: n for n, i in enumerate(verdict.chosen, start=1)} if verdict else {}
    return ShownQuestion(number, question, tuple(
        ShownChoice(pos, kind.label(question.choices[i]), i, question.choices[i].correct,
                    places.get(i))
        for pos, i in enumerate(order)), verdict)


def judge_answer(sq: ShownQuestion, form: dict[str, list[str]]) -> Verdict:
    """Read one question's answer from the posted form and judge it; Unanswered (naming the
    question's number) when there is none or the type refuses it."""
    try:
        chosen = sq.kind.read(sq.field, sq.order, form)
    except RefusedAnswer as exc:
        raise Unanswered([sq.number], {sq.number: exc.message}) from None
    if not chosen:
        raise Unanswered([sq.number])
    return Verdict(tuple(chosen), sq.kind.judge(sq.question, chosen))


def answer_values(attempt_id: int, sq: ShownQuestion, verdict: Verdict, at) -> dict:
    """The attempt_answers row that stores one verdict, as column values."""
    q = sq.question
    return {"attempt_id": attempt_id, "question_id": q.id, "competence": q.competence,
            "position": sq.number, "chosen_mask": verdict.mask, "chosen": list(verdict.chosen),
            "correct": verdict.correct, "answered_at": at}


def answer_row(attempt_id: int, sq: ShownQuestion, verdict: Verdict, at) -> Answer:
    return Answer(**answer_values(attempt_id, sq, verdict, at))


def _stored_verdicts(attempt: Attempt, catalog: Catalog) -> dict[str, Verdict]:
    if attempt.submitted_at is None and not attempt.answers:
        return {}
    rows = db.session.execute(sa.select(Answer.question_id, Answer.chosen, Answer.correct)
                              .where(Answer.attempt_id == attempt.id)).all()
    if rows or attempt.submitted_at is None:
        return {qid: Verdict(tuple(chosen), correct) for qid, chosen, correct in rows}
    # Submitted before answers had rows of their own: judged again from the stored choices.
    verdicts = {}
    for item in attempt.drawn:
        q = catalog.questions.get(item["id"])
        if q is not None:
            chosen = tuple((attempt.answers or {}).get(q.id, ()))
            verdicts[q.id] = Verdict(chosen, QUESTION_TYPES[q.type].judge(q, chosen))
    return verdicts


def shown_questions(attempt: Attempt, catalog: Catalog) -> list[ShownQuestion]:
    """The attempt's questions as drawn, with their stored verdicts once answered."""
    verdicts = _stored_verdicts(attempt, catalog)
    shown = []
    for number, item in enumerate(attempt.drawn, start=1):
        q = catalog.questions.get(item["id"])
        sq = show_question(number, q, item["order"], verdicts.get(q.id)) if q else None
        if sq is not None:  # else edited out of the content since the draw: it no longer counts
            shown.append(sq)
    return shown


def _judge_all(shown: list[ShownQuestion], form: dict[str, list[str]]) -> dict[str, Verdict]:
    """Every question's verdict, or one Unanswered naming all those that cannot be graded."""
    verdicts: dict[str, Verdict] = {}
    missing, refused = [], {}
    for sq in shown:
        try:
            verdicts[sq.question.id] = judge_answer(sq, form)
        except Unanswered as exc:
            missing += exc.numbers
            refused.update(exc.refused)
    if missing:
        raise Unanswered(missing, refused)
    return verdicts


def _scores(shown: list[ShownQuestion], verdicts: dict[str, Verdict],
            catalog: Catalog) -> dict[str, list[int]]:
    """Per competence: [right, asked, highest level rank answered right]."""
    per_competence: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    levels = catalog.framework.levels_by_code
    for sq in shown:
        q = sq.question
        score = per_competence[q.competence]
        score[1] += 1
        if verdicts[q.id].correct:
            score[0] += 1
            score[2] = max(score[2], levels[q.level].rank)
    return per_competence


def grade(user_id: int, attempt_id: int, form: dict[str, list[str]], catalog: Catalog) -> Attempt:
    """Grade an attempt once and store each answer's verdict with it, in the session only:
    commit_step() commits it with what it completes. `form` maps field names (q-<id>, or
    q-<id>.<place> for an ordering's steps) to the posted values."""
    attempt = get_attempt(user_id, attempt_id)
    if attempt.submitted_at is not None:
        raise AlreadySubmitted(_l("Bài này đã được nộp rồi."))
    shown = shown_questions(attempt, catalog)
    verdicts = _judge_all(shown, form)
    per_competence = _scores(shown, verdicts, catalog)
    correct = sum(v.correct for v in verdicts.values())
    total = len(shown)
    check = catalog.check(attempt.check_key)
    if check is not None:
        by_competence = {code: (c, t) for code, (c, t, _rank) in per_competence.items()}
        passed = check.passes(correct, total, by_competence)
    else:  # the check left the content since the draw: judge by the mark it had then
        passed = total > 0 and 100 * correct >= attempt.pass_mark * total

    # Only the first submission counts, even if the learner double-clicks or two tabs post.
    now = utcnow()
    values = {"submitted_at": now, "correct": correct, "total": total, "passed": passed,
              "answers": {qid: list(v.chosen) for qid, v in verdicts.items()}}
    rows = {CompetenceScore.__table__: [
                {"attempt_id": attempt.id, "user_id": user_id, "competence": code, "correct": c,
                 "total": t, "level_rank": rank or None, "created_at": now}
                for code, (c, t, rank) in per_competence.items()],
            Answer.__table__: [answer_values(attempt.id, sq, verdicts[sq.question.id], now)
                               for sq in shown]}
    if not _store_grade(attempt.id, values, rows):
        db.session.rollback()
        raise AlreadySubmitted(_l("Bài này đã được nộp rồi."))
    for key, value in values.items():  # what the UPDATE wrote, without reading it back
        set_committed_value(attempt, key, value)
    return attempt


# What grading writes on the attempt, and the rows it adds with it (inserted in this order).
_GRADED = ("submitted_at", "correct", "total", "passed", "answers")
_STORED = (CompetenceScore.__table__, Answer.__table__)


def _row_columns(table: sa.Table) -> list[str]:
    return [c.name for c in table.c if c.name not in ("id", "attempt_id")]


@functools.cache
def _grade_once() -> sa.Update:
    """Mark the attempt graded unless it already is (bound: attempt_id, graded_<column>)."""
    attempts = Attempt.__table__
    return (sa.update(attempts)
            .where(attempts.c.id == sa.bindparam("attempt_id"), attempts.c.submitted_at.is_(None))
            .values({n: sa.bindparam(f"graded_{n}", type_=attempts.c[n].type) for n in _GRADED}))


@functools.cache
def _grade_and_store() -> sa.Select:
    """PostgreSQL: _grade_once() and the inserts of the attempt's rows as one statement (CTEs
    that insert from the UPDATE's RETURNING, so nothing is added when it updates nothing), each
    table's rows one JSON parameter (bound: <table>_rows): one round trip, compiled once."""
    graded = _grade_once().returning(Attempt.__table__.c.id).cte("graded")
    inserts = []
    for table in _STORED:
        names = _row_columns(table)
        given = sa.func.json_to_recordset(sa.bindparam(f"{table.name}_rows", type_=sa.JSON)) \
            .table_valued(*(sa.column(n, table.c[n].type) for n in names)) \
            .render_derived(with_types=True)
        inserts.append(sa.insert(table).from_select(
            ["attempt_id", *names], sa.select(graded.c.id, *(given.c[n] for n in names))
            .select_from(graded.join(given, sa.true()))).cte(f"{table.name}_inserted"))
    return sa.select(sa.func.count()).select_from(graded).add_cte(*inserts)


def _store_grade(attempt_id: int, values: dict, rows: dict[sa.Table, list[dict]]) -> bool:
    """Write the grade (values) and the rows of each of _STORED, unless another request has
    graded the attempt first (then False, and nothing written)."""
    params = {"attempt_id": attempt_id, **{f"graded_{n}": values[n] for n in _GRADED}}
    if db.session.get_bind().dialect.name == "postgresql":
        params.update({f"{table.name}_rows": [{n: _json_value(row[n]) for n in _row_columns(table)}
                                              for row in rows[table]] for table in _STORED})
        return db.session.scalar(_grade_and_store(), params) == 1
    if db.session.execute(_grade_once(), params).rowcount != 1:  # SQLite: no DML in a WITH
        return False
    for table in _STORED:
        if rows[table]:
            db.session.execute(sa.insert(table), rows[table])
    return True


def _json_value(value):
    return value.isoformat() if isinstance(value, datetime) else value


def submit(user_id: int, attempt_id: int, form: dict[str, list[str]], catalog: Catalog) -> Attempt:
    """grade(), committed with the course certificate it may complete."""
    attempt = grade(user_id, attempt_id, form, catalog)
    commit_step(user_id, catalog, attempt=attempt)
    return attempt


def best_results(user_id: int, check_keys: list[str]) -> dict[str, tuple[int | None, bool]]:
    """For each check: (best percent, passed at least once)."""
    if not check_keys:
        return {}
    rows = db.session.execute(
        sa.select(Attempt.check_key, sa.func.max(percent_sql(Attempt.correct, Attempt.total)),
                  sa.func.max(sa.case((Attempt.passed.is_(True), 1), else_=0)))
        .where(Attempt.user_id == user_id, Attempt.check_key.in_(check_keys),
               Attempt.submitted_at.is_not(None), Attempt.total > 0)
        .group_by(Attempt.check_key)
    )
    return {key: (best, bool(passed)) for key, best, passed in rows}


course_services.set_check_results(best_results)  # courses' pages show check results


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
                  sa.func.max(percent_sql(CompetenceScore.correct, CompetenceScore.total)),
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
    """The courses the assessment requires that the learner has not completed yet (every
    module read and every check passed: what earns the course certificate)."""
    required = [catalog.courses[slug] for slug in assessment.requires if slug in catalog.courses]
    return [course for course in required
            if not course_services.course_status(user_id, course).complete]


# -- the confirmation assessment, one question at a time (see confirmation.py) -------------

def _answered(attempt: Attempt, catalog: Catalog) -> list[tuple[Question, bool]]:
    rows = db.session.execute(sa.select(Answer.question_id, Answer.correct)
                              .where(Answer.attempt_id == attempt.id).order_by(Answer.position))
    return [(catalog.questions[qid], right) for qid, right in rows if qid in catalog.questions]


def _seen_in_earlier_attempts(user_id: int, check_key: str) -> frozenset[str]:
    return frozenset(db.session.scalars(
        sa.select(Answer.question_id).join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Attempt.user_id == user_id, Attempt.check_key == check_key)))


def _drawn_item(question: Question) -> dict:
    # The type fixes the order shown: an ordering is never shown already in its right order.
    return {"id": question.id, "order": QUESTION_TYPES[question.type].arrange(question, _rng)}


def open_confirmation(user_id: int, assessment: Assessment, catalog: Catalog,
                      supervisor_id: int | None = None) -> Attempt:
    """The person's unfinished confirmation, or a new one with its first question drawn.
    Reloading shows the same question: nobody can fish for an easier one."""
    attempt = db.session.scalar(sa.select(Attempt).where(
        Attempt.user_id == user_id, Attempt.check_key == assessment.key,
        Attempt.submitted_at.is_(None)).order_by(Attempt.id.desc()).limit(1))
    if attempt is not None and attempt.drawn and {d["id"] for d in attempt.drawn} <= assessment.pool:
        if supervisor_id is not None and attempt.supervisor_id != supervisor_id:
            attempt.supervisor_id = supervisor_id  # carried on under the ambassador's eyes
            db.session.commit()
        return attempt
    state = confirmation.progress(assessment, [])
    first = confirmation.next_question(assessment, state, set(),
                                       _seen_in_earlier_attempts(user_id, assessment.key), _rng)
    attempt = Attempt(user_id=user_id, check_key=assessment.key, drawn=[_drawn_item(first)],
                      answers={}, total=0, pass_mark=assessment.pass_mark,
                      supervisor_id=supervisor_id)
    db.session.add(attempt)
    db.session.commit()
    return attempt


def current_question(attempt: Attempt, catalog: Catalog) -> ShownQuestion | None:
    """The one question the confirmation asks now (None once it is decided)."""
    if attempt.submitted_at is not None:
        return None
    shown = shown_questions(attempt, catalog)
    return shown[-1] if shown and shown[-1].question.id not in (attempt.answers or {}) else None


def answer_confirmation(user_id: int, attempt_id: int, form: dict[str, list[str]],
                        catalog: Catalog) -> Attempt:
    """Judge the current question, then ask the next one (committed) or decide (not yet
    committed: the caller passes it to commit_step). A repeated post of the same answer (a
    double tap, a resent form on a bad link) changes nothing."""
    attempt = get_attempt(user_id, attempt_id)
    if attempt.submitted_at is not None:
        raise AlreadySubmitted(_l("Bài này đã được nộp rồi."))
    assessment = catalog.check(attempt.check_key)
    shown = current_question(attempt, catalog)
    if not isinstance(assessment, Assessment) or shown is None:
        raise AttemptNotFound(_l("Không tìm thấy bài làm này."))
    if form and not any(key.split(".")[0] == shown.field for key in form):
        return attempt  # an answer to a question already judged: the page was resent
    verdict = judge_answer(shown, form)
    question = shown.question
    try:
        with db.session.begin_nested():
            db.session.add(answer_row(attempt.id, shown, verdict, utcnow()))
    except IntegrityError:
        db.session.rollback()
        return get_attempt(user_id, attempt_id)  # the same answer posted twice
    picked = list(verdict.chosen)
    attempt.answers = {**(attempt.answers or {}), question.id: picked}
    answered = _answered(attempt, catalog)
    state = confirmation.progress(assessment, answered)
    if not state.over:
        asked = {d["id"] for d in attempt.drawn}
        following = confirmation.next_question(
            assessment, state, asked, _seen_in_earlier_attempts(user_id, assessment.key), _rng)
        attempt.drawn = [*attempt.drawn, _drawn_item(following)]
        db.session.commit()
        return attempt
    # Decided: left in the session for commit_step(), which commits it together with the
    # confirmation it may earn (and the ambassador's record of the session).
    _decide(attempt, answered, state, catalog)
    return attempt


def _decide(attempt: Attempt, answered, state, catalog: Catalog) -> None:
    levels = catalog.framework.levels_by_code
    per_competence: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for question, right in answered:
        score = per_competence[question.competence]
        score[1] += 1
        if right:
            score[0] += 1
            score[2] = max(score[2], levels[question.level].rank)
    attempt.submitted_at = utcnow()
    attempt.correct = sum(right for _q, right in answered)
    attempt.total = len(answered)
    attempt.passed = bool(state.passed)
    for code, (c, t, rank) in per_competence.items():
        db.session.add(CompetenceScore(attempt_id=attempt.id, user_id=attempt.user_id,
                                       competence=code, correct=c, total=t,
                                       level_rank=rank or None))


def confirmation_kit(user_id: int, assessment: Assessment) -> list[dict]:
    """The questions of a confirmation to take without a signal (confirmation.kit), each with
    the order its options are shown in: ids and orders, never which option is right."""
    seen = _seen_in_earlier_attempts(user_id, assessment.key)
    return [_drawn_item(q) for q in confirmation.kit(assessment, seen, _rng)]


def decide_kit(user_id: int, assessment: Assessment, kit: list[dict], form: dict[str, list[str]],
               catalog: Catalog, supervisor_id: int | None, started_at) -> Attempt:
    """A kit answered in full: judged, replayed as the online test asks (confirmation.replay)
    and decided where it decides, stored as that attempt (only the answers it used). Left in
    the session for commit_step(), like answer_confirmation's decision."""
    shown = [show_question(n, catalog.questions[item["id"]], item["order"])
             if item.get("id") in assessment.pool and item["id"] in catalog.questions else None
             for n, item in enumerate(kit, start=1)]
    if not shown or None in shown:
        raise AssessmentError(_l("Câu hỏi của bài này đã thay đổi từ khi chuẩn bị. Hãy làm lại "
                                 "bài khi có mạng."))
    verdicts = _judge_all(shown, form)
    used, state = confirmation.replay(
        assessment, [(sq.question, verdicts[sq.question.id].correct) for sq in shown])
    if not state.over:
        raise AssessmentError(_l("Bài này thiếu câu hỏi nên không chấm được."))
    orders = {sq.question.id: sq.order for sq in shown}
    attempt = Attempt(user_id=user_id, check_key=assessment.key,
                      drawn=[{"id": q.id, "order": orders[q.id]} for q, _right in used],
                      answers={q.id: list(verdicts[q.id].chosen) for q, _right in used},
                      total=0, pass_mark=assessment.pass_mark, supervisor_id=supervisor_id,
                      started_at=started_at or utcnow())
    db.session.add(attempt)
    db.session.flush()
    now = utcnow()
    db.session.add_all(
        answer_row(attempt.id, show_question(n, q, orders[q.id]), verdicts[q.id], now)
        for n, (q, _right) in enumerate(used, start=1))
    _decide(attempt, used, state, catalog)
    return attempt


@dataclass(frozen=True)
class CompetenceVerdict:
    code: str
    name: str
    reached: bool | None  # None: not asked (the test was decided before)
    right: int
    asked: int
    modules: tuple  # (course, module) pairs of the group's programme that teach it


def confirmation_verdicts(attempt: Attempt, assessment: Assessment,
                          catalog: Catalog) -> list[CompetenceVerdict]:
    """Each competence of the confirmation as the rule judged it, replayed from the answers,
    with the modules of the person's programme to study next."""
    answered = _answered(attempt, catalog)
    state = confirmation.progress(assessment, answered)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for question, right in answered:
        counts[question.competence][0] += right
        counts[question.competence][1] += 1
    teaching = defaultdict(list)
    for slug in assessment.courses:
        course = catalog.courses.get(slug)
        for module in course.modules if course else ():
            for code in module.competences:
                teaching[code].append((course, module))
    return [CompetenceVerdict(code, catalog.framework.competences[code].name,
                              state.verdicts.get(code), *counts[code], tuple(teaching[code]))
            for code in confirmation.order(assessment)]
