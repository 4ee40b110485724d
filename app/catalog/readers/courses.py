"""content/courses/<course>/: course.yaml, and each module's Markdown with its front matter."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..render import render_markdown
from ..types import Course, Framework, Group, Module
from ..yamlfile import LineDict, LineList
from .collector import Collector, is_int
from .glossary import GlossaryLinker
from .places import check_places, invented_places
from .pools import read_check
from .provenance import read_reviewed, read_sources

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class Links:
    """Links between modules, checked once every course is read: (path, line, href, course, module)."""

    found: list[tuple[Path, int, str, str, str]] = field(default_factory=list)

    def check(self, col: Collector, courses: dict[str, Course]) -> None:
        for path, line, href, course_slug, module_slug in self.found:
            course = courses.get(course_slug)
            if course is None or course.module(module_slug) is None:
                col.problem(path, line, f"liên kết hỏng '{href}': không có bài học này")


@dataclass
class Shared:
    """What reading a course needs from the rest of content/ and from the configuration."""

    framework: Framework
    groups: dict[str, Group]
    links: Links
    places: frozenset[str]  # the configured province's communes and wards (places.py)
    linker: GlossaryLinker


def read_courses(col: Collector, shared: Shared) -> dict[str, Course]:
    courses: dict[str, Course] = {}
    for folder in sorted(p for p in (col.root / "courses").glob("*") if p.is_dir()):
        course = read_course(col, folder, shared)
        if course is not None:
            courses[course.slug] = course
    return courses


def read_course(col: Collector, folder: Path, shared: Shared) -> Course | None:
    path = folder / "course.yaml"
    slug = folder.name
    if not SLUG.match(slug):
        col.problem(path, 1, f"tên thư mục khóa học '{slug}' phải là chữ thường không dấu, nối bằng '-'")
    data = col.mapping(path, col.read_yaml(path), "course.yaml")
    if data is None:
        return None
    course_groups = _list(col, path, data, "groups", "thiếu 'groups' (danh sách nhóm đối tượng)")
    for i, g in enumerate(course_groups):
        if g not in shared.groups:
            col.problem(path, course_groups.line_of(i), f"nhóm đối tượng không tồn tại: '{g}'")
    module_slugs = _list(col, path, data, "modules", "thiếu 'modules' (danh sách bài học)")
    modules = _modules(col, folder, path, module_slugs, shared)
    _strays(col, folder, path, {m for m in map(str, module_slugs)})
    return Course(slug, col.text(path, data, "title"), col.text(path, data, "summary"),
                  tuple(str(g) for g in course_groups), tuple(modules))


def _list(col: Collector, path: Path, data: LineDict, key: str, missing: str) -> LineList:
    value = data.get(key)
    if not isinstance(value, LineList) or not value:
        col.problem(path, data.line_of(key), missing)
        return LineList()
    return value


def _modules(col: Collector, folder: Path, path: Path, module_slugs: LineList,
             shared: Shared) -> list[Module]:
    modules: list[Module] = []
    listed: set[str] = set()
    for i, mslug in enumerate(module_slugs):
        line = module_slugs.line_of(i)
        mslug = str(mslug)
        if mslug in listed:
            col.problem(path, line, f"bài học '{mslug}' được liệt kê hai lần")
            continue
        listed.add(mslug)
        mpath = folder / "modules" / f"{mslug}.md"
        if not SLUG.match(mslug) or not mpath.is_file():
            col.problem(path, line, f"không có bài học '{mslug}' (cần tệp {col.rel(mpath)})")
            continue
        module = read_module(col, mpath, folder.name, len(modules) + 1, shared)
        if module is not None:
            modules.append(module)
    return modules


def _strays(col: Collector, folder: Path, path: Path, listed: set[str]) -> None:
    for stray in sorted((folder / "modules").glob("*.md")):
        if stray.stem not in listed:
            col.problem(stray, 1, f"bài học không có trong {col.rel(path)}: thêm vào 'modules' hoặc xóa tệp")
    for stray in sorted((folder / "checks").glob("*.yaml")):
        if stray.stem not in listed:
            col.problem(stray, 1, f"bài kiểm tra không ứng với bài học nào trong {col.rel(path)}")


@dataclass
class MarkdownFile:
    """A Markdown file split into its YAML front matter and its body."""

    front: LineDict
    body: str
    body_offset: int  # body line n is file line n + body_offset
    text: str  # the whole file

    def body_line(self, needle: str) -> int:
        """The file line where `needle` (its first line) is written; the body's first if nowhere."""
        needle = needle.strip().splitlines()[0] if needle.strip() else needle
        for n, line in enumerate(self.body.splitlines(), start=1):
            if needle and needle in line:
                return n + self.body_offset
        return self.body_offset + 1


