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
    course_slug: str
    module_slug: str
    pass_mark: int  # percent
    draw: int
    questions: tuple[Question, ...]

    @property
    def key(self) -> str:
        return f"{self.course_slug}/{self.module_slug}"


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

    def course(self, slug: str) -> Course | None:
        return self.courses.get(slug)

    def check(self, key: str) -> Check | None:
        course_slug, _, module_slug = key.partition("/")
        course = self.courses.get(course_slug)
        module = course.module(module_slug) if course else None
        return module.check if module else None

    def programme(self, group_slug: str | None) -> tuple[Course, ...]:
        group = self.groups.get(group_slug or "")
        return tuple(self.courses[s] for s in group.programme) if group else ()

    def courses_for(self, group_slug: str | None) -> tuple[tuple[Course, ...], tuple[Course, ...]]:
        """The group's programme first, then every other course."""
        mine = self.programme(group_slug)
        others = tuple(c for c in self.courses.values() if c not in mine)
        return mine, others
