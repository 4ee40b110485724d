"""The confirmation assessment's content: its pool is the group's own programme (or what is
tagged for the group), and a rule the pool cannot serve is refused with its line."""

import pytest

from app.catalog import ContentError, load_catalog

from .conftest import write

RULE = """\
title: "Xác nhận thử"
group: nguoi-dan
requires: [thu]
rule:
  master_share: 50
  must_master: ["4.2"]
  ask_at_most: 1
  max_questions: 10
competences:
  - {code: "4.2", level: CB1}
  - {code: "1.1", level: CB2}
"""

OTHER_COURSE_CHECK = """\
pass_mark: 80
draw: 1
questions:
  - id: k-01
    competence: "1.1"
    level: CB1
    type: true_false
    prompt: Tin nhắn chuyển tiếp không rõ nguồn luôn đúng.
    answer: false
    explanation: Hãy kiểm tra nguồn.
"""


def _other_course(content, tagged: bool = False):
    """A course outside the nguoi-dan programme, with one 1.1 question."""
    (content / "courses/khac/modules").mkdir(parents=True)
    (content / "courses/khac/checks").mkdir()
    write(content / "courses/khac/course.yaml", """\
        title: Khóa khác
        summary: Của nhóm khác.
        groups: [nguoi-dan]
        modules: [01-bai]
        """)
    (content / "courses/khac/modules/01-bai.md").write_text(
        "---\ntitle: Bài\ncompetences: [\"1.1\"]\nminutes: 5\nsources: [x]\nreviewed: 2026-11-01\n---\n\n## Nội dung\n\nChữ.\n",
        encoding="utf-8")
    check = OTHER_COURSE_CHECK.replace("    explanation:", "    groups: [nguoi-dan]\n    explanation:") \
        if tagged else OTHER_COURSE_CHECK
    (content / "courses/khac/checks/01-bai.yaml").write_text(check, encoding="utf-8")


def test_assessment_asks_by_competence_and_level_from_the_programme(content):
    (content / "assessments").mkdir()
    write(content / "assessments/nguoi-dan.yaml", RULE)
    catalog = load_catalog(content)
    a = catalog.assessment_for("nguoi-dan")
    assert a.key == "assessment:nguoi-dan" and catalog.check(a.key) is a
    assert a.requires == ("thu",) and a.courses == ("thu",)
    assert a.rule.required(2) == 1 and a.rule.must_master == ("4.2",)
    by_code = {p.competence: p for p in a.parts}
    assert [q.id for q in by_code["4.2"].questions] == ["t-01"]  # t-03 is TC1, above CB1
    assert [q.id for q in by_code["1.1"].questions] == ["t-02"]


def test_questions_of_other_groups_courses_are_never_asked_unless_tagged(content):
    (content / "assessments").mkdir()
    write(content / "assessments/nguoi-dan.yaml", RULE)
    _other_course(content)
    a = load_catalog(content).assessment_for("nguoi-dan")
    assert "k-01" not in a.pool and a.pool == {"t-01", "t-02"}


def test_a_question_tagged_for_the_group_may_be_asked(content):
    (content / "assessments").mkdir()
    write(content / "assessments/nguoi-dan.yaml", RULE)
    _other_course(content, tagged=True)
    a = load_catalog(content).assessment_for("nguoi-dan")
    assert "k-01" in a.pool


@pytest.mark.parametrize("old, new, message", [
    ("group: nguoi-dan", "group: khong-co", "nguoi-dan.yaml:2: nhóm đối tượng không tồn tại: 'khong-co'"),
    ("requires: [thu]", "requires: [mat]", "nguoi-dan.yaml:3: khóa học không tồn tại: 'mat'"),
    ("ask_at_most: 1", "ask_at_most: 2",
     "nguoi-dan.yaml:10: năng lực 4.2 đến trình độ CB1 cần ít nhất 2 câu hỏi trong chương trình "
     "của nhóm, chỉ có 1"),
    ('"4.2", level: CB1', '"9.9", level: CB1', "nguoi-dan.yaml:10: mã năng lực không có trong khung: '9.9'"),
    ("master_share: 50", "master_share: 150", "nguoi-dan.yaml:5: 'master_share' phải là số nguyên từ 1 đến 100"),
    ('must_master: ["4.2"]', 'must_master: ["4.1"]',
     "nguoi-dan.yaml:4: năng lực bắt buộc 4.1 không có trong 'competences'"),
    ("rule:", "pass_mark: 70\nrule:",
     "nguoi-dan.yaml:4: 'pass_mark' không còn dùng: quy tắc đạt nằm trong 'rule' (xem content/FORMAT.md)"),
])
def test_assessment_rule_problems_point_at_their_line(content, old, new, message):
    (content / "assessments").mkdir()
    write(content / "assessments/nguoi-dan.yaml", RULE.replace(old, new))
    with pytest.raises(ContentError) as info:
        load_catalog(content)
    assert f"content/assessments/{message}" in [str(p) for p in info.value.problems]
