"""Front-matter keys that say where a page's facts come from: `sources:` and `reviewed:`."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from ..yamlfile import LineDict, LineList
from .collector import Collector

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
REVIEW_EVERY_MONTHS = 12


def read_sources(col: Collector, path: Path, front: LineDict) -> tuple[str, ...]:
    raw = front.get("sources")
    if not isinstance(raw, LineList) or not raw or not all(
            isinstance(s, str) and s.strip() for s in raw):
        col.problem(path, front.line_of("sources") or front.line,
                    "thiếu 'sources' (danh sách văn bản, trang chính thức mà bài dựa vào)")
        return ()
    return tuple(s.strip() for s in raw)


def read_reviewed(col: Collector, path: Path, front: LineDict,
                  today: date | None = None) -> date | None:
    """The date the facts were last checked; a warning (not a problem) once it is a year old."""
    value = front.get("reviewed")
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            pass
    if not isinstance(value, date) or hasattr(value, "hour"):
        col.problem(path, front.line_of("reviewed") or front.line,
                    "thiếu 'reviewed' (ngày rà soát nội dung, dạng YYYY-MM-DD)")
        return None
    today = today or date.today()
    if value < _months_before(today, REVIEW_EVERY_MONTHS):
        col.warn(path, front.line_of("reviewed"),
                 f"chưa rà soát hơn {REVIEW_EVERY_MONTHS} tháng (lần cuối {value.isoformat()})")
    return value


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for d in (day.day, 30, 29, 28):  # 31 March less one month is the end of February
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")
