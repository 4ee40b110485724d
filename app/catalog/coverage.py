"""Where each competence is taught and assessed, per target group's programme."""

from __future__ import annotations

from dataclasses import dataclass

from .types import Catalog, Course, Module


@dataclass(frozen=True)
class Cell:
    modules: tuple[Module, ...]  # modules of the group's programme that teach the competence
    questions: int  # questions of the programme's checks that measure it

    @property
    def taught(self) -> bool:
        return bool(self.modules)

    @property
    def assessed(self) -> bool:
        return self.questions > 0


def programme_matrix(catalog: Catalog) -> dict[str, dict[str, Cell]]:
    """group slug → competence code → what the group's programme offers for it."""
    matrix = {}
    for group in catalog.groups.values():
        courses = catalog.programme(group.slug)
        matrix[group.slug] = {
            code: Cell(
                tuple(m for c in courses for m in c.modules if code in m.competences),
                sum(1 for c in courses for m in c.modules if m.check
                    for q in m.check.questions if q.competence == code),
            )
            for code in catalog.framework.competences
        }
    return matrix


def gaps(catalog: Catalog) -> list[tuple[str, str, str]]:
    """(group, competence, what is missing) for every hole in a group's programme."""
    found = []
    for group, row in programme_matrix(catalog).items():
        confirmation = catalog.assessment_for(group)
        required = {p.competence for p in confirmation.parts} if confirmation else set()
        for code, cell in row.items():
            if not cell.taught:
                why = "không được dạy" + (" nhưng có trong bài xác nhận" if code in required else "")
                found.append((group, code, why))
            if not cell.assessed:
                found.append((group, code, "không có câu hỏi trong các bài kiểm tra"))
        if confirmation is None:
            found.append((group, "-", "nhóm chưa có bài đánh giá xác nhận"))
    return found


def where_taught(catalog: Catalog) -> dict[str, list[tuple[Course, Module]]]:
    """competence code → every (course, module) teaching it, in catalog order."""
    out: dict[str, list[tuple[Course, Module]]] = {code: [] for code in catalog.framework.competences}
    for course in catalog.courses.values():
        for module in course.modules:
            for code in module.competences:
                out[code].append((course, module))
    return out


def bank_counts(catalog: Catalog) -> dict[str, int]:
    counts = {code: 0 for code in catalog.framework.competences}
    for q in catalog.questions.values():
        counts[q.competence] += 1
    return counts