def read_markdown_file(col: Collector, path: Path, what: str = "bài học") -> MarkdownFile | None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        col.problem(path, 1, "tệp phải được lưu bằng mã UTF-8")
        return None
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        col.problem(path, 1, f"{what} phải bắt đầu bằng phần đầu YAML giữa hai dòng '---'")
        return None
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        col.problem(path, 1, "phần đầu YAML chưa được đóng bằng dòng '---'")
        return None
    front = col.mapping(path, col.read_yaml(path, line_offset=1, text="\n".join(lines[1:end])),
                        "phần đầu")
    if front is None:
        return None
    return MarkdownFile(front, "\n".join(lines[end + 1:]), end + 1, text)


def render_body(col: Collector, path: Path, doc: MarkdownFile, course_slug: str, links: Links):
    """The body as sanitised HTML; what the sanitiser would drop or break is a problem."""
    rendered = render_markdown(doc.body, course_slug)
    for raw in rendered.raw_html:
        col.problem(path, doc.body_line(raw),
                    f"không dùng HTML trực tiếp ({raw.strip()[:40]}); hãy viết bằng Markdown")
    for href, why in rendered.bad_links:
        col.problem(path, doc.body_line(f"({href}"), f"liên kết '{href}': {why}")
    for heading in rendered.top_headings:
        col.problem(path, doc.body_line(heading),
                    "tiêu đề mục dùng '##' trở xuống (tên bài lấy từ 'title')")
    for href, course, module in rendered.module_links:
        links.found.append((path, doc.body_line(f"({href}"), href, course, module))
    return rendered


def read_module(col: Collector, path: Path, course_slug: str, position: int,
                shared: Shared) -> Module | None:
    doc = read_markdown_file(col, path)
    if doc is None:
        return None
    front = doc.front
    competences = competence_list(col, path, front, shared.framework)
    minutes = front.get("minutes")
    if not is_int(minutes, 1, 240):
        col.problem(path, front.line_of("minutes"), "'minutes' phải là số phút từ 1 đến 240")
        minutes = 0
    rendered = render_body(col, path, doc, course_slug, shared.links)
    slug = path.stem
    check_path = path.parent.parent / "checks" / f"{slug}.yaml"
    check = read_check(col, check_path, course_slug, slug, shared.framework)
    _check_module_places(col, path, doc, check_path if check else None, shared.places)
    return Module(slug, course_slug, position, col.text(path, front, "title"),
                  col.text(path, front, "summary", required=False), competences,
                  minutes, shared.linker.link(rendered.html), rendered.words, check,
                  read_sources(col, path, front), read_reviewed(col, path, front))


def _check_module_places(col: Collector, path: Path, doc: MarkdownFile, check_path: Path | None,
                         places: frozenset[str]) -> None:
    """The module's text and its questions' texts name only real places, or declared ones."""
    invented = invented_places(col, path, doc.front)
    check_places(col, path, doc.text, places, invented)
    if check_path is not None:
        check_places(col, check_path, check_path.read_text(encoding="utf-8"), places, invented)


def competence_list(col: Collector, path: Path, data: LineDict,
                    framework: Framework) -> tuple[str, ...]:
    raw = data.get("competences")
    if not isinstance(raw, LineList) or not raw:
        col.problem(path, data.line_of("competences"), "thiếu 'competences' (mã năng lực, ví dụ \"4.2\")")
        return ()
    known = framework.competences
    out = []
    for i, code in enumerate(raw):
        code = str(code)
        if code not in known:
            col.problem(path, raw.line_of(i), f"mã năng lực không có trong khung: '{code}'")
        else:
            out.append(code)
    return tuple(out)
