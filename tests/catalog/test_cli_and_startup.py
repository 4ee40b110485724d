import pytest
from click.testing import CliRunner

from app import create_app
from app.catalog import ContentError
from app.catalog.cli import content_cli

from .conftest import replace


def test_content_check_passes_on_valid_content(content):
    result = CliRunner().invoke(content_cli, ["check", "--dir", str(content)])
    assert result.exit_code == 0, result.output
    assert "Nội dung hợp lệ: 1 khóa học, 2 bài học, 3 câu hỏi." in result.output


def test_content_check_prints_every_problem_and_fails(content):
    replace(content / "courses/thu/checks/01-bai-mot.yaml", 'competence: "1.1"', 'competence: "7.7"')
    replace(content / "courses/thu/course.yaml", "  - 02-bai-hai\n", "  - 02-bai-hai\n  - 09-mat\n")
    result = CliRunner().invoke(content_cli, ["check", "--dir", str(content)])
    assert result.exit_code == 1
    assert "2 lỗi nội dung:" in result.output
    assert "content/courses/thu/checks/01-bai-mot.yaml:16:" in result.output
    assert "content/courses/thu/course.yaml:7:" in result.output


def test_app_refuses_to_start_on_invalid_content(content, tmp_path):
    replace(content / "courses/thu/checks/01-bai-mot.yaml", "level: CB2", "level: CB9")
    with pytest.raises(ContentError, match=r"01-bai-mot.yaml:17: trình độ không hợp lệ: 'CB9'"):
        create_app({"TESTING": True, "CONTENT_DIR": str(content),
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3"})
