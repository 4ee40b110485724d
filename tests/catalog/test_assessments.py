import pytest

from app.catalog import ContentError, load_catalog

from .conftest import write

RULE = """\
title: "Xác nhận thử"
group: nguoi-dan
requires: [thu]
pass_mark: 60
competences:
  - {code: "4.2", level: CB1, questions: 1, min_percent: 100}
  - {code: "1.1", level: CB2}
"""


def test_assessment_draws_by_competence_and_level(content):
    (content / "assessments").mkdir()
    write(content / "assessments/nguoi-dan.yaml", RULE)
    catalog = load_catalog(content)
    a = catalog.assessment_for("nguoi-dan")
    assert a.key == "assessment:nguoi-dan" and catalog.check(a.key) is a
    assert a.draw == 2 and a.requires == ("thu",)
    by_code = {p.competence: p for p in a.parts}
    assert [q.id for q in by_code["4.2"].questions] == ["t-01"]  # t-03 is TC1, above CB1
    assert [q.id for q in by_code["1.1"].questions] == ["t-02"]


def test_pass_rule_overall_and_per_competence(content):
    (content / "assessments").mkdir()
    write(content / "assessments/nguoi-dan.yaml", RULE)
    a = load_catalog(content).assessment_for("nguoi-dan")
    assert a.passes(2, 2, {"4.2": (1, 1), "1.1": (1, 1)})
    # 50% overall is under 60%
    assert not a.passes(1, 2, {"4.2": (1, 1), "1.1": (0, 1)})
    # enough overall, but the required 4.2 was missed
    assert not a.passes(3, 4, {"4.2": (0, 1), "1.1": (3, 3)})


@pytest.mark.parametrize("old, new, message", [
    ("group: nguoi-dan", "group: khong-co", "nguoi-dan.yaml:2: nhóm đối tượng không tồn tại: 'khong-co'"),
    ("requires: [thu]", "requires: [mat]", "nguoi-dan.yaml:3: khóa học không tồn tại: 'mat'"),
    ('code: "1.1", level: CB2}', 'code: "1.1", level: CB2, questions: 3}',
     "nguoi-dan.yaml:7: cần 3 câu hỏi năng lực 1.1 đến trình độ CB2, ngân hàng chỉ có 1"),
    ('"4.2", level: CB1', '"9.9", level: CB1', "nguoi-dan.yaml:6: mã năng lực không có trong khung: '9.9'"),
])
def test_assessment_rule_problems_point_at_their_line(content, old, new, message):
    (content / "assessments").mkdir()
    write(content / "assessments/nguoi-dan.yaml", RULE.replace(old, new))
    with pytest.raises(ContentError) as info:
        load_catalog(content)
    assert [str(p) for p in info.value.problems] == [f"content/assessments/{message}"]
