"""Each question type on its own: it parses its YAML, labels its options, renders its input
and its review, reads what the page posts, judges it, and says how likely a blind guess is."""

import math
import random
import re

import pytest
from flask import get_template_attribute, session

from app.assessment.services import Verdict, show_question
from app.catalog import ContentError, load_catalog
from app.catalog.question_types import QUESTION_TYPES, RefusedAnswer
from app.catalog.types import Question
from app.catalog.yamlfile import load_yaml

from .conftest import replace

YAML = {
    "single": """\
type: single
choices:
  - text: Kho ứng dụng chính thức
    correct: true
  - text: Đường link lạ
  - text: Trang web bất kỳ
""",
    "multiple": """\
type: multiple
choices:
  - {text: Mã OTP, correct: true}
  - {text: Mật khẩu, correct: true}
  - {text: Tên tỉnh}
""",
    "true_false": """\
type: true_false
answer: false
""",
    "ordering": """\
type: ordering
steps:
  - Tìm thủ tục
  - Điền tờ khai
  - Nộp hồ sơ
  - Tra cứu tình trạng
""",
}
TEXTS = {
    "single": ["Kho ứng dụng chính thức", "Đường link lạ", "Trang web bất kỳ"],
    "multiple": ["Mã OTP", "Mật khẩu", "Tên tỉnh"],
    "true_false": ["Đúng", "Sai"],
    "ordering": ["Tìm thủ tục", "Điền tờ khai", "Nộp hồ sơ", "Tra cứu tình trạng"],
}
RIGHT = {"single": [0], "multiple": [0, 1], "true_false": [1], "ordering": [0, 1, 2, 3]}


def parse(name: str, text: str):
    found = []
    choices = QUESTION_TYPES[name].parse(load_yaml(text), lambda line, msg: found.append((line, msg)))
    return choices, found


def question(name: str) -> Question:
    choices, found = parse(name, YAML[name])
    assert found == []
    return Question(f"q-{name}", name, "4.2", "CB1", "Câu hỏi?", choices, "Vì thế.", "x.yaml:1")


def test_every_type_has_its_template():
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "app" / "templates"
    for kind in QUESTION_TYPES.values():
        assert (templates / kind.template).is_file(), kind.template
        assert kind.template == f"questions/{kind.name}.html"


@pytest.mark.parametrize("name", list(YAML))
def test_each_type_parses_its_yaml(name):
    q = question(name)
    assert [c.text for c in q.choices] == TEXTS[name]
    assert QUESTION_TYPES[name].right_answer(q) == RIGHT[name]


@pytest.mark.parametrize("name, text, expected", [
    ("single", "type: single\nchoices:\n  - text: A\n  - text: B\n",
     [(2, "câu hỏi một lựa chọn không có đáp án đúng; cần đúng một")]),
    ("multiple", "type: multiple\nchoices:\n  - {text: A, correct: true}\n  - {text: B, correct: true}\n"
                 "  - {text: C, correct: true}\n",
     [(2, "mọi lựa chọn đều đúng; cần ít nhất một lựa chọn sai")]),
    ("true_false", "type: true_false\nanswer: 'có'\n",
     [(2, "câu Đúng/Sai cần 'answer: true' hoặc 'answer: false'")]),
    ("ordering", "type: ordering\nsteps:\n  - A\n  - B\n",
     [(3, "cần từ 3 đến 5 bước, đang có 2")]),
    ("ordering", "type: ordering\nsteps: [A, B, C, D, E, F]\n",
     [(2, "cần từ 3 đến 5 bước, đang có 6")]),
    ("ordering", "type: ordering\nsteps:\n  - A\n  - 12\n  - B\n  - A\n",
     [(4, "mỗi bước là một dòng chữ; số hay true/false hãy đặt trong ngoặc kép"),
      (3, "có hai bước giống hệt nhau")]),
    ("ordering", "type: ordering\nchoices:\n  - text: A\n", [
        (2, "câu sắp xếp không dùng 'choices', chỉ 'steps'"),
        (1, "câu sắp xếp cần 'steps': các bước, theo đúng thứ tự")]),
])
def test_each_type_names_what_is_wrong_in_its_yaml(name, text, expected):
    assert parse(name, text)[1] == expected


