"""content/targets.yaml: the plan's targets, year → group → percent per indicator."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping

from ..types import EMPTY_TARGETS, INDICATORS, GroupTarget, Targets
from ..yamlfile import LineDict
from .collector import Collector, is_int, is_unreadable

FILENAME = "targets.yaml"
_KEYS = INDICATORS + ("note", "note_en")


def read_targets(col: Collector, group_slugs: Iterable[str]) -> Targets:
    """A missing file means no targets (nothing to compare with)."""
    path = col.root / FILENAME
    if not path.exists():
        return EMPTY_TARGETS
    data = col.parse_yaml(path)  # duplicate keys get messages of their own below
    if is_unreadable(data):
        return EMPTY_TARGETS
    if not isinstance(data, LineDict) or not data:
        col.problem(path, getattr(data, "line", 1), "targets.yaml phải là bảng: năm → nhóm → chỉ tiêu")
        return EMPTY_TARGETS
    for key, line in data.duplicate_keys:
        col.problem(path, line, f"năm {key} bị lặp lại")
    groups = set(group_slugs)
    years: dict[int, Mapping[str, GroupTarget]] = {}
    for year, by_group in data.items():
        parsed = _year(col, path, data.line_of(year), year, by_group, groups)
        if parsed is not None:
            years[year] = parsed
    return Targets(MappingProxyType(dict(sorted(years.items()))))


def _year(col: Collector, path: Path, line: int, year, by_group,
          groups: set[str]) -> Mapping[str, GroupTarget] | None:
    if not is_int(year, 2000, 2100):
        col.problem(path, line, f"'{year}' không phải là năm (ví dụ 2026)")
        return None
    if not isinstance(by_group, LineDict) or not by_group:
        col.problem(path, line, f"năm {year} cần các nhóm và chỉ tiêu, "
                                f"ví dụ 'nguoi-dan: {{trained: 85}}'")
        return None
    for key, dup_line in by_group.duplicate_keys:
        col.problem(path, dup_line, f"nhóm '{key}' bị lặp lại trong năm {year}")
    parsed: dict[str, GroupTarget] = {}
    for slug, raw in by_group.items():
        target = _group_target(col, path, by_group.line_of(slug), slug, raw, groups)
        if target is not None:
            parsed[str(slug)] = target
    return MappingProxyType(parsed)


def _group_target(col: Collector, path: Path, line: int, slug, raw,
                  groups: set[str]) -> GroupTarget | None:
    if slug not in groups:
        col.problem(path, line, f"nhóm đối tượng không tồn tại: '{slug}'")
        return None
    if not isinstance(raw, LineDict) or not raw:
        col.problem(path, line, f"nhóm '{slug}' cần ít nhất một chỉ tiêu: {', '.join(INDICATORS)}")
        return None
    for key, dup_line in raw.duplicate_keys:
        col.problem(path, dup_line, f"'{key}' bị lặp lại")
    values = {}
    for key, value in raw.items():
        if _value(col, path, raw.line_of(key), key, value):
            values[key] = value.strip() if key in ("note", "note_en") else value
    if not any(k in INDICATORS for k in raw):
        col.problem(path, line, f"nhóm '{slug}' cần ít nhất một chỉ tiêu: {', '.join(INDICATORS)}")
    return GroupTarget(**values)


def _value(col: Collector, path: Path, line: int, key, value) -> bool:
    """Whether `key: value` is a valid indicator or note (if not, the problem is reported)."""
    if key not in _KEYS:
        col.problem(path, line, f"chỉ tiêu không hợp lệ: '{key}' (dùng {', '.join(_KEYS)})")
    elif key in ("note", "note_en"):
        if isinstance(value, str) and value.strip():
            return True
        col.problem(path, line, f"'{key}' là một dòng chữ")
    elif is_int(value, 0, 100):
        return True
    else:
        col.problem(path, line, f"'{key}' phải là phần trăm từ 0 đến 100")
    return False
