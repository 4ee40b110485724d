import pytest

from app.catalog import ContentError, load_catalog

from .conftest import replace, write


def problems(content) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_catalog(content)
    return [str(p) for p in info.value.problems]


def test_valid_content_loads_with_everything_linked(content):
    catalog = load_catalog(content)
    course = catalog.course("thu")
    assert [m.slug for m in course.modules] == ["01-bai-mot", "02-bai-hai"]
    assert course.module("01-bai-mot").check.draw == 3
    assert set(catalog.questions) == {"t-01", "t-02", "t-03"}
    assert catalog.programme("nguoi-dan") == (course,)
    # the link to the other module's file became a relative page URL
    assert 'href="02-bai-hai"' in course.module("01-bai-mot").html
    tf = catalog.questions["t-03"]
    assert [c.correct for c in tf.choices] == [False, True]  # Đúng, Sai; the answer is "false"


def test_the_real_content_is_valid():
    from pathlib import Path

    catalog = load_catalog(Path(__file__).resolve().parents[2] / "content")
    assert len(catalog.framework.competences) == 24
    assert len(catalog.framework.domains) == 6
    assert [lv.code for lv in catalog.framework.levels] == [
        "CB1", "CB2", "TC1", "TC2", "NC1", "NC2", "CS1", "CS2"]
    assert set(catalog.groups) == {"can-bo", "hoc-sinh", "doanh-nghiep", "nguoi-dan"}


def test_unknown_competence_code_in_a_question(content):
    replace(content / "courses/thu/checks/01-bai-mot.yaml", 'competence: "1.1"', 'competence: "7.1"')
    assert problems(content) == [
        "content/courses/thu/checks/01-bai-mot.yaml:16: mã năng lực không có trong khung: '7.1'"]


def test_unknown_competence_code_in_module_front_matter(content):
    replace(content / "courses/thu/modules/02-bai-hai.md", '["4.2"]', '["4.2", "2.9"]')
    assert problems(content) == [
        "content/courses/thu/modules/02-bai-hai.md:3: mã năng lực không có trong khung: '2.9'"]


def test_duplicate_question_id_names_both_places(content):
    replace(content / "courses/thu/checks/01-bai-mot.yaml", "id: t-02", "id: t-01")
    found = problems(content)
    assert len(found) == 1
    assert found[0].startswith("content/courses/thu/checks/01-bai-mot.yaml:15: mã câu hỏi 't-01' đã dùng ở ")
    assert found[0].endswith("01-bai-mot.yaml:4")


def test_single_choice_question_without_a_correct_answer(content):
    replace(content / "courses/thu/checks/01-bai-mot.yaml",
            "      - text: Không bao giờ\n        correct: true\n", "      - text: Không bao giờ\n")
    assert problems(content) == [
        "content/courses/thu/checks/01-bai-mot.yaml:9: câu hỏi một lựa chọn không có đáp án đúng; cần đúng một"]


def test_multiple_choice_question_without_a_correct_answer(content):
    path = content / "courses/thu/checks/01-bai-mot.yaml"
    replace(path, "Trang web của cơ quan nhà nước\n        correct: true", "Trang web của cơ quan nhà nước")
    replace(path, "Báo chính thống\n        correct: true", "Báo chính thống")
    assert problems(content) == [
        "content/courses/thu/checks/01-bai-mot.yaml:20: câu hỏi nhiều lựa chọn không có đáp án đúng"]


def test_true_false_question_without_an_answer(content):
    replace(content / "courses/thu/checks/01-bai-mot.yaml", "    answer: false\n", "")
    assert problems(content) == [
        "content/courses/thu/checks/01-bai-mot.yaml:27: câu Đúng/Sai cần 'answer: true' hoặc 'answer: false'"]


def test_unknown_module_in_course(content):
    replace(content / "courses/thu/course.yaml", "  - 02-bai-hai\n", "  - 02-bai-hai\n  - 03-khong-co\n")
    assert problems(content) == [
        "content/courses/thu/course.yaml:7: không có bài học '03-khong-co' "
        "(cần tệp content/courses/thu/modules/03-khong-co.md)"]


def test_unknown_course_in_a_group_programme(content):
    replace(content / "groups.yaml", "programme: [thu]", "programme: [thu, khong-co]")
    assert problems(content) == [
        "content/groups.yaml:4: chương trình của nhóm 'nguoi-dan' có khóa học không tồn tại: 'khong-co'"]


def test_broken_internal_link(content):
    replace(content / "courses/thu/modules/02-bai-hai.md", "## Nội dung\n",
            "## Nội dung\nXem [bài cũ](09-da-xoa.md) và [khóa khác](../../khac/modules/a.md).\n")
    assert problems(content) == [
        "content/courses/thu/modules/02-bai-hai.md:9: liên kết hỏng '../../khac/modules/a.md': không có bài học này",
        "content/courses/thu/modules/02-bai-hai.md:9: liên kết hỏng '09-da-xoa.md': không có bài học này",
    ]


def test_raw_html_that_would_be_stripped(content):
    replace(content / "courses/thu/modules/02-bai-hai.md", "## Nội dung\n",
            "## Nội dung\n<script>alert('x')</script>\n\nChữ <b onclick=\"x()\">đậm</b>.\n")
    found = problems(content)
    assert "content/courses/thu/modules/02-bai-hai.md:9: không dùng HTML trực tiếp (<script>alert('x')</script>); hãy viết bằng Markdown" in found
    assert any(p.startswith("content/courses/thu/modules/02-bai-hai.md:11: không dùng HTML trực tiếp") for p in found)


def test_dangerous_link_scheme(content):
    replace(content / "courses/thu/modules/02-bai-hai.md", "(https://example.vn)", "(javascript:alert(1))")
    assert problems(content) == [
        "content/courses/thu/modules/02-bai-hai.md:9: liên kết 'javascript:alert(1)': "
        "giao thức 'javascript:' không được phép"]


def test_yaml_syntax_error_points_at_its_line(content):
    write(content / "courses/thu/course.yaml", "title: Khóa thử\ngroups: [nguoi-dan\nmodules: []\n")
    found = problems(content)
    assert found[0].startswith("content/courses/thu/course.yaml:3: YAML không hợp lệ")


def test_draw_larger_than_the_pool(content):
    replace(content / "courses/thu/checks/01-bai-mot.yaml", "draw: 3", "draw: 5")
    assert problems(content) == [
        "content/courses/thu/checks/01-bai-mot.yaml:2: 'draw' là 5 nhưng ngân hàng chỉ có 3 câu hỏi"]


def test_every_problem_is_reported_at_once(content):
    replace(content / "courses/thu/checks/01-bai-mot.yaml", 'competence: "1.1"', 'competence: "9.9"')
    replace(content / "courses/thu/checks/01-bai-mot.yaml", "level: TC1", "level: XX")
    replace(content / "courses/thu/modules/02-bai-hai.md", "minutes: 5", "minutes: lâu")
    assert len(problems(content)) == 3


def test_module_file_not_listed_in_the_course(content):
    (content / "courses/thu/modules/03-le.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    assert problems(content) == [
        "content/courses/thu/modules/03-le.md:1: bài học không có trong content/courses/thu/course.yaml: "
        "thêm vào 'modules' hoặc xóa tệp"]
