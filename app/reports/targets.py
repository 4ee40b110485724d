"""The plan's targets (content/targets.yaml): year → group → percent per indicator.

Validated like the rest of content/ (every problem as path:line); the catalog loader calls
read_targets() so that `flask content check` and start-up report them with the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping

from app.catalog.loader import ContentError, Problem
from app.catalog.yamlfile import LineDict, YamlError, load_yaml

FILENAME = "targets.yaml"
INDICATORS = ("trained", "confirmed")  # finished the group's programme; passed its confirmation
_KEYS = INDICATORS + ("note",)


@dataclass(frozen=True)
class GroupTarget:
    trained: int | None = None  # percent of the group's people
    confirmed: int | None = None
    note: str = ""  # the plan's own wording of the scope, shown beside the figures

    def get(self, indicator: str) -> int | None:
        return getattr(self, indicator)


@dataclass(frozen=True)
class Targets:
    years: Mapping[int, Mapping[str, GroupTarget]]

    def get(self, year: int, group_slug: str) -> GroupTarget:
        return self.years.get(year, {}).get(group_slug) or GroupTarget()

    def default_year(self, this_year: int) -> int:
        """This year if the plan has targets for it, else the nearest year that has."""
        if not self.years or this_year in self.years:
            return this_year
        return min(self.years, key=lambda y: (abs(y - this_year), -y))


EMPTY = Targets(MappingProxyType({}))


def read_targets(content_dir: Path, group_slugs: Iterable[str]) -> tuple[Targets, list[Problem]]:
    """Parse content/targets.yaml; a missing file means no targets (nothing to compare with)."""
    root = Path(content_dir)
    path = root / FILENAME
    shown = str(path.relative_to(root.parent))  # "content/targets.yaml", as the loader shows paths
    problems: list[Problem] = []

    def problem(line: int, message: str) -> None:
        problems.append(Problem(shown, line, message))

    if not path.exists():
        return EMPTY, problems
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        problem(1, "tệp phải được lưu bằng mã UTF-8")
        return EMPTY, problems
    except YamlError as exc:
        problem(exc.line, exc.message)
        return EMPTY, problems
    if not isinstance(data, LineDict) or not data:
        problem(getattr(data, "line", 1), "targets.yaml phải là bảng: năm → nhóm → chỉ tiêu")
        return EMPTY, problems
    for key, line in data.duplicate_keys:
        problem(line, f"năm {key} bị lặp lại")

    groups = set(group_slugs)
    years: dict[int, Mapping[str, GroupTarget]] = {}
    for year, by_group in data.items():
        line = data.line_of(year)
        if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
            problem(line, f"'{year}' không phải là năm (ví dụ 2026)")
            continue
        if not isinstance(by_group, LineDict) or not by_group:
            problem(line, f"năm {year} cần các nhóm và chỉ tiêu, "
                          f"ví dụ 'nguoi-dan: {{trained: 85}}'")
            continue
        for key, dup_line in by_group.duplicate_keys:
            problem(dup_line, f"nhóm '{key}' bị lặp lại trong năm {year}")
        parsed: dict[str, GroupTarget] = {}
        for slug, raw in by_group.items():
            gline = by_group.line_of(slug)
            if slug not in groups:
                problem(gline, f"nhóm đối tượng không tồn tại: '{slug}'")
                continue
            if not isinstance(raw, LineDict) or not raw:
                problem(gline, f"nhóm '{slug}' cần ít nhất một chỉ tiêu: {', '.join(INDICATORS)}")
                continue
            for key, dup_line in raw.duplicate_keys:
                problem(dup_line, f"'{key}' bị lặp lại")
            values: dict[str, object] = {}
            for key, value in raw.items():
                kline = raw.line_of(key)
                if key not in _KEYS:
                    problem(kline, f"chỉ tiêu không hợp lệ: '{key}' (dùng {', '.join(_KEYS)})")
                elif key == "note":
                    if not isinstance(value, str) or not value.strip():
                        problem(kline, "'note' là một dòng chữ")
                    else:
                        values[key] = value.strip()
                elif not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
                    problem(kline, f"'{key}' phải là phần trăm từ 0 đến 100")
                else:
                    values[key] = value
            if not any(k in values for k in INDICATORS) and not any(
                    k in INDICATORS for k in raw):
                problem(gline, f"nhóm '{slug}' cần ít nhất một chỉ tiêu: {', '.join(INDICATORS)}")
            parsed[str(slug)] = GroupTarget(**values)
        years[year] = MappingProxyType(parsed)
    return Targets(MappingProxyType(dict(sorted(years.items())))), problems


def load_targets(content_dir: Path, group_slugs: Iterable[str]) -> Targets:
    targets, problems = read_targets(content_dir, group_slugs)
    if problems:
        raise ContentError(problems)
    return targets
