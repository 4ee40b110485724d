"""content/courses/<course>/checks/<module>.yaml: a module's check and its question pool."""

from __future__ import annotations

import re
from pathlib import Path

from ..question_types import QUESTION_TYPES
from ..types import Check, Course, Framework, Question
from ..yamlfile import LineList
from .collector import Collector, Problem, is_int

QUESTION_ID = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


def read_check(col: Collector, path: Path, course_slug: str, module_slug: str,
               framework: Framework) -> Check | None:
    if not path.exists():
        return None
    data = col.mapping(path, col.read_yaml(path), "bài kiểm tra")
    if data is None:
        return None
    pass_mark = col.pass_mark(path, data)
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, LineList) or not raw_questions:
        col.problem(path, data.line_of("questions"), "thiếu 'questions'")
        raw_questions = LineList()
    questions = [q for q in (read_question(col, path, raw, framework) for raw in raw_questions) if q]
    draw = data.get("draw")
    if not is_int(draw, 1, float("inf")):
        col.problem(path, data.line_of("draw"), "'draw' phải là số câu hỏi mỗi lượt làm bài (≥ 1)")
        draw = 1
    elif draw > len(raw_questions):
        col.problem(path, data.line_of("draw"),
                    f"'draw' là {draw} nhưng ngân hàng chỉ có {len(raw_questions)} câu hỏi")
    return Check(course_slug, module_slug, pass_mark, draw, tuple(questions))


def read_question(col: Collector, path: Path, raw, framework: Framework) -> Question | None:
    raw = col.mapping(path, raw, "mỗi câu hỏi")
    if raw is None:
        return None
    before = len(col.problems)

    def problem(line: int, message: str) -> None:
        col.problem(path, line, message)

    qid = col.text(path, raw, "id")
    if qid and not QUESTION_ID.match(qid):
        problem(raw.line_of("id"), f"mã câu hỏi '{qid}' chỉ gồm chữ thường không dấu, số, '-' và '_'")
    competence, level = _competence_and_level(col, path, raw, framework)
    qtype = QUESTION_TYPES.get(str(raw.get("type")))
    if qtype is None:
        problem(raw.line_of("type"), f"loại câu hỏi không hợp lệ: '{raw.get('type')}' "
                                     f"(dùng {', '.join(QUESTION_TYPES)})")
        choices = []
    else:
        choices = qtype.parse(raw, problem)
    prompt = col.text(path, raw, "prompt")
    explanation = col.text(path, raw, "explanation")
    groups = raw.get("groups") or LineList()  # other groups' confirmations may ask it too
    if not isinstance(groups, LineList) or not all(isinstance(g, str) for g in groups):
        problem(raw.line_of("groups"), "'groups' là danh sách mã nhóm, ví dụ [nguoi-dan]")
        groups = LineList()
    if len(col.problems) > before:
        return None
    return Question(qid, qtype.name, competence, level, prompt, tuple(choices), explanation,
                    f"{col.rel(path)}:{raw.line}", tuple(groups))


def _competence_and_level(col: Collector, path: Path, raw, framework: Framework):
    competence = col.text(path, raw, "competence")
    if competence and competence not in framework.competences:
        col.problem(path, raw.line_of("competence"), f"mã năng lực không có trong khung: '{competence}'")
    level = col.text(path, raw, "level")
    if level and level not in framework.levels_by_code:
        col.problem(path, raw.line_of("level"), f"trình độ không hợp lệ: '{level}' (CB1 … CS2)")
    return competence, level


def index_questions(col: Collector, courses: dict[str, Course]) -> dict[str, Question]:
    """Every question by id; an id used twice names both places."""
    questions: dict[str, Question] = {}
    for course in courses.values():
        for check in course.checks:
            for q in check.questions:
                if q.id in questions:
                    path, _, line = q.source.rpartition(":")
                    col.problems.append(Problem(path, int(line),
                                                f"mã câu hỏi '{q.id}' đã dùng ở {questions[q.id].source}"))
                else:
                    questions[q.id] = q
    return questions
