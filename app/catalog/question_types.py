"""Question types, one class each: how content declares it, how it is shown, how it is graded.

A registry in the manner of CTFd's challenge classes: a new type is one class added to
QUESTION_TYPES, and both the validator and the grader pick it up.
"""

from __future__ import annotations

from flask_babel import lazy_pgettext

from .yamlfile import LineDict

# How a true/false question's two choices are shown, in the visitor's language.
TRUE_FALSE_LABELS = {
    "Đúng": lazy_pgettext("true_false", "Đúng"),
    "Sai": lazy_pgettext("true_false", "Sai"),
}


class QuestionType:
    name = ""
    input_kind = "radio"  # the HTML input the learner answers with
    shuffle = True

    def parse_choices(self, raw: LineDict, problem) -> list[tuple[str, bool]]:
        raise NotImplementedError

    def grade(self, correct: frozenset[int], selected: frozenset[int]) -> bool:
        """All and only the correct choices: no partial credit, so a guess cannot half-pass."""
        return bool(selected) and selected == correct

    @staticmethod
    def _choice_list(raw: LineDict, problem, low: int, high: int) -> list[tuple[str, bool]]:
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
            out.append((item["text"].strip(), correct))
        if not low <= len(out) <= high:
            problem(choices.line, f"cần từ {low} đến {high} lựa chọn, đang có {len(out)}")
        texts = [t for t, _ in out]
        if len(set(texts)) != len(texts):
            problem(choices.line, "có hai lựa chọn giống hệt nhau")
        return out


class SingleChoice(QuestionType):
    name = "single"

    def parse_choices(self, raw, problem):
        out = self._choice_list(raw, problem, 2, 6)
        n_correct = sum(c for _, c in out)
        if out and n_correct != 1:
            what = "không có đáp án đúng" if n_correct == 0 else f"có {n_correct} đáp án đúng"
            problem(raw.line_of("choices"), f"câu hỏi một lựa chọn {what}; cần đúng một")
        return out


class MultipleChoice(QuestionType):
    name = "multiple"
    input_kind = "checkbox"

    def parse_choices(self, raw, problem):
        out = self._choice_list(raw, problem, 3, 8)
        n_correct = sum(c for _, c in out)
        if out and n_correct == 0:
            problem(raw.line_of("choices"), "câu hỏi nhiều lựa chọn không có đáp án đúng")
        elif out and n_correct == len(out):
            problem(raw.line_of("choices"), "mọi lựa chọn đều đúng; cần ít nhất một lựa chọn sai")
        return out


class TrueFalse(QuestionType):
    name = "true_false"
    shuffle = False

    def parse_choices(self, raw, problem):
        if "choices" in raw:
            problem(raw.line_of("choices"), "câu Đúng/Sai không dùng 'choices', chỉ 'answer'")
        answer = raw.get("answer")
        if not isinstance(answer, bool):
            problem(raw.line_of("answer"), "câu Đúng/Sai cần 'answer: true' hoặc 'answer: false'")
            return []
        return [("Đúng", answer is True), ("Sai", answer is False)]


QUESTION_TYPES: dict[str, QuestionType] = {
    t.name: t for t in (SingleChoice(), MultipleChoice(), TrueFalse())
}