def test_an_ordering_question_in_content_is_checked_with_its_line(content):
    path = content / "courses/thu/checks/01-bai-mot.yaml"
    replace(path, "    explanation: Ngân hàng không bao giờ hỏi mật khẩu.\n",
            "    explanation: Ngân hàng không bao giờ hỏi mật khẩu.\n"
            "  - id: t-04\n    competence: \"2.3\"\n    level: CB2\n    type: ordering\n"
            "    prompt: Xếp các bước.\n    steps:\n      - Tìm thủ tục\n      - Nộp hồ sơ\n"
            "    explanation: Tìm rồi mới nộp.\n")
    with pytest.raises(ContentError) as info:
        load_catalog(content)
    assert [str(p) for p in info.value.problems] == [
        "content/courses/thu/checks/01-bai-mot.yaml:40: cần từ 3 đến 5 bước, đang có 2"]
    replace(path, "      - Nộp hồ sơ\n", "      - Điền tờ khai\n      - Nộp hồ sơ\n")
    q = load_catalog(content).questions["t-04"]
    assert (q.type, [c.text for c in q.choices]) == ("ordering", ["Tìm thủ tục", "Điền tờ khai", "Nộp hồ sơ"])


def test_each_type_labels_its_options(app):
    with app.test_request_context():
        for name in YAML:
            q = question(name)
            assert [QUESTION_TYPES[name].label(c) for c in q.choices] == TEXTS[name]
    with app.test_request_context():
        session["lang"] = "en"  # the true/false labels follow the visitor's language
        assert [QUESTION_TYPES["true_false"].label(c) for c in question("true_false").choices] \
            == ["True", "False"]


@pytest.mark.parametrize("name, chosen, expected", [
    ("single", [0], True), ("single", [1], False), ("single", [], False), ("single", [0, 1], False),
    ("multiple", [0, 1], True), ("multiple", [1, 0], True), ("multiple", [0], False),
    ("multiple", [0, 1, 2], False), ("multiple", [], False),
    ("true_false", [1], True), ("true_false", [0], False),
    ("ordering", [0, 1, 2, 3], True), ("ordering", [1, 0, 2, 3], False),
    ("ordering", [0, 1, 3, 2], False), ("ordering", [3, 2, 1, 0], False), ("ordering", [], False),
])
def test_each_type_judges(name, chosen, expected):
    assert QUESTION_TYPES[name].judge(question(name), chosen) is expected


@pytest.mark.parametrize("name, rate", [
    ("single", 1 / 3), ("multiple", 1 / 7), ("true_false", 1 / 2), ("ordering", 1 / 24)])
def test_each_type_says_how_likely_a_blind_guess_is_right(name, rate):
    assert QUESTION_TYPES[name].guess_rate(question(name)) == pytest.approx(rate)


@pytest.mark.parametrize("name", list(YAML))
def test_a_blind_guess_is_right_as_often_as_the_guess_rate_says(name):
    kind, q = QUESTION_TYPES[name], question(name)
    rng = random.Random(13)
    right = sum(kind.judge(q, kind.random_answer(q, rng)) for _ in range(6000))
    assert right / 6000 == pytest.approx(kind.guess_rate(q), abs=0.02)


@pytest.mark.parametrize("name", list(YAML))
def test_what_the_page_posts_reads_back_as_the_answer(name):
    kind, q = QUESTION_TYPES[name], question(name)
    order = kind.arrange(q, random.Random(3))
    for chosen in (RIGHT[name], kind.random_answer(q, random.Random(5))):
        chosen = sorted(chosen) if name != "ordering" else chosen
        assert kind.read("q-x", order, kind.form_fields("q-x", order, chosen)) == chosen
    assert kind.read("q-x", order, {}) == []


