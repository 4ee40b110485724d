"""Reads content/, validates every file, and builds the immutable Catalog.

Every problem is collected (not just the first) as `path:line: message`, so a content
editor fixes a whole batch in one go. Each kind of file has its reader in readers/.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

from app.config import Config

from .readers.assessments import read_assessments
from .readers.collector import Collector, ContentError, Problem
from .readers.courses import Links, Shared, read_courses
from .readers.framework import read_framework
from .readers.glossary import GlossaryLinker, read_glossary
from .readers.groups import check_programmes, read_groups
from .readers.help import read_help
from .readers.places import known_places
from .readers.pools import index_questions
from .readers.targets import read_targets
from .types import Catalog

__all__ = ["ContentError", "Problem", "load_catalog"]


def load_catalog(content_dir: str | Path, province_code: int | None = None) -> Catalog:
    """Load and validate content/; raises ContentError listing every problem.

    `province_code` (default: the configured PROVINCE_CODE) is whose communes and wards
    the content may name."""
    if province_code is None:
        province_code = Config.PROVINCE_CODE
    root = Path(content_dir).resolve()
    if not root.is_dir():
        raise ContentError([Problem(str(root), 0, "không tìm thấy thư mục nội dung")])
    col = Collector(root)
    framework = read_framework(col)
    groups, programmes = read_groups(col)
    links = Links()
    glossary = read_glossary(col)
    courses = read_courses(col, Shared(framework, groups, links, known_places(province_code),
                                       GlossaryLinker(glossary)))
    help_page = read_help(col, links)
    links.check(col, courses)
    check_programmes(col, programmes, courses)
    questions = index_questions(col, courses)
    assessments = read_assessments(col, framework, groups, courses, questions)
    targets = read_targets(col, groups)
    if col.problems:
        raise ContentError(col.problems)
    return Catalog(framework, MappingProxyType(groups), MappingProxyType(courses),
                   MappingProxyType(questions), MappingProxyType(assessments), targets=targets, glossary=glossary,
                   help=help_page, warnings=tuple(str(w) for w in sorted(col.warnings)))
