"""The catalog's immutable types: what content/ says, parsed and rendered once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
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
    # Groups whose confirmation may ask it although it sits outside their programme.
    groups: tuple[str, ...] = ()

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

    def pick(self, rng, avoid: frozenset[str] = frozenset()) -> list[Question]:
        """`draw` questions, none of `avoid` (the previous attempt's) while the pool allows,
        then the fewest repeats."""
        fresh = [q for q in self.questions if q.id not in avoid]
        if len(fresh) >= self.draw:
            return rng.sample(fresh, self.draw)
        again = [q for q in self.questions if q.id in avoid]
        return rng.sample(fresh, len(fresh)) + rng.sample(again, self.draw - len(fresh))

    def passes(self, correct: int, total: int, by_competence: dict[str, tuple[int, int]]) -> bool:
        return total > 0 and 100 * correct >= self.pass_mark * total


@dataclass(frozen=True)
class AssessmentPart:
    """What the confirmation assessment asks of one competence."""

    competence: str
    max_level: str  # questions up to this level are asked
    questions: tuple[Question, ...]  # the group's programme questions that fit


@dataclass(frozen=True)
class ConfirmationRule:
    """How the confirmation decides (content: `rule:` in assessments/<group>.yaml). A person
    passes when the evidence shows they master `master_share`% of the listed competences
    (rounded up), every one of `must_master` among them, as ../shared/ASSESSMENT.md defines."""

    master_share: int  # percent
    must_master: tuple[str, ...]  # the safety competences 4.1 and 4.2
    ask_at_most: int  # questions about one competence before it is judged anyway
    max_questions: int  # the whole test never asks more

    def required(self, competences: int) -> int:
        return -(-competences * self.master_share // 100)


@dataclass(frozen=True)
class Assessment:
    """The confirmation assessment of a target group ("xác nhận đạt phổ cập kỹ năng số"):
    adaptive, competence by competence, from the questions of the group's own programme,
    with a decision rule that is content, so a province can change it."""

    slug: str
    group: str
    title: str
    summary: str
    requires: tuple[str, ...]  # course slugs to complete first
    rule: ConfirmationRule
    parts: tuple[AssessmentPart, ...]
    courses: tuple[str, ...]  # where its questions come from: the group's programme
    title_en: str = ""  # shown in English mode; `flask content check` asks for them
    summary_en: str = ""

    @property
    def key(self) -> str:
        return f"assessment:{self.slug}"

    @property
    def pass_mark(self) -> int:
        """Stored with each attempt: the share of competences to master."""
        return self.rule.master_share

    @property
    def draw(self) -> int:
        return self.rule.max_questions

    @property
    def pool(self) -> frozenset[str]:
        return frozenset(q.id for p in self.parts for q in p.questions)

    def part(self, competence: str) -> AssessmentPart | None:
        return next((p for p in self.parts if p.competence == competence), None)


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
    sources: tuple[str, ...] = ()  # the laws, decrees and official pages its facts rest on
    reviewed: date | None = None  # when its facts were last checked


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
class GlossaryTerm:
    """One idea, one word (content/glossary.yaml); module pages link its first use here."""

    term: str
    aliases: tuple[str, ...]
    en: str
    definition: str
    anchor: str  # the id on the glossary page

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.term,) + self.aliases


@dataclass(frozen=True)
class HelpPage:
    """content/help.md: where to turn when something goes wrong ("Khi cần giúp đỡ")."""

    title: str
    summary: str
    sources: tuple[str, ...]
    reviewed: date | None
    html: str  # sanitised at load


INDICATORS = ("trained", "confirmed")  # finished the group's programme; passed its confirmation


@dataclass(frozen=True)
class GroupTarget:
    trained: int | None = None  # percent of the group's people
    confirmed: int | None = None
    note: str = ""  # the plan's own wording of the scope, shown beside the figures
    note_en: str = ""  # the same in English

    def get(self, indicator: str) -> int | None:
        return getattr(self, indicator)


@dataclass(frozen=True)
class Targets:
    """The plan's targets (content/targets.yaml): year → group → percent per indicator."""

    years: Mapping[int, Mapping[str, GroupTarget]]

    def get(self, year: int, group_slug: str) -> GroupTarget:
        return self.years.get(year, {}).get(group_slug) or GroupTarget()

    def default_year(self, this_year: int) -> int:
        """This year if the plan has targets for it, else the nearest year that has."""
        if not self.years or this_year in self.years:
            return this_year
        return min(self.years, key=lambda y: (abs(y - this_year), -y))


EMPTY_TARGETS = Targets(MappingProxyType({}))


@dataclass(frozen=True)
class Catalog:
    framework: Framework
    groups: Mapping[str, Group]
    courses: Mapping[str, Course]
    questions: Mapping[str, Question] = field(default_factory=lambda: MappingProxyType({}))
    assessments: Mapping[str, Assessment] = field(default_factory=lambda: MappingProxyType({}))
    targets: Targets = EMPTY_TARGETS
    glossary: tuple[GlossaryTerm, ...] = ()
    help: HelpPage | None = None  # None: the content has no help.md
    # What `flask content check` prints without refusing (e.g. a module due for review).
    warnings: tuple[str, ...] = ()

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
