"""The curriculum's floors, so they cannot regress: every competence taught and assessed for
every group, at least 10 questions per competence, modules that really teach (≥ 400 words)."""

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.catalog import load_catalog
from app.catalog.cli import content_cli
from app.catalog.coverage import bank_counts, gaps, programme_matrix

CONTENT = Path(__file__).resolve().parents[2] / "content"
OWN_COURSE = {"nguoi-dan": "cong-dan-so", "can-bo": "chuyen-doi-so-cong-vu",
              "hoc-sinh": "hoc-sinh-so", "doanh-nghiep": "lao-dong-so"}


@pytest.fixture(scope="module")
def real():
    return load_catalog(CONTENT)


def test_at_least_ten_questions_for_each_of_the_24_competences(real):
    counts = bank_counts(real)
    assert len(counts) == 24
    assert {code: n for code, n in counts.items() if n < 10} == {}
    assert sum(counts.values()) >= 240


def test_every_question_has_a_level_and_an_explanation(real):
    assert all(q.level in real.framework.levels_by_code and q.explanation for q in real.questions.values())


def test_every_module_teaches_at_length_and_says_what_it_serves(real):
    short = {f"{c.slug}/{m.slug}": m.words for c in real.courses.values() for m in c.modules if m.words < 400}
    assert short == {}
    assert all(m.competences and m.minutes > 0 for c in real.courses.values() for m in c.modules)


def test_each_group_has_the_shared_course_and_its_own(real):
    for group, own in OWN_COURSE.items():
        assert [c.slug for c in real.programme(group)] == ["ky-nang-so-co-ban", own]
        assert group in real.course(own).groups


def test_no_group_programme_leaves_a_competence_untaught_or_unassessed(real):
    assert gaps(real) == []
    matrix = programme_matrix(real)
    assert all(cell.taught and cell.assessed for row in matrix.values() for cell in row.values())


def test_each_group_has_a_confirmation_drawing_every_required_competence(real):
    for group in OWN_COURSE:
        assessment = real.assessment_for(group)
        assert assessment is not None, group
        assert len(assessment.parts) >= 20
        # the stopping rule may ask ask_at_most questions of each: all different
        assert all(len(p.questions) >= assessment.rule.ask_at_most for p in assessment.parts)
        assert {"4.1", "4.2", "6.1", "6.2"} <= {p.competence for p in assessment.parts}


def test_content_report_prints_the_matrix_and_no_gaps():
    result = CliRunner().invoke(content_cli, ["report", "--dir", str(CONTENT)])
    assert result.exit_code == 0, result.output
    assert "nguoi-dan" in result.output and "doanh-nghiep" in result.output
    # 4.2: taught/asked in each of the 4 programmes, its bank count, asked in all 4 confirmations
    assert re.search(r"^4\.2\s+(\d+/\d+\s+){4}\d+\s+xxxx$", result.output, re.M)
    assert "Không có chỗ thiếu" in result.output


def test_content_report_flags_a_group_whose_programme_misses_competences(content):
    # the small test tree: one course teaching 4.2 and 1.1 only
    result = CliRunner().invoke(content_cli, ["report", "--dir", str(content)])
    assert "THIẾU nguoi-dan 6.1: không được dạy" in result.output
    assert "THIẾU nguoi-dan -: nhóm chưa có bài đánh giá xác nhận" in result.output
