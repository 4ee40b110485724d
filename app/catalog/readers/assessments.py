"""content/assessments/<slug>.yaml: a group's confirmation assessment and its decision rule."""

from __future__ import annotations

from pathlib import Path

from ..types import (
    Assessment, AssessmentPart, ConfirmationRule, Course, Framework, Group, Question,
)
from ..yamlfile import LineDict, LineList
from .collector import Collector, is_int
from .courses import SLUG


def read_assessments(col: Collector, framework: Framework, groups: dict[str, Group],
                     courses: dict[str, Course],
                     questions: dict[str, Question]) -> dict[str, Assessment]:
    assessments: dict[str, Assessment] = {}
    for path in sorted((col.root / "assessments").glob("*.yaml")):
        assessment = read_assessment(col, path, framework, groups, courses, questions)
        if assessment is None:
            continue
        taken = next((a for a in assessments.values() if a.group == assessment.group), None)
        if taken is not None:
            col.problem(path, 1, f"nhóm '{assessment.group}' đã có bài xác nhận '{taken.slug}'")
        assessments[assessment.slug] = assessment
    return assessments


def read_assessment(col: Collector, path: Path, framework: Framework, groups: dict[str, Group],
                    courses: dict[str, Course],
                    questions: dict[str, Question]) -> Assessment | None:
    data = col.mapping(path, col.read_yaml(path), "bài đánh giá xác nhận")
    if data is None:
        return None
    slug = path.stem
    if not SLUG.match(slug):
        col.problem(path, 1, f"tên tệp '{slug}' phải là chữ thường không dấu, nối bằng '-'")
    group = col.text(path, data, "group")
    if group and group not in groups:
        col.problem(path, data.line_of("group"), f"nhóm đối tượng không tồn tại: '{group}'")
    if "pass_mark" in data:
        col.problem(path, data.line_of("pass_mark"), "'pass_mark' không còn dùng: quy tắc đạt "
                                                     "nằm trong 'rule' (xem content/FORMAT.md)")
    requires = _requires(col, path, data, courses)
    rule = read_rule(col, path, data, framework)
    programme = groups[group].programme if group in groups else ()
    parts = _parts(col, path, data, framework, _taught(group, programme, courses, questions), rule)
    if rule is None:
        return None
    return Assessment(slug, group, col.text(path, data, "title"),
                      col.text(path, data, "summary", required=False),
                      requires, rule, parts, tuple(programme),
                      col.text(path, data, "title_en", required=False),
                      col.text(path, data, "summary_en", required=False))


def _requires(col: Collector, path: Path, data: LineDict,
              courses: dict[str, Course]) -> tuple[str, ...]:
    requires = data.get("requires") or LineList()
    if not isinstance(requires, LineList):
        col.problem(path, data.line_of("requires"), "'requires' là danh sách khóa học")
        requires = LineList()
    for i, course in enumerate(requires):
        if course not in courses:
            col.problem(path, requires.line_of(i), f"khóa học không tồn tại: '{course}'")
    return tuple(str(c) for c in requires)


def _taught(group: str, programme, courses: dict[str, Course],
            questions: dict[str, Question]) -> list[Question]:
    """Only what the group was taught: its programme's courses, or questions tagged for it."""
    taught = [q for slug in programme if slug in courses
              for check in courses[slug].checks for q in check.questions]
    return taught + [q for q in questions.values() if group in q.groups and q not in taught]


def _parts(col: Collector, path: Path, data: LineDict, framework: Framework,
           taught: list[Question], rule) -> tuple[AssessmentPart, ...]:
    raw_parts = data.get("competences")
    if not isinstance(raw_parts, LineList) or not raw_parts:
        col.problem(path, data.line_of("competences"), "thiếu 'competences' (năng lực cần đạt)")
        raw_parts = LineList()
    parts, seen = [], set()
    for raw in raw_parts:
        part = read_part(col, path, raw, framework, taught, rule, seen)
        if part is not None:
            parts.append(part)
    for code in rule.must_master if rule else ():
        if code not in seen:
            col.problem(path, data.line_of("rule"), f"năng lực bắt buộc {code} không có "
                                                    "trong 'competences'")
    return tuple(parts)


_RULE_NUMBERS = (("master_share", 1, 100, None), ("ask_at_most", 1, 9, 3),
                 ("max_questions", 1, 200, 60))


def read_rule(col: Collector, path: Path, data: LineDict,
              framework: Framework) -> ConfirmationRule | None:
    raw = col.mapping(path, data.get("rule"), "'rule' (quy tắc đạt)")
    if raw is None:
        return None
    numbers = {}
    for key, low, high, default in _RULE_NUMBERS:
        value = raw.get(key, default)
        if not is_int(value, low, high):
            col.problem(path, raw.line_of(key) or raw.line,
                        f"'{key}' phải là số nguyên từ {low} đến {high}")
            return None
        numbers[key] = value
    must = raw.get("must_master") or LineList()
    if not isinstance(must, LineList) or any(c not in framework.competences for c in must):
        col.problem(path, raw.line_of("must_master") or raw.line,
                    "'must_master' là danh sách mã năng lực của khung")
        return None
    return ConfirmationRule(numbers["master_share"], tuple(str(c) for c in must),
                            numbers["ask_at_most"], numbers["max_questions"])


def read_part(col: Collector, path: Path, raw, framework: Framework, taught: list[Question],
              rule, seen: set[str]) -> AssessmentPart | None:
    raw = col.mapping(path, raw, "mỗi năng lực cần đạt")
    if raw is None:
        return None
    code = col.text(path, raw, "code")
    if code not in framework.competences:
        col.problem(path, raw.line_of("code"), f"mã năng lực không có trong khung: '{code}'")
        return None
    if code in seen:
        col.problem(path, raw.line_of("code"), f"năng lực {code} được liệt kê hai lần")
    seen.add(code)
    level = col.text(path, raw, "level")
    levels = framework.levels_by_code
    if level not in levels:
        col.problem(path, raw.line_of("level"), f"trình độ không hợp lệ: '{level}' (CB1 … CS2)")
        return None
    for old in ("questions", "min_percent"):
        if old in raw:
            col.problem(path, raw.line_of(old), f"'{old}' không còn dùng: bài xác nhận hỏi "
                                                "thích ứng theo 'rule'")
    fitting = tuple(q for q in taught if q.competence == code
                    and levels[q.level].rank <= levels[level].rank)
    # The stopping rule may ask `ask_at_most` questions of one competence: all must differ.
    needed = rule.ask_at_most if rule else 1
    if len(fitting) < needed:
        col.problem(path, raw.line, f"năng lực {code} đến trình độ {level} cần ít nhất "
                                    f"{needed} câu hỏi trong chương trình của nhóm, chỉ có "
                                    f"{len(fitting)}")
        return None
    return AssessmentPart(code, level, fitting)
