"""Bar charts drawn on the server as inline SVG: readable without JavaScript, scaled to a
360-pixel phone, with a title and a description that say what the bars show (the tables
beside them hold every number)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.i18n import localized

from .services import Ranked, Row, percent_text

WIDTH = 320  # viewBox units; the SVG is drawn at the width of the page
LABEL = 84  # bar labels on the left
TRACK = 170  # 100 %
BAR = 18
STEP = 25  # one bar and its gap
HEADING = 22  # a group's (or commune's) name above its bars
FILLS = {"bar-registered": "#5a6670", "bar-trained": "#0b5394", "bar-confirmed": "#1e6b34"}


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    width: float  # the filled part, capped at 100 %
    value: str  # "42,5%" or "—"
    target_x: float | None
    css: str
    fill: str  # the same colour as the stylesheet's, for when it does not load
    title: str


@dataclass(frozen=True)
class Block:
    label: str
    y: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    desc: str
    height: int
    blocks: tuple[Block, ...]
    width: int = WIDTH
    x0: int = LABEL
    track: int = TRACK
    bar: int = BAR


def _bar(label, y, percent, target, css) -> Bar:
    value = percent_text(percent)
    width = 0 if percent is None else TRACK * min(percent, 100) / 100
    target_x = None if target is None else LABEL + TRACK * target / 100
    title = f"{label}: {value}%" if percent is not None else f"{label}: {_l('chưa có mẫu số')}"
    if target is not None:
        title += f" ({_l('chỉ tiêu')} {target}%)"
    return Bar(str(label), y, round(width, 1), f"{value}%" if percent is not None else "—",
               None if target_x is None else round(target_x, 1), css, FILLS[css], title)


def figures_chart(chart_id: str, title: str, rows: list[Row]) -> Chart:
    """Per group: % registered, % finished the programme, % confirmed, with the targets."""
    blocks, y, said = [], 0, []
    for row in rows:
        f, t = row.figures, row.figures.target
        y += HEADING
        heading_y = y - 6
        bars = []
        for label, percent, target, css in (
                (_l("Đăng ký"), f.registered_pct, None, "bar-registered"),
                (_l("Học xong"), f.trained_pct, t.trained, "bar-trained"),
                (_l("Xác nhận"), f.confirmed_pct, t.confirmed, "bar-confirmed")):
            bars.append(_bar(label, y, percent, target, css))
            y += STEP
        blocks.append(Block(localized(row.group), heading_y, tuple(bars)))
        said.append(f"{localized(row.group)}: " + "; ".join(b.title for b in bars))
        y += 4
    return Chart(chart_id, title, ". ".join(said) + ".", y + 4, tuple(blocks))


def ranking_chart(chart_id: str, title: str, ranked: list[Ranked], target: int | None,
                  limit: int = 10) -> Chart:
    """The first `limit` places of a ranking, one bar each, with the target line."""
    blocks, y, said = [], 0, []
    for r in [r for r in ranked if r.rank is not None][:limit]:
        y += HEADING
        bar = _bar(f"#{r.rank}", y, r.percent, target, "bar-confirmed")
        blocks.append(Block(r.place, y - 6, (bar,)))
        said.append(f"{r.rank}. {r.place}: {bar.value}")
        y += STEP + 4
    return Chart(chart_id, title, "; ".join(said) + "." if said else str(_l("Chưa có số liệu.")),
                 y + 4, tuple(blocks))
