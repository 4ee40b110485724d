"""Question types, one class each: how content declares it, how its options are labelled and
put on the page, how a posted answer is read and judged, how likely a blind guess is right.

A registry in the manner of CTFd's challenge classes. A new type is one class added to
QUESTION_TYPES plus its template, app/templates/questions/<name>.html, which holds two macros:
`input(sq, picked)` (the form fields) and `review(sq)` (the answer after submission). The
loader, the check pages, the grader and the confirmation's model all pick it up from here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from .types import Choice, Question
from .yamlfile import LineDict, LineList

Form = Mapping[str, Sequence[str]]  # field name -> the values posted under it

# How a true/false question's two choices are shown, in the visitor's language.
TRUE_FALSE_LABELS = {
    "Đúng": lazy_pgettext("true_false", "Đúng"),
    "Sai": lazy_pgettext("true_false", "Sai"),
}


class RefusedAnswer(ValueError):
    """An answer that cannot be judged as posted (an order that gives two steps the same
    number); `message` says why, in the learner's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _numbers(values: Sequence[str]) -> list[int]:
    """The whole numbers among posted values; whatever else a client sends is ignored."""
    return [int(v) for v in values if v.isascii() and v.isdigit() and len(v) <= 3]


class QuestionType:
    name = ""
    shuffle = True  # may the options be shown in another order than the content's

    @property
    def template(self) -> str:
        return f"questions/{self.name}.html"

    # -- content ---------------------------------------------------------------------------
    def parse(self, raw: LineDict, problem) -> tuple[Choice, ...]:
        """The question's options from its YAML mapping; `problem(line, message)` reports."""
        raise NotImplementedError

    # -- the page --------------------------------------------------------------------------
    def label(self, choice: Choice) -> str:
        return choice.text

    def arrange(self, question: Question, rng) -> list[int]:
        """The order to show the options in (content indexes), fixed when it is drawn."""
        order = list(range(len(question.choices)))
        if self.shuffle:
            rng.shuffle(order)
        return order

    def read(self, field: str, order: Sequence[int], form: Form) -> list[int]:
        """The content indexes chosen, in the order given, from what the page posted (the form
        says places on the page; `order` maps them to content). [] when nothing was chosen;
        RefusedAnswer when the answer cannot be judged."""
        places = set(_numbers(form.get(field, ())))
        return sorted(order[p] for p in places if p < len(order))

    def form_fields(self, field: str, order: Sequence[int],
                    chosen: Sequence[int]) -> dict[str, list[str]]:
        """What the page posts for the answer `chosen`: the inverse of read()."""
        return {field: [str(order.index(i)) for i in chosen]}

    # -- judging ---------------------------------------------------------------------------
    def judge(self, question: Question, chosen: Sequence[int]) -> bool:
        """All and only the correct choices: no partial credit, so a guess cannot half-pass."""
        return bool(chosen) and frozenset(chosen) == question.correct_indexes

    def right_answer(self, question: Question) -> list[int]:
        return sorted(question.correct_indexes)

    def guess_rate(self, question: Question) -> float:
        """The chance that an answer picked at random is right (the confirmation's model)."""
        return 1 / len(question.choices)

    def random_answer(self, question: Question, rng) -> list[int]:
        """What someone who does not know ticks (`flask assessment simulate`)."""
        return [rng.randrange(len(question.choices))]

    @staticmethod
    def _choice_list(raw: LineDict, problem, low: int, high: int) -> list[Choice]:
        choices = raw.get("choices")
        if not isinstance(choices, list) or not choices:
            problem(raw.line_of("choices"), "thiếu danh sách 'choices'")
            return []
        out = []
        for i, item in enumerate(choices):
            line = choices.line_of(i)
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                problem(line, "mỗi lựa chọn cần 'text' là chữ; "
                             "số hay true/false hãy đặt trong ngoặc kép, ví dụ text: \"12345678\"")
                continue
            correct = item.get("correct", False)
            if not isinstance(correct, bool):
                problem(line, "'correct' phải là true hoặc false")
                correct = False
            if not item["text"].strip():
                problem(line, "lựa chọn để trống")
            out.append(Choice(item["text"].strip(), correct))
        if not low <= len(out) <= high:
            problem(choices.line, f"cần từ {low} đến {high} lựa chọn, đang có {len(out)}")
        texts = [c.text for c in out]
        if len(set(texts)) != len(texts):
            problem(choices.line, "có hai lựa chọn giống hệt nhau")
        return out


class SingleChoice(QuestionType):
    name = "single"

    def parse(self, raw, problem):
        out = self._choice_list(raw, problem, 2, 6)
        n_correct = sum(c.correct for c in out)
        if out and n_correct != 1:
            what = "không có đáp án đúng" if n_correct == 0 else f"có {n_correct} đáp án đúng"
            problem(raw.line_of("choices"), f"câu hỏi một lựa chọn {what}; cần đúng một")
        return tuple(out)


