"""Reads content/, validates every file, and builds the immutable Catalog.

Every problem is collected (not just the first) as `path:line: message`, so a content
editor fixes a whole batch in one go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from .question_types import QUESTION_TYPES
from .render import render_markdown
from .types import (
    Assessment, AssessmentPart, Catalog, Check, Choice, Competence, Course, Domain, Framework,
    Group, Level, Module, Question,
)
from .yamlfile import LineDict, LineList, YamlError, load_yaml

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
QUESTION_ID = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentError(Exception):
    """The content cannot be served; str() lists every problem, one per line."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__(
            f"{len(self.problems)} lỗi nội dung:\n" + "\n".join(map(str, self.problems))
        )


class _Loader:
    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []

    # -- helpers ---------------------------------------------------------------------
    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def problem(self, path: Path, line: int, message: str) -> None:
        self.problems.append(Problem(self.rel(path), line, message))

    def read_yaml(self, path: Path, line_offset: int = 0, text: str | None = None):
        try:
            if text is None:
                text = path.read_text(encoding="utf-8")
            data = load_yaml(text, line_offset)
        except FileNotFoundError:
            self.problem(path, 1, "không tìm thấy tệp")
            return None
        except UnicodeDecodeError:
            self.problem(path, 1, "tệp phải được lưu bằng mã UTF-8")
            return None
        except YamlError as exc:
            self.problem(path, exc.line, exc.message)
            return None
        if data is None:
            self.problem(path, 1 + line_offset, "tệp (hoặc phần đầu) đang trống")
            return None
        self._duplicate_keys(path, data)
        return data

    def _duplicate_keys(self, path: Path, data) -> None:
        if isinstance(data, LineDict):
            for key, line in data.duplicate_keys:
                self.problem(path, line, f"khóa '{key}' bị lặp lại")
            for value in data.values():
                self._duplicate_keys(path, value)
        elif isinstance(data, list):
            for value in data:
                self._duplicate_keys(path, value)

    def text(self, path: Path, data: LineDict, key: str, required: bool = True) -> str:
        value = data.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if required:
            self.problem(path, data.line_of(key), f"thiếu '{key}' (một dòng chữ)")
        return ""

    def pass_mark(self, path: Path, data: LineDict) -> int:
        value = data.get("pass_mark")
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 100:
            self.problem(path, data.line_of("pass_mark"), "'pass_mark' phải là phần trăm từ 1 đến 100")
            return 100
        return value

    def mapping(self, path: Path, data, what: str) -> LineDict | None:
        if isinstance(data, LineDict):
            return data
        if data is None:  # unreadable: read_yaml has reported why
            return None
        line = getattr(data, "line", 1)
        self.problem(path, line, f"{what} phải là một bảng khóa: giá trị")
        return None

    # -- framework -------------------------------------------------------------------
    def framework(self) -> Framework:
        path = self.root / "framework.yaml"
        data = self.mapping(path, self.read_yaml(path), "framework.yaml")
        if data is None:
            return Framework(domains=(), levels=())
        levels = []
        for i, raw in enumerate(data.get("levels") or []):
            raw = self.mapping(path, raw, "mỗi trình độ")
            if raw is not None:
                levels.append(Level(self.text(path, raw, "code"), i + 1,
                                    self.text(path, raw, "name"), self.text(path, raw, "name_en")))
        domains = []
        seen: set[str] = set()
        for raw in data.get("domains") or []:
            raw = self.mapping(path, raw, "mỗi miền năng lực")
            if raw is None:
                continue
            code = self.text(path, raw, "code")
            competences = []
            for craw in raw.get("competences") or []:
                craw = self.mapping(path, craw, "mỗi năng lực")
                if craw is None:
                    continue
                ccode = self.text(path, craw, "code")
                if ccode.partition(".")[0] != code:
                    self.problem(path, craw.line_of("code"),
                                 f"năng lực {ccode} không thuộc miền {code}")
                if ccode in seen:
                    self.problem(path, craw.line_of("code"), f"mã năng lực {ccode} bị lặp lại")
                seen.add(ccode)
                competences.append(Competence(ccode, code, self.text(path, craw, "name"),
                                              self.text(path, craw, "name_en")))
            domains.append(Domain(code, self.text(path, raw, "name"),
                                  self.text(path, raw, "name_en"), tuple(competences)))
        if not domains or not levels:
            self.problem(path, 1, "cần 'domains' và 'levels'")
        return Framework(domains=tuple(domains), levels=tuple(levels))

    # -- groups ----------------------------------------------------------------------
    def groups(self) -> tuple[dict[str, Group], dict[str, tuple[Path, LineList]]]:
        path = self.root / "groups.yaml"
        data = self.read_yaml(path)
        groups: dict[str, Group] = {}
        programmes: dict[str, tuple[Path, LineList]] = {}
        if not isinstance(data, list):
            self.problem(path, getattr(data, "line", 1), "groups.yaml phải là một danh sách nhóm")
            return groups, programmes
        for raw in data:
            raw = self.mapping(path, raw, "mỗi nhóm")
            if raw is None:
                continue
            slug = self.text(path, raw, "slug")
            if slug in groups:
                self.problem(path, raw.line_of("slug"), f"nhóm '{slug}' bị lặp lại")
            programme = raw.get("programme")
            if not isinstance(programme, LineList):
                self.problem(path, raw.line_of("programme"), "thiếu 'programme' (danh sách khóa học)")
                programme = LineList()
            programmes[slug] = (path, programme)
            groups[slug] = Group(slug, self.text(path, raw, "name"), self.text(path, raw, "name_en"),
                                 self.text(path, raw, "description", required=False),
                                 tuple(str(s) for s in programme))
        return groups, programmes

    # -- courses ---------------------------------------------------------------------
    def course(self, folder: Path, framework: Framework, groups: dict[str, Group],
               links: list) -> Course | None:
        path = folder / "course.yaml"
        slug = folder.name
        if not SLUG.match(slug):
            self.problem(path, 1, f"tên thư mục khóa học '{slug}' phải là chữ thường không dấu, nối bằng '-'")
        data = self.mapping(path, self.read_yaml(path), "course.yaml")
        if data is None:
            return None
        course_groups = data.get("groups")
        if not isinstance(course_groups, LineList) or not course_groups:
            self.problem(path, data.line_of("groups"), "thiếu 'groups' (danh sách nhóm đối tượng)")
            course_groups = LineList()
        for i, g in enumerate(course_groups):
            if g not in groups:
                self.problem(path, course_groups.line_of(i), f"nhóm đối tượng không tồn tại: '{g}'")
        module_slugs = data.get("modules")
        if not isinstance(module_slugs, LineList) or not module_slugs:
            self.problem(path, data.line_of("modules"), "thiếu 'modules' (danh sách bài học)")
            module_slugs = LineList()
        modules = []
        listed = set()
        for i, mslug in enumerate(module_slugs):
            line = module_slugs.line_of(i)
            mslug = str(mslug)
            if mslug in listed:
                self.problem(path, line, f"bài học '{mslug}' được liệt kê hai lần")
                continue
            listed.add(mslug)
            mpath = folder / "modules" / f"{mslug}.md"
            if not SLUG.match(mslug) or not mpath.is_file():
                self.problem(path, line, f"không có bài học '{mslug}' (cần tệp {self.rel(mpath)})")
                continue
            module = self.module(mpath, slug, len(modules) + 1, framework, links)
            if module is not None:
                modules.append(module)
        for stray in sorted((folder / "modules").glob("*.md")):
            if stray.stem not in listed:
                self.problem(stray, 1, f"bài học không có trong {self.rel(path)}: thêm vào 'modules' hoặc xóa tệp")
        for stray in sorted((folder / "checks").glob("*.yaml")):
            if stray.stem not in listed:
                self.problem(stray, 1, f"bài kiểm tra không ứng với bài học nào trong {self.rel(path)}")
        return Course(slug, self.text(path, data, "title"), self.text(path, data, "summary"),
                      tuple(str(g) for g in course_groups), tuple(modules))

    def module(self, path: Path, course_slug: str, position: int, framework: Framework,
               links: list) -> Module | None:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self.problem(path, 1, "tệp phải được lưu bằng mã UTF-8")
            return None
        lines = text.splitlines()
        if not lines or lines[0].strip() != "---":
            self.problem(path, 1, "bài học phải bắt đầu bằng phần đầu YAML giữa hai dòng '---'")
            return None
        try:
            end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
        except StopIteration:
            self.problem(path, 1, "phần đầu YAML chưa được đóng bằng dòng '---'")
            return None
        front = self.mapping(path, self.read_yaml(path, line_offset=1, text="\n".join(lines[1:end])),
                             "phần đầu")
        if front is None:
            return None
        body = "\n".join(lines[end + 1:])
        body_offset = end + 1  # body line n is file line n + body_offset

        competences = self.competence_list(path, front, framework)
        minutes = front.get("minutes")
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 240:
            self.problem(path, front.line_of("minutes"), "'minutes' phải là số phút từ 1 đến 240")
            minutes = 0

        rendered = render_markdown(body, course_slug)

        def body_line(needle: str) -> int:
            needle = needle.strip().splitlines()[0] if needle.strip() else needle
            for n, line in enumerate(body.splitlines(), start=1):
                if needle and needle in line:
                    return n + body_offset
            return body_offset + 1

        for raw in rendered.raw_html:
            self.problem(path, body_line(raw), f"không dùng HTML trực tiếp ({raw.strip()[:40]}); hãy viết bằng Markdown")
        for href, why in rendered.bad_links:
            self.problem(path, body_line(f"({href}"), f"liên kết '{href}': {why}")
        for heading in rendered.top_headings:
            self.problem(path, body_line(heading), "tiêu đề mục dùng '##' trở xuống (tên bài lấy từ 'title')")
        for href, course, module in rendered.module_links:
            links.append((path, body_line(f"({href}"), href, course, module))

        slug = path.stem
        check = self.check(path.parent.parent / "checks" / f"{slug}.yaml", course_slug, slug,
                           framework)
        return Module(slug, course_slug, position, self.text(path, front, "title"),
                      self.text(path, front, "summary", required=False), competences,
                      minutes, rendered.html, rendered.words, check)

    def competence_list(self, path: Path, data: LineDict, framework: Framework) -> tuple[str, ...]:
        raw = data.get("competences")
        if not isinstance(raw, LineList) or not raw:
            self.problem(path, data.line_of("competences"), "thiếu 'competences' (mã năng lực, ví dụ \"4.2\")")
            return ()
        known = framework.competences
        out = []
        for i, code in enumerate(raw):
            code = str(code)
            if code not in known:
                self.problem(path, raw.line_of(i), f"mã năng lực không có trong khung: '{code}'")
            else:
                out.append(code)
        return tuple(out)

    def check(self, path: Path, course_slug: str, module_slug: str,
              framework: Framework) -> Check | None:
        if not path.exists():
            return None
        data = self.mapping(path, self.read_yaml(path), "bài kiểm tra")
        if data is None:
            return None
        pass_mark = self.pass_mark(path, data)
        raw_questions = data.get("questions")
        if not isinstance(raw_questions, LineList) or not raw_questions:
            self.problem(path, data.line_of("questions"), "thiếu 'questions'")
            raw_questions = LineList()
        questions = [q for q in (self.question(path, raw, framework) for raw in raw_questions) if q]
        draw = data.get("draw")
        if not isinstance(draw, int) or isinstance(draw, bool) or draw < 1:
            self.problem(path, data.line_of("draw"), "'draw' phải là số câu hỏi mỗi lượt làm bài (≥ 1)")
            draw = 1
        elif draw > len(raw_questions):
            self.problem(path, data.line_of("draw"),
                         f"'draw' là {draw} nhưng ngân hàng chỉ có {len(raw_questions)} câu hỏi")
        return Check(course_slug, module_slug, pass_mark, draw, tuple(questions))

    def question(self, path: Path, raw, framework: Framework) -> Question | None:
        raw = self.mapping(path, raw, "mỗi câu hỏi")
        if raw is None:
            return None
        before = len(self.problems)

        def problem(line: int, message: str) -> None:
            self.problem(path, line, message)

        qid = self.text(path, raw, "id")
        if qid and not QUESTION_ID.match(qid):
            problem(raw.line_of("id"), f"mã câu hỏi '{qid}' chỉ gồm chữ thường không dấu, số, '-' và '_'")
        competence = self.text(path, raw, "competence")
        if competence and competence not in framework.competences:
            problem(raw.line_of("competence"), f"mã năng lực không có trong khung: '{competence}'")
        level = self.text(path, raw, "level")
        if level and level not in framework.levels_by_code:
            problem(raw.line_of("level"), f"trình độ không hợp lệ: '{level}' (CB1 … CS2)")
        qtype = QUESTION_TYPES.get(str(raw.get("type")))
        if qtype is None:
            problem(raw.line_of("type"), f"loại câu hỏi không hợp lệ: '{raw.get('type')}' "
                                         f"(dùng {', '.join(QUESTION_TYPES)})")
            choices = []
        else:
            choices = qtype.parse_choices(raw, problem)
        prompt = self.text(path, raw, "prompt")
        explanation = self.text(path, raw, "explanation")
        if len(self.problems) > before:
            return None
        return Question(qid, qtype.name, competence, level, prompt,
                        tuple(Choice(t, c) for t, c in choices), explanation,
                        f"{self.rel(path)}:{raw.line}")

    # -- confirmation assessments ------------------------------------------------------
    def assessment(self, path: Path, framework: Framework, groups: dict[str, Group],
                   courses: dict[str, Course], questions: dict[str, Question]) -> Assessment | None:
        data = self.mapping(path, self.read_yaml(path), "bài đánh giá xác nhận")
        if data is None:
            return None
        slug = path.stem
        if not SLUG.match(slug):
            self.problem(path, 1, f"tên tệp '{slug}' phải là chữ thường không dấu, nối bằng '-'")
        group = self.text(path, data, "group")
        if group and group not in groups:
            self.problem(path, data.line_of("group"), f"nhóm đối tượng không tồn tại: '{group}'")
        requires = data.get("requires") or LineList()
        if not isinstance(requires, LineList):
            self.problem(path, data.line_of("requires"), "'requires' là danh sách khóa học")
            requires = LineList()
        for i, course in enumerate(requires):
            if course not in courses:
                self.problem(path, requires.line_of(i), f"khóa học không tồn tại: '{course}'")
        pass_mark = self.pass_mark(path, data)
        raw_parts = data.get("competences")
        if not isinstance(raw_parts, LineList) or not raw_parts:
            self.problem(path, data.line_of("competences"), "thiếu 'competences' (năng lực cần đạt)")
            raw_parts = LineList()
        levels = framework.levels_by_code
        parts, seen = [], set()
        for raw in raw_parts:
            raw = self.mapping(path, raw, "mỗi năng lực cần đạt")
            if raw is None:
                continue
            code = self.text(path, raw, "code")
            if code not in framework.competences:
                self.problem(path, raw.line_of("code"), f"mã năng lực không có trong khung: '{code}'")
                continue
            if code in seen:
                self.problem(path, raw.line_of("code"), f"năng lực {code} được liệt kê hai lần")
            seen.add(code)
            level = self.text(path, raw, "level")
            if level not in levels:
                self.problem(path, raw.line_of("level"), f"trình độ không hợp lệ: '{level}' (CB1 … CS2)")
                continue
            count = raw.get("questions", 1)
            min_percent = raw.get("min_percent", 0)
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                self.problem(path, raw.line_of("questions"), "'questions' là số câu hỏi (≥ 1)")
                continue
            if not isinstance(min_percent, int) or isinstance(min_percent, bool) \
                    or not 0 <= min_percent <= 100:
                self.problem(path, raw.line_of("min_percent"), "'min_percent' là phần trăm từ 0 đến 100")
                continue
            fitting = tuple(q for q in questions.values() if q.competence == code
                            and levels[q.level].rank <= levels[level].rank)
            if len(fitting) < count:
                self.problem(path, raw.line, f"cần {count} câu hỏi năng lực {code} đến trình độ "
                                             f"{level}, ngân hàng chỉ có {len(fitting)}")
                continue
            parts.append(AssessmentPart(code, level, count, min_percent, fitting))
        return Assessment(slug, group, self.text(path, data, "title"),
                          self.text(path, data, "summary", required=False),
                          tuple(str(c) for c in requires), pass_mark, tuple(parts))

    # -- the whole tree --------------------------------------------------------------
    def load(self) -> Catalog:
        if not self.root.is_dir():
            raise ContentError([Problem(str(self.root), 0, "không tìm thấy thư mục nội dung")])
        framework = self.framework()
        groups, programmes = self.groups()
        courses: dict[str, Course] = {}
        links: list = []
        for folder in sorted(p for p in (self.root / "courses").glob("*") if p.is_dir()):
            course = self.course(folder, framework, groups, links)
            if course is not None:
                courses[course.slug] = course

        for path, line, href, course_slug, module_slug in links:
            course = courses.get(course_slug)
            if course is None or course.module(module_slug) is None:
                self.problem(path, line, f"liên kết hỏng '{href}': không có bài học này")
        for slug, (path, programme) in programmes.items():
            for i, course_slug in enumerate(programme):
                if course_slug not in courses:
                    self.problem(path, programme.line_of(i),
                                 f"chương trình của nhóm '{slug}' có khóa học không tồn tại: '{course_slug}'")

        questions: dict[str, Question] = {}
        for course in courses.values():
            for check in course.checks:
                for q in check.questions:
                    if q.id in questions:
                        self.problems.append(Problem(*_split_source(q.source),
                                                     f"mã câu hỏi '{q.id}' đã dùng ở {questions[q.id].source}"))
                    else:
                        questions[q.id] = q
        assessments: dict[str, Assessment] = {}
        for path in sorted((self.root / "assessments").glob("*.yaml")):
            assessment = self.assessment(path, framework, groups, courses, questions)
            if assessment is None:
                continue
            taken = next((a for a in assessments.values() if a.group == assessment.group), None)
            if taken is not None:
                self.problem(path, 1, f"nhóm '{assessment.group}' đã có bài xác nhận '{taken.slug}'")
            assessments[assessment.slug] = assessment
        from app.reports.targets import read_targets  # the plan's targets are content too

        self.problems += read_targets(self.root, groups)[1]
        if self.problems:
            raise ContentError(self.problems)
        return Catalog(framework, MappingProxyType(groups), MappingProxyType(courses),
                       MappingProxyType(questions), MappingProxyType(assessments))


def _split_source(source: str) -> tuple[str, int]:
    path, _, line = source.rpartition(":")
    return path, int(line)


def load_catalog(content_dir: str | Path) -> Catalog:
    """Load and validate content/; raises ContentError listing every problem."""
    return _Loader(Path(content_dir).resolve()).load()
