"""The confirmation assessment, adaptive: ask about one competence until the evidence is
clear, stop the whole test once the outcome is settled.

Pure functions over what has been asked so far, so that the pages, the ambassador's
supervised session and `flask assessment simulate` run the very same draw, stopping and
decision code. The evidence for a competence is the log-odds that the person masters it,
under the examinee model of ../shared/ASSESSMENT.md: someone who masters it answers right
9 times in 10; someone who does not, at random (a question's guess rate). The starting odds
for a competence are those of the competences already judged (someone who has shown most
of them probably holds the next one too), so the clear cases take two questions, and the
unclear ones up to `rule.ask_at_most`.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Sequence

from app.catalog.question_types import QUESTION_TYPES
from app.catalog.types import Assessment, Question

SLIP = 0.1  # a person who masters a competence still gets one question in ten wrong
MASTERED_AT = 2.5  # log-odds: about 92% sure
NOT_MASTERED_AT = -3.0  # 95%; one slip on a four-option question (−2.0) is not enough


def guess_rate(question: Question) -> float:
    return QUESTION_TYPES[question.type].guess_rate(question)


def weight(question: Question, right: bool) -> float:
    """How much one answer moves the log-odds that the person masters its competence."""
    guess = guess_rate(question)
    return math.log((1 - SLIP) / guess) if right else math.log(SLIP / (1 - guess))


@dataclass
class Progress:
    """Where the test stands after the answers given so far, in asking order."""

    verdicts: dict[str, bool] = field(default_factory=dict)  # competence: mastered?
    evidence: dict[str, float] = field(default_factory=dict)  # competence: log-odds
    current: str | None = None  # the competence to ask about next; None: the test is over
    asked: int = 0
    passed: bool | None = None  # decided once the test is over

    @property
    def over(self) -> bool:
        return self.current is None


def order(assessment: Assessment) -> list[str]:
    """The safety competences first (a miss there settles the outcome), then content order."""
    codes = [p.competence for p in assessment.parts]
    must = [c for c in assessment.rule.must_master if c in codes]
    return must + [c for c in codes if c not in must]


def progress(assessment: Assessment, answered: Sequence[tuple[Question, bool]]) -> Progress:
    """Replay the answers (in the order they were given) through the stopping rule."""
    rule = assessment.rule
    codes = order(assessment)
    required = rule.required(len(codes))
    by_code: dict[str, list[tuple[Question, bool]]] = {c: [] for c in codes}
    for question, right in answered:
        by_code.setdefault(question.competence, []).append((question, right))
    state = Progress(asked=len(answered))
    budget_left = rule.max_questions - len(answered)
    for i, code in enumerate(codes):
        mastered = sum(state.verdicts.values())
        failed = len(state.verdicts) - mastered
        if _settled(state, rule.must_master, mastered, failed, len(codes), required):
            break
        prior = (mastered + 1) / (len(state.verdicts) + 2)
        odds = math.log(prior / (1 - prior)) + sum(weight(q, r) for q, r in by_code[code])
        state.evidence[code] = odds
        n = len(by_code[code])
        # Never judged on the starting odds alone: every competence is asked at least once.
        clear = n > 0 and (odds >= MASTERED_AT or odds <= NOT_MASTERED_AT)
        # Keep one question in hand for each competence not yet started.
        out_of_budget = budget_left <= len(codes) - i - 1 or budget_left <= 0
        if clear or n >= rule.ask_at_most or (n > 0 and out_of_budget):
            state.verdicts[code] = odds > 0
            continue
        if budget_left <= 0:
            state.verdicts[code] = False  # never asked: not shown
            continue
        state.current = code
        return state
    mastered = sum(state.verdicts.values())
    state.passed = (mastered >= required
                    and all(state.verdicts.get(c, False) for c in rule.must_master))
    return state


def _settled(state: Progress, must: tuple[str, ...], mastered: int, failed: int,
             total: int, required: int) -> bool:
    if any(state.verdicts.get(c) is False for c in must):
        return True  # a safety competence not shown: cannot pass
    if failed > total - required:
        return True  # too many not shown to reach the share
    return mastered >= required and all(state.verdicts.get(c) for c in must)


def next_question(assessment: Assessment, state: Progress, asked_ids: set[str],
                  seen_before: frozenset[str], rng: random.Random) -> Question:
    """A question of the current competence not asked in this attempt: the most telling ones
    first (a random pick among those of the same kind), questions of earlier attempts last."""
    part = assessment.part(state.current)
    candidates = [q for q in part.questions if q.id not in asked_ids]
    return min(candidates, key=lambda q: (q.id in seen_before, guess_rate(q) + 0.15 * rng.random()))


# -- taken without a signal (the ambassador's phone as a carrier) ---------------------------
# Which question comes next never depends on the answers, only whether one more is asked:
# a kit holds, per competence, every question the test could ask about it, and the answers
# are replayed on the server in the order the test asks them, up to where it stops.

def kit(assessment: Assessment, seen_before: frozenset[str], rng: random.Random) -> list[Question]:
    """Per competence in asking order, the `ask_at_most` questions next_question asks about it
    one after the other."""
    questions: list[Question] = []
    asked: set[str] = set()
    for code in order(assessment):
        state = Progress(current=code)
        for _n in range(min(assessment.rule.ask_at_most, len(assessment.part(code).questions))):
            question = next_question(assessment, state, asked, seen_before, rng)
            asked.add(question.id)
            questions.append(question)
    return questions


def replay(assessment: Assessment, answered_kit: Sequence[tuple[Question, bool]]
           ) -> tuple[list[tuple[Question, bool]], Progress]:
    """A kit answered in full, taken in the order the test asks (the next answer of the
    current competence) until it decides: (the answers it used, where it stands). Not over
    only if the kit ran out, which a kit from kit() never does."""
    waiting: dict[str, list[tuple[Question, bool]]] = {}
    for question, right in answered_kit:
        waiting.setdefault(question.competence, []).append((question, right))
    used: list[tuple[Question, bool]] = []
    state = progress(assessment, used)
    while not state.over and waiting.get(state.current):
        used.append(waiting[state.current].pop(0))
        state = progress(assessment, used)
    return used, state


# -- the simulated examinee of ../shared/ASSESSMENT.md --------------------------------------

@dataclass(frozen=True)
class SimulationResult:
    group: str
    false_pass: float
    false_fail: float
    mean_length: float
    max_length: int
    pool: int
    courses: tuple[str, ...]

    def line(self) -> str:
        return (f"{self.group}: false-pass {self.false_pass:.3f} false-fail {self.false_fail:.3f} "
                f"mean {self.mean_length:.1f} max {self.max_length} pool {self.pool} "
                f"from {','.join(self.courses)}")


def simulate(assessment: Assessment, examinees: int, seed: int,
             answer_for, grade) -> SimulationResult:
    """Run examinees through the real rule. `answer_for(question, right, rng)` returns the
    content indexes an examinee picks (a right answer, or one at random), `grade(question,
    picked)` the real grader's verdict, so the test judges what it would judge on the page."""
    rng = random.Random(seed)
    codes = order(assessment)
    required = assessment.rule.required(len(codes))
    false_pass = false_fail = qualified_n = unqualified_n = 0
    lengths = []
    for _ in range(examinees):
        ability = rng.random()
        masters = {c: rng.random() < ability for c in codes}
        qualified = (sum(masters.values()) >= required
                     and all(masters.get(c, False) for c in assessment.rule.must_master))
        answered: list[tuple[Question, bool]] = []
        asked: set[str] = set()
        state = progress(assessment, answered)
        while not state.over:
            question = next_question(assessment, state, asked, frozenset(), rng)
            asked.add(question.id)
            knows = masters[question.competence] and rng.random() >= SLIP
            picked = answer_for(question, knows, rng)
            answered.append((question, grade(question, picked)))
            state = progress(assessment, answered)
        lengths.append(len(answered))
        if qualified:
            qualified_n += 1
            false_fail += not state.passed
        else:
            unqualified_n += 1
            false_pass += bool(state.passed)
    return SimulationResult(
        assessment.group, false_pass / max(unqualified_n, 1), false_fail / max(qualified_n, 1),
        sum(lengths) / max(len(lengths), 1), max(lengths, default=0), len(assessment.pool),
        tuple(sorted({q.source.split("/courses/")[-1].split("/")[0]
                      for p in assessment.parts for q in p.questions})))
