"""The catalog's immutable types: what content/ says, parsed and rendered once."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping


@dataclass(frozen=True)
class Level:
    code: str  # CB1 … CS2
    rank: int  # 1 … 8
    name: str
    name_en: str


@dataclass(frozen=True)
class Competence:
    code: str  # "4.2"
    domain_code: str  # "4"
    name: str
    name_en: str


@dataclass(frozen=True)
class Domain:
    code: str
    name: str
    name_en: str
    competences: tuple[Competence, ...]


@dataclass(frozen=True)
class Framework:
    domains: tuple[Domain, ...]
    levels: tuple[Level, ...]

    @property
    def competences(self) -> dict[str, Competence]:
        return {c.code: c for d in self.domains for c in d.competences}

    @property
    def levels_by_code(self) -> dict[str, Level]:
        return {lv.code: lv for lv in self.levels}


@dataclass(frozen=True)
class Group:
    slug: str
    name: str
    name_en: str
    description: str
    programme: tuple[str, ...]  # course slugs, in the order the group should take them


@dataclass(frozen=True)
class Choice:
    text: str
    correct: bool


@dataclass(frozen=True)
class Question:
    id: str
    type: str  # a key of QUESTION_TYPES
    competence: str
    level: str
    prompt: str
    choices: tuple[Choice, ...]
    explanation: str
    source: str  # "path:line", for messages to content editors

    @property
    def correct_indexes(self) -> frozenset[int]:
        return frozenset(i for i, c in enumerate(self.choices) if c.correct)


@dataclass(frozen=True)
class Check:
    """A module's knowledge check: `draw` questions from the module's pool."""

    course_slug: str
    module_slug: str
    pass_mark: int  # percent
    draw: int
    questions: tuple[Question, ...]

    @property
    def key(self) -> str:
        return f"{self.course_slug}/{self.module_slug}"

    @property
    def pool(self) -> frozenset[str]:
        return frozenset(q.id for q in self.questions)

    def pick(self, rng) -> list[Question]:
        return rng.sample(self.questions, self.draw)

    def passes(self, correct: int, total: int, by_competence: dict[str, tuple[int, int]]) -> bool:
        return total > 0 and 100 * correct >= self.pass_mark * total


@dataclass(frozen=True)
class AssessmentPart:
    """What the confirmation assessment asks of one competence."""

    competence: str
    max_level: str  # questions up to this level are drawn
    count: int  # how many are drawn
    min_percent: int  # the least share of them the learner must get right (0: no minimum)
    questions: tuple[Question, ...]  # the bank's questions that fit


@dataclass(frozen=True)
class Assessment:
    """The confirmation assessment of a target group ("xác nhận đạt phổ cập kỹ năng số"):
    questions drawn from the whole bank, competence by competence, with a pass rule that
    is content, so a province can change it."""

    slug: str
    group: str
    title: str
    summary: str
    requires: tuple[str, ...]  # course slugs to complete first
    pass_mark: int  # overall percent
    parts: tuple[AssessmentPart, ...]

    @property
    def key(self) -> str:
        return f"assessment:{self.slug}"

    @property
    def draw(self) -> int:
        return sum(p.count for p in self.parts)

    @property
    def pool(self) -> frozenset[str]:
        return frozenset(q.id for p in self.parts for q in p.questions)

    def pick(self, rng) -> list[Question]:
        picked = [q for p in self.parts for q in rng.sample(p.questions, p.count)]
        rng.shuffle(picked)
        return picked

    def passes(self, correct: int, total: int, by_competence: dict[str, tuple[int, int]]) -> bool:
        if total == 0 or 100 * correct < self.pass_mark * total:
            return False
        for part in self.parts:
            right, asked = by_competence.get(part.competence, (0, 0))
            if part.min_percent and (asked == 0 or 100 * right < part.min_percent * asked):
                return False
        return True


@dataclass(frozen=True)
class Module:
    slug: str
    course_slug: str
    position: int  # 1-based
    title: str
    summary: str
    competences: tuple[str, ...]
    minutes: int
    html: str  # sanitised at load
    words: int
    check: Check | None


@dataclass(frozen=True)
class Course:
    slug: str
    title: str
    summary: str
    groups: tuple[str, ...]
    modules: tuple[Module, ...]

    def module(self, slug: str) -> Module | None:
        return next((m for m in self.modules if m.slug == slug), None)

    @property
    def checks(self) -> tuple[Check, ...]:
        return tuple(m.check for m in self.modules if m.check is not None)

    @property
    def minutes(self) -> int:
        return sum(m.minutes for m in self.modules)

    @property
    def competences(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for m in self.modules:
            seen.update(dict.fromkeys(m.competences))
        return tuple(seen)


@dataclass(frozen=True)
class Catalog:
    framework: Framework
    groups: Mapping[str, Group]
    courses: Mapping[str, Course]
    questions: Mapping[str, Question] = field(default_factory=lambda: MappingProxyType({}))
    assessments: Mapping[str, Assessment] = field(default_factory=lambda: MappingProxyType({}))

    def course(self, slug: str) -> Course | None:
        return self.courses.get(slug)

    def check(self, key: str) -> Check | Assessment | None:
        """A module's check ("course/module") or a confirmation assessment ("assessment:slug")."""
        if key.startswith("assessment:"):
            return self.assessments.get(key.removeprefix("assessment:"))
        course_slug, _, module_slug = key.partition("/")
        course = self.courses.get(course_slug)
        module = course.module(module_slug) if course else None
        return module.check if module else None

    def assessment_for(self, group_slug: str | None) -> Assessment | None:
        return next((a for a in self.assessments.values() if a.group == group_slug), None)

    def programme(self, group_slug: str | None) -> tuple[Course, ...]:
        group = self.groups.get(group_slug or "")
        return tuple(self.courses[s] for s in group.programme) if group else ()

    def courses_for(self, group_slug: str | None) -> tuple[tuple[Course, ...], tuple[Course, ...]]:
        """The group's programme first, then every other course."""
        mine = self.programme(group_slug)
        others = tuple(c for c in self.courses.values() if c not in mine)
        return mine, others