def test_an_ordering_refuses_a_number_used_twice_or_a_step_left_out():
    kind, order = QUESTION_TYPES["ordering"], [2, 0, 3, 1]
    form = {"q-x.0": ["3"], "q-x.1": ["1"], "q-x.2": ["4"], "q-x.3": ["2"]}
    assert kind.read("q-x", order, form) == [0, 1, 2, 3]  # the numbers given put it right
    with pytest.raises(RefusedAnswer) as info:
        kind.read("q-x", order, {**form, "q-x.2": ["1"]})
    assert str(info.value) == "mỗi số thứ tự chỉ dùng cho một bước, nhưng số 1 đang được chọn cho nhiều bước."
    with pytest.raises(RefusedAnswer) as info:
        kind.read("q-x", order, {**form, "q-x.2": [""]})
    assert str(info.value) == "hãy chọn số thứ tự cho mọi bước."
    for hostile in (["9"], ["0"], ["1", "2"], ["²"], ["-1"], ["1" * 400]):
        with pytest.raises(RefusedAnswer):
            kind.read("q-x", order, {**form, "q-x.2": hostile})


def test_an_ordering_is_never_shown_in_its_right_order():
    kind, q = QUESTION_TYPES["ordering"], question("ordering")
    rng = random.Random(1)
    orders = {tuple(kind.arrange(q, rng)) for _ in range(400)}
    assert (0, 1, 2, 3) not in orders
    assert len(orders) == math.factorial(4) - 1  # every other order does occur


def _render(app, macro: str, name: str, picked=None, verdict=None):
    q = question(name)
    sq = show_question(3, q, [2, 0, 1, 3][:len(q.choices)] if name != "true_false" else [0, 1],
                       verdict)
    with app.test_request_context():
        args = (sq, picked or {}) if macro == "input" else (sq,)
        return sq, str(get_template_attribute(sq.template, macro)(*args))


def test_each_type_renders_its_input_without_the_answer(app):
    for name in YAML:
        sq, html = _render(app, "input", name)
        assert all(t in html for t in TEXTS[name])
        assert "correct" not in html.lower() and "Vì thế." not in html
    sq, html = _render(app, "input", "single")
    assert re.findall(r'type="radio" name="q-q-single" value="(\d)"', html) == ["0", "1", "2"]
    sq, html = _render(app, "input", "multiple")
    assert len(re.findall(r'type="checkbox" name="q-q-multiple"', html)) == 3
    assert "Chọn tất cả các ý đúng." in html


def test_the_ordering_input_is_a_select_per_step_in_the_order_shown(app):
    sq, html = _render(app, "input", "ordering", picked={"q-q-ordering.1": {2}})
    # steps in the order drawn, each named by its place on the page, every one offering 1…4
    shown = re.findall(r'<label for="(q-q-ordering\.\d)">([^<]+)</label>', html)
    assert shown == [("q-q-ordering.0", "Nộp hồ sơ"), ("q-q-ordering.1", "Tìm thủ tục"),
                     ("q-q-ordering.2", "Điền tờ khai"), ("q-q-ordering.3", "Tra cứu tình trạng")]
    selects = re.findall(r'<select id="([^"]+)" name="([^"]+)">(.*?)</select>', html, re.S)
    assert [(i, n) for i, n, _ in selects] == [(f"q-q-ordering.{p}",) * 2 for p in range(4)]
    for _id, _name, options in selects:
        assert re.findall(r'<option value="(\d)"', options) == ["1", "2", "3", "4"]
    assert '<option value="2" selected>' in selects[1][2]  # kept after an error
    assert "selected" not in selects[0][2]


def test_each_type_reviews_the_stored_verdict(app):
    _sq, html = _render(app, "review", "multiple", verdict=Verdict((0, 2), False))
    assert html.count("đáp án đúng") == 2 and html.count("bạn chọn") == 2
    assert re.search(r"Tên tỉnh\s*<em>\(bạn chọn\)", html)
    _sq, html = _render(app, "review", "ordering", verdict=Verdict((1, 0, 2, 3), False))
    # the right order, each step with the number the learner gave it
    assert re.findall(r"<li>([^<]+) <em>\(bạn xếp thứ (\d)\)</em></li>", html) == [
        ("Tìm thủ tục", "2"), ("Điền tờ khai", "1"), ("Nộp hồ sơ", "3"), ("Tra cứu tình trạng", "4")]
