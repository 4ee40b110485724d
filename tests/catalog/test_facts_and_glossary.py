"""Content right as of 2026 (issue 15): sources and review dates, real places only, practice in
every module, and the glossary linked from each term's first use in a module."""

import re
from datetime import date

from click.testing import CliRunner

from app.catalog import load_catalog
from app.catalog.cli import content_cli
from app.catalog.readers.places import places_in

from .conftest import REAL_CONTENT, replace, write

MODULE = "courses/thu/modules/01-bai-mot.md"
CHECK = "courses/thu/checks/01-bai-mot.yaml"


def check(content):
    return CliRunner().invoke(content_cli, ["check", "--dir", str(content)])


def test_every_module_ends_with_a_practice_section():
    modules = [m for c in load_catalog(REAL_CONTENT).courses.values() for m in c.modules]
    assert len(modules) == 35
    assert [m.slug for m in modules if "<h2>Thực hành" not in m.html] == []


def test_every_real_module_says_its_sources_and_when_it_was_reviewed():
    for course in load_catalog(REAL_CONTENT).courses.values():
        for m in course.modules:
            assert m.sources and isinstance(m.reviewed, date), m.slug


def test_a_module_without_sources_or_reviewed_is_refused_with_its_line(content):
    replace(content / MODULE, 'sources: ["Luật Giao dịch điện tử 2023"]\n', "")
    replace(content / MODULE, "reviewed: 2026-11-01\n", "reviewed: mới đây\n")
    result = check(content)
    assert result.exit_code == 1
    assert "content/courses/thu/modules/01-bai-mot.md:2: thiếu 'sources'" in result.output
    assert "content/courses/thu/modules/01-bai-mot.md:6: thiếu 'reviewed'" in result.output


def test_a_module_not_reviewed_for_a_year_is_a_warning_not_an_error(content):
    replace(content / MODULE, "reviewed: 2026-11-01", "reviewed: 2020-01-15")
    result = check(content)
    assert result.exit_code == 0, result.output
    assert ("Cảnh báo: content/courses/thu/modules/01-bai-mot.md:7: chưa rà soát hơn 12 tháng "
            "(lần cuối 2020-01-15)") in result.output


def test_an_unknown_commune_in_a_module_or_a_question_is_refused_with_file_and_line(content):
    replace(content / MODULE, "Đây là bài một.", "Bà Lan ở xã Hải Long, gần phường Hạc Thành.")
    replace(content / CHECK, "explanation: Mã OTP chỉ dành cho bạn.",
            "explanation: Cán bộ xã Yên Bình nhắc, mã OTP chỉ dành cho bạn.")
    result = check(content)
    assert result.exit_code == 1
    assert "2 lỗi nội dung:" in result.output  # Hạc Thành is a ward of Thanh Hóa
    assert "content/courses/thu/modules/01-bai-mot.md:10: không có xã 'Hải Long'" in result.output
    assert "content/courses/thu/checks/01-bai-mot.yaml:14: không có xã 'Yên Bình'" in result.output


def test_a_place_the_module_declares_invented_is_accepted(content):
    replace(content / MODULE, "Đây là bài một.", "Ví dụ: xã Yên Bình.")
    replace(content / MODULE, "minutes: 10\n", 'minutes: 10\ninvented_places: ["xã Yên Bình"]\n')
    assert check(content).exit_code == 0


def test_the_place_is_the_longest_run_of_capitalised_words():
    assert places_in("Ở Xã Hoằng Hóa và phường Hạc Thành, rồi xã, phường mới; xã nào") == [
        (1, "xã", "Hoằng Hóa"), (1, "phường", "Hạc Thành")]


GLOSSARY = """\
- term: mã OTP
  aliases: [OTP]
  en: one-time password
  definition: Mã dùng một lần.
- term: liên kết
  aliases: [đường link]
  en: link
  definition: Chỗ bấm vào để mở trang khác.
"""


def test_the_first_use_of_a_term_links_once_and_never_inside_a_heading(content):
    write(content / "glossary.yaml", GLOSSARY)
    replace(content / MODULE, "## Mở đầu\n", "## Mã OTP là gì\nMã OTP đến qua tin nhắn. "
            "Không gửi mã OTP, cũng không gửi OTP. Mở đường link `mã OTP` hay [liên kết](02-bai-hai.md).\n")
    catalog = load_catalog(content)
    html = catalog.courses["thu"].modules[0].html
    assert re.findall(r'<a class="term" href="../../thuat-ngu#([a-z-]+)"[^>]*>([^<]*)</a>', html) == [
        ("ma-otp", "Mã OTP"), ("lien-ket", "đường link")]
    assert "<h2>Mã OTP là gì</h2>" in html and "<code>mã OTP</code>" in html
    assert [t.anchor for t in catalog.glossary] == ["lien-ket", "ma-otp"]


def test_a_spelling_in_two_glossary_terms_is_refused(content):
    write(content / "glossary.yaml", GLOSSARY + "- term: otp\n  en: x\n  definition: y\n")
    result = check(content)
    assert result.exit_code == 1
    assert "content/glossary.yaml:9: 'otp' đã có ở thuật ngữ 'mã OTP'" in result.output


def test_the_real_glossary_and_help_page_load():
    catalog = load_catalog(REAL_CONTENT)
    assert len(catalog.glossary) >= 20 and catalog.help is not None
    assert "113" in catalog.help.html and catalog.help.sources and catalog.help.reviewed
    module = catalog.courses["cong-dan-so"].modules[0]
    anchors = re.findall(r'href="../../thuat-ngu#([a-z0-9-]+)"', module.html)
    assert anchors and len(anchors) == len(set(anchors))
    assert set(anchors) <= {t.anchor for t in catalog.glossary}