class MultipleChoice(QuestionType):
    name = "multiple"

    def parse(self, raw, problem):
        out = self._choice_list(raw, problem, 3, 8)
        n_correct = sum(c.correct for c in out)
        if out and n_correct == 0:
            problem(raw.line_of("choices"), "câu hỏi nhiều lựa chọn không có đáp án đúng")
        elif out and n_correct == len(out):
            problem(raw.line_of("choices"), "mọi lựa chọn đều đúng; cần ít nhất một lựa chọn sai")
        return tuple(out)

    def guess_rate(self, question) -> float:
        return 1 / (2 ** len(question.choices) - 1)  # any non-empty set of boxes may be ticked

    def random_answer(self, question, rng) -> list[int]:
        n = len(question.choices)
        mask = rng.randrange(1, 2 ** n)
        return [i for i in range(n) if mask >> i & 1]


class TrueFalse(QuestionType):
    name = "true_false"
    shuffle = False

    def parse(self, raw, problem):
        if "choices" in raw:
            problem(raw.line_of("choices"), "câu Đúng/Sai không dùng 'choices', chỉ 'answer'")
        answer = raw.get("answer")
        if not isinstance(answer, bool):
            problem(raw.line_of("answer"), "câu Đúng/Sai cần 'answer: true' hoặc 'answer: false'")
            return ()
        return (Choice("Đúng", answer is True), Choice("Sai", answer is False))

    def label(self, choice):
        return str(TRUE_FALSE_LABELS[choice.text])


class Ordering(QuestionType):
    """Put 3–5 steps in order. Content lists the steps in the right order; the page shows them
    shuffled, each with a select of the numbers 1…n (no JavaScript needed); the answer is
    right only when every step is in its place."""

    name = "ordering"

    def parse(self, raw, problem):
        for key in ("choices", "answer"):
            if key in raw:
                problem(raw.line_of(key), f"câu sắp xếp không dùng '{key}', chỉ 'steps'")
        steps = raw.get("steps")
        if not isinstance(steps, LineList) or not steps:
            problem(raw.line_of("steps"), "câu sắp xếp cần 'steps': các bước, theo đúng thứ tự")
            return ()
        out = [Choice(step.strip(), True)  # every step belongs in the answer
               for i, step in enumerate(steps) if self._step_text(step, steps.line_of(i), problem)]
        if not 3 <= len(out) <= 5:
            problem(steps.line, f"cần từ 3 đến 5 bước, đang có {len(out)}")
        if len({c.text for c in out}) != len(out):
            problem(steps.line, "có hai bước giống hệt nhau")
        return tuple(out)

    @staticmethod
    def _step_text(step, line: int, problem) -> bool:
        if isinstance(step, str) and step.strip():
            return True
        problem(line, "mỗi bước là một dòng chữ; số hay true/false hãy đặt trong ngoặc kép")
        return False

    def arrange(self, question, rng):
        order = list(range(len(question.choices)))
        while order == sorted(order):  # shown in the right order, it would answer itself
            rng.shuffle(order)
        return order

    @staticmethod
    def step_field(field: str, place: int) -> str:
        """The select of the step shown at `place` ('.' never occurs in a question id)."""
        return f"{field}.{place}"

    def _numbers_given(self, field: str, n: int, form: Form) -> list[int | None]:
        """The number posted for each place on the page; None where none (or nonsense) was."""
        given = [_numbers(form.get(self.step_field(field, place), ())) for place in range(n)]
        return [g[0] if len(g) == 1 and 1 <= g[0] <= n else None for g in given]

    def read(self, field, order, form):
        n = len(order)
        numbers = self._numbers_given(field, n, form)
        if all(x is None for x in numbers):
            return []
        if None in numbers:
            raise RefusedAnswer(_l("hãy chọn số thứ tự cho mọi bước."))
        repeated = sorted({x for x in numbers if numbers.count(x) > 1})
        if repeated:
            raise RefusedAnswer(_l("mỗi số thứ tự chỉ dùng cho một bước, nhưng số %(n)s "
                                   "đang được chọn cho nhiều bước.",
                                   n=", ".join(map(str, repeated))))
        return [order[place] for place in sorted(range(n), key=numbers.__getitem__)]

    def form_fields(self, field, order, chosen):
        return {self.step_field(field, place): [str(list(chosen).index(i) + 1)]
                for place, i in enumerate(order)}

    def judge(self, question, chosen):
        return list(chosen) == self.right_answer(question)

    def right_answer(self, question):
        return list(range(len(question.choices)))

    def guess_rate(self, question):
        return 1 / math.factorial(len(question.choices))

    def random_answer(self, question, rng):
        return rng.sample(range(len(question.choices)), len(question.choices))


QUESTION_TYPES: dict[str, QuestionType] = {
    t.name: t for t in (SingleChoice(), MultipleChoice(), TrueFalse(), Ordering())
}
