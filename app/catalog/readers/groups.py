"""content/groups.yaml: the target groups and the programme (course list) of each."""

from __future__ import annotations

from pathlib import Path

from ..types import Course, Group
from ..yamlfile import LineList
from .collector import Collector

Programmes = dict[str, tuple[Path, LineList]]  # group slug → where its programme is written


def read_groups(col: Collector) -> tuple[dict[str, Group], Programmes]:
    path = col.root / "groups.yaml"
    data = col.read_yaml(path)
    groups: dict[str, Group] = {}
    programmes: Programmes = {}
    if not isinstance(data, list):
        col.problem(path, getattr(data, "line", 1), "groups.yaml phải là một danh sách nhóm")
        return groups, programmes
    for raw in data:
        raw = col.mapping(path, raw, "mỗi nhóm")
        if raw is None:
            continue
        slug = col.text(path, raw, "slug")
        if slug in groups:
            col.problem(path, raw.line_of("slug"), f"nhóm '{slug}' bị lặp lại")
        programme = raw.get("programme")
        if not isinstance(programme, LineList):
            col.problem(path, raw.line_of("programme"), "thiếu 'programme' (danh sách khóa học)")
            programme = LineList()
        programmes[slug] = (path, programme)
        groups[slug] = Group(slug, col.text(path, raw, "name"), col.text(path, raw, "name_en"),
                             col.text(path, raw, "description", required=False),
                             tuple(str(s) for s in programme))
    return groups, programmes


def check_programmes(col: Collector, programmes: Programmes, courses: dict[str, Course]) -> None:
    """Once the courses are read: every course a programme names exists."""
    for slug, (path, programme) in programmes.items():
        for i, course_slug in enumerate(programme):
            if course_slug not in courses:
                col.problem(path, programme.line_of(i),
                            f"chương trình của nhóm '{slug}' có khóa học không tồn tại: '{course_slug}'")
