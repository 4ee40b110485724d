"""The province's dashboard without HTTP: figures per place and group against the plan's
targets, rankings, and their CSV. Everything here reads the snapshot (snapshot.py), never the
learners' own tables.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from app.ambassadors.models import AmbassadorAction
from app.auth.models import User
from app.catalog import Catalog
from app.catalog.types import Group, GroupTarget, Targets
from app.csvutil import safe_cell
from app.extensions import db
from app.i18n import localized
from app.localities import commune_name, communes, province_name
from app import percentages
from app.text import collation_key

from .models import (
    AmbassadorCount,
    CommuneCount,
    CommuneDenominator,
    ReportRefresh,
    Unit,
    UnitCount,
    UnitDenominator,
)
from .snapshot import last_refresh

FIRST_YEAR = 2025  # the movement started in 2025: periods are offered from then on


# -- time ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    key: str  # "all", "2026", "2026-q3"
    start: int | None  # yyyymm, inclusive
    end: int | None
    label: str


def periods(today: date) -> list[Period]:
    found = [Period("all", None, None, str(_l("Từ đầu đến nay")))]
    for year in range(today.year, FIRST_YEAR - 1, -1):
        found.append(Period(str(year), year * 100 + 1, year * 100 + 12,
                            str(_l("Năm %(y)s", y=year))))
        last_quarter = (today.month - 1) // 3 + 1 if year == today.year else 4
        for q in range(last_quarter, 0, -1):
            found.append(Period(f"{year}-q{q}", year * 100 + 3 * q - 2, year * 100 + 3 * q,
                                str(_l("Quý %(q)s/%(y)s", q=q, y=year))))
    return found


def parse_period(key: str | None, today: date) -> Period:
    choices = periods(today)
    return next((p for p in choices if p.key == (key or "").lower()), choices[0])


def _in_period(month_column, period: Period) -> list:
    where = []
    if period.start is not None:
        where.append(month_column >= period.start)
    if period.end is not None:
        where.append(month_column <= period.end)
    return where


def parse_year(value, targets: Targets, today: date) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return targets.default_year(today.year)
    return year if year in targets.years or FIRST_YEAR <= year <= today.year \
        else targets.default_year(today.year)


def year_choices(targets: Targets, today: date) -> list[int]:
    return sorted(set(targets.years) | set(range(FIRST_YEAR, today.year + 1)))


def parse_group(value, catalog: Catalog) -> Group:
    groups = catalog.groups
    return groups.get(value or "") or groups.get("nguoi-dan") or next(iter(groups.values()))


# -- figures ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Figures:
    denominator: int | None
    registered: int = 0
    trained: int = 0
    confirmed: int = 0
    target: GroupTarget = field(default_factory=GroupTarget)

    def percent(self, count: int) -> float | None:
        if not self.denominator:
            return None
        return percentages.percent(count, self.denominator, places=1)

    def shortfall(self, count: int, target: int | None) -> int | None:
        """People still needed to reach the target (0 once reached)."""
        if target is None or not self.denominator:
            return None
        return max(0, -(-target * self.denominator // 100) - count)

    @property
    def registered_pct(self):
        return self.percent(self.registered)

    @property
    def trained_pct(self):
        return self.percent(self.trained)

    @property
    def confirmed_pct(self):
        return self.percent(self.confirmed)

    def meets(self, indicator: str) -> bool | None:
        target, pct = self.target.get(indicator), self.percent(getattr(self, indicator))
        return None if target is None or pct is None else pct >= target


@dataclass(frozen=True)
class Row:
    """One line of a dashboard table: a place (province, commune or unit) and a group."""

    kind: str  # "province" | "commune" | "unit"
    code: int  # province or commune code, unit id
    place: str
    group: Group
    figures: Figures


COLUMNS = (
    _l("Địa bàn, đơn vị"), _l("Nhóm"), _l("Mẫu số (người)"), _l("Đã đăng ký"), _l("Tỉ lệ đăng ký (%)"),
    _l("Học xong chương trình"), _l("Tỉ lệ học xong (%)"), _l("Chỉ tiêu học xong (%)"),
    _l("Còn thiếu để đạt chỉ tiêu học xong (người)"), _l("Được xác nhận đạt phổ cập"),
    _l("Tỉ lệ xác nhận (%)"), _l("Chỉ tiêu xác nhận (%)"),
    _l("Còn thiếu để đạt chỉ tiêu xác nhận (người)"),
)


def cells(row: Row) -> list:
    """The row as the screen and the CSV show it: numbers stay numbers, None is "no data"."""
    f, t = row.figures, row.figures.target
    return [row.place, localized(row.group), f.denominator, f.registered, f.registered_pct,
            f.trained, f.trained_pct, t.trained, f.shortfall(f.trained, t.trained),
            f.confirmed, f.confirmed_pct, t.confirmed, f.shortfall(f.confirmed, t.confirmed)]


def confirms_before_programme(group: Group, catalog: Catalog) -> bool:
    """Whether someone of the group may pass its confirmation before finishing the programme:
    the assessment's `requires` leaves out a course of it (today's content requires none)."""
    assessment = catalog.assessment_for(group.slug)
    return assessment is not None and not set(group.programme) <= set(assessment.requires)


def confirmed_note(rows, catalog: Catalog):
    """The line under a figures table that says what its "confirmed" column counts, so that a
    commune with 0 trained and 1 confirmed reads right: from the assessments' `requires`."""
    groups = {r.group.slug: r.group for r in rows if catalog.assessment_for(r.group.slug)}
    early = [localized(g) for g in groups.values() if confirms_before_programme(g, catalog)]
    if not early:
        return _l("“Được xác nhận đạt phổ cập” đếm người đã đạt bài đánh giá xác nhận; bài "
                  "này chỉ làm được sau khi học xong chương trình.")
    if len(early) == len(groups):
        return _l("“Được xác nhận đạt phổ cập” đếm người đã đạt bài đánh giá xác nhận; bài "
                  "này làm được cả trước khi học xong, nên có người đã được xác nhận mà chưa "
                  "học xong chương trình.")
    return _l("“Được xác nhận đạt phổ cập” đếm người đã đạt bài đánh giá xác nhận; ở nhóm "
              "%(groups)s bài này làm được cả trước khi học xong, nên có người đã được xác "
              "nhận mà chưa học xong chương trình.", groups=", ".join(early))


def _sums(model):
    return (sa.func.coalesce(sa.func.sum(model.registered), 0),
            sa.func.coalesce(sa.func.sum(model.trained), 0),
            sa.func.coalesce(sa.func.sum(model.confirmed), 0))


@dataclass(frozen=True)
class AmbassadorTotals:
    ambassadors: int
    registered: int
    sessions: int
    confirmed: int


@dataclass
class ProvinceView:
    province_code: int
    name: str
    year: int
    group: Group
    as_of: ReportRefresh | None
    groups: list[Row]  # the province, one row per group
    communes: list[Row]  # every commune, for `group`
    coverage: dict[str, int]  # group slug → communes that have a denominator
    commune_count: int
    ambassadors: AmbassadorTotals


def province_view(province_code: int, year: int, group: Group, catalog: Catalog,
                  targets: Targets) -> ProvinceView:
    """Four statements, whatever the number of learners: the snapshot is a few rows a commune."""
    end = year * 100 + 12
    counts: dict[tuple[int, str], tuple[int, int, int]] = {}
    for code, slug, r, t, c in db.session.execute(
            sa.select(CommuneCount.commune_code, CommuneCount.group_slug, *_sums(CommuneCount))
            .where(CommuneCount.province_code == province_code, CommuneCount.month <= end)
            .group_by(CommuneCount.commune_code, CommuneCount.group_slug)):
        counts[(code, slug)] = (r, t, c)
    denominators = {(code, slug): people for code, slug, people in db.session.execute(
        sa.select(CommuneDenominator.commune_code, CommuneDenominator.group_slug,
                  CommuneDenominator.people)
        .where(CommuneDenominator.province_code == province_code))}
    a_count, a_registered, a_sessions, a_confirmed = db.session.execute(
        sa.select(sa.func.count(sa.distinct(AmbassadorCount.ambassador_id)),
                  *(sa.func.coalesce(sa.func.sum(c), 0) for c in (
                      AmbassadorCount.registered, AmbassadorCount.sessions,
                      AmbassadorCount.confirmed)))
        .where(AmbassadorCount.province_code == province_code, AmbassadorCount.month <= end)).one()

    name = province_name(province_code)
    known = communes(province_code)
    groups, coverage = [], {}
    for g in catalog.groups.values():
        totals = [sum(v[i] for (_code, slug), v in counts.items() if slug == g.slug)
                  for i in range(3)]
        people = [p for (code, slug), p in denominators.items() if slug == g.slug]
        coverage[g.slug] = len(people)
        groups.append(Row("province", province_code, name, g, Figures(
            sum(people) if people else None, *totals, targets.get(year, g.slug))))
    target = targets.get(year, group.slug)
    rows = [Row("commune", code, cname, group, Figures(
        denominators.get((code, group.slug)), *counts.get((code, group.slug), (0, 0, 0)), target))
        for code, cname in known]
    return ProvinceView(province_code, name, year, group, last_refresh(province_code), groups,
                        rows, coverage, len(known),
                        AmbassadorTotals(a_count, a_registered, a_sessions, a_confirmed))


@dataclass
class CommuneView:
    province_code: int
    commune_code: int
    name: str
    year: int
    group: Group
    as_of: ReportRefresh | None
    groups: list[Row]
    units: list[tuple[Unit, Row]]  # every unit of the commune, for `group`


def commune_view(province_code: int, commune_code: int, year: int, group: Group,
                 catalog: Catalog, targets: Targets) -> CommuneView:
    end = year * 100 + 12
    counts = {slug: (r, t, c) for slug, r, t, c in db.session.execute(
        sa.select(CommuneCount.group_slug, *_sums(CommuneCount))
        .where(CommuneCount.commune_code == commune_code, CommuneCount.month <= end)
        .group_by(CommuneCount.group_slug))}
    denominators = dict(db.session.execute(
        sa.select(CommuneDenominator.group_slug, CommuneDenominator.people)
        .where(CommuneDenominator.commune_code == commune_code)).all())
    units = list(db.session.scalars(sa.select(Unit).where(Unit.commune_code == commune_code)))
    units.sort(key=lambda u: _name_key(u.name))
    unit_counts = {uid: (r, t, c) for uid, r, t, c in db.session.execute(
        sa.select(UnitCount.unit_id, *_sums(UnitCount))
        .where(UnitCount.commune_code == commune_code, UnitCount.group_slug == group.slug,
               UnitCount.month <= end)
        .group_by(UnitCount.unit_id))}
    unit_people = dict(db.session.execute(
        sa.select(UnitDenominator.unit_id, UnitDenominator.people)
        .join(Unit, Unit.id == UnitDenominator.unit_id)
        .where(Unit.commune_code == commune_code, UnitDenominator.group_slug == group.slug)).all())

    name = commune_name(commune_code)
    groups = [Row("commune", commune_code, name, g, Figures(
        denominators.get(g.slug), *counts.get(g.slug, (0, 0, 0)), targets.get(year, g.slug)))
        for g in catalog.groups.values()]
    target = targets.get(year, group.slug)
    rows = [(u, Row("unit", u.id, u.name, group, Figures(
        unit_people.get(u.id), *unit_counts.get(u.id, (0, 0, 0)), target))) for u in units]
    return CommuneView(province_code, commune_code, name, year, group,
                       last_refresh(province_code), groups, rows)


@dataclass
class UnitView:
    unit: Unit
    commune: str
    year: int
    as_of: ReportRefresh | None
    groups: list[Row]


def unit_view(unit: Unit, year: int, catalog: Catalog, targets: Targets) -> UnitView:
    end = year * 100 + 12
    counts = {slug: (r, t, c) for slug, r, t, c in db.session.execute(
        sa.select(UnitCount.group_slug, *_sums(UnitCount))
        .where(UnitCount.unit_id == unit.id, UnitCount.month <= end)
        .group_by(UnitCount.group_slug))}
    denominators = dict(db.session.execute(
        sa.select(UnitDenominator.group_slug, UnitDenominator.people)
        .where(UnitDenominator.unit_id == unit.id)).all())
    groups = [Row("unit", unit.id, unit.name, g, Figures(
        denominators.get(g.slug), *counts.get(g.slug, (0, 0, 0)), targets.get(year, g.slug)))
        for g in catalog.groups.values()]
    return UnitView(unit, commune_name(unit.commune_code), year,
                    last_refresh(unit.province_code), groups)


def _name_key(name: str):
    return collation_key(name)


# -- rankings --------------------------------------------------------------------------------

INDICATOR_LABELS = {"trained": _l("Tỉ lệ học xong chương trình (%)"),
                    "confirmed": _l("Tỉ lệ được xác nhận đạt phổ cập (%)")}


@dataclass(frozen=True)
class Ranked:
    rank: int | None  # None: no denominator, so no percentage to rank by
    code: int
    place: str
    commune: str  # for units: their commune
    denominator: int | None
    count: int  # trained or confirmed during the period
    percent: float | None
    meets_target: bool | None  # only for "from the start" (the target is cumulative)


def _rank(items: list[tuple[int, str, str, int | None, int]], target: int | None,
          cumulative: bool) -> list[Ranked]:
    """Highest percentage first; equal percentages share a rank (1, 2, 2, 4)."""
    def pct(people, count):
        return percentages.percent(count, people, places=1) if people else None

    scored = [(code, place, commune, people, count, pct(people, count))
              for code, place, commune, people, count in items]
    ranked = sorted((s for s in scored if s[5] is not None),
                    key=lambda s: (-s[5], -s[4], _name_key(s[1])))
    unranked = sorted((s for s in scored if s[5] is None), key=lambda s: (-s[4], _name_key(s[1])))
    out, previous, rank = [], None, 0
    for i, (code, place, commune, people, count, percent) in enumerate(ranked, start=1):
        if percent != previous:
            rank, previous = i, percent
        meets = None if not cumulative or target is None else percent >= target
        out.append(Ranked(rank, code, place, commune, people, count, percent, meets))
    out += [Ranked(None, code, place, commune, people, count, None, None)
            for code, place, commune, people, count, _ in unranked]
    return out


def rank_communes(province_code: int, group: Group, period: Period, indicator: str,
                  target: int | None) -> list[Ranked]:
    column = getattr(CommuneCount, indicator)
    counts = dict(db.session.execute(
        sa.select(CommuneCount.commune_code, sa.func.sum(column))
        .where(CommuneCount.province_code == province_code, CommuneCount.group_slug == group.slug,
               *_in_period(CommuneCount.month, period))
        .group_by(CommuneCount.commune_code)).all())
    people = dict(db.session.execute(
        sa.select(CommuneDenominator.commune_code, CommuneDenominator.people)
        .where(CommuneDenominator.province_code == province_code,
               CommuneDenominator.group_slug == group.slug)).all())
    return _rank([(code, name, name, people.get(code), counts.get(code, 0))
                  for code, name in communes(province_code)], target, period.key == "all")


def rank_units(province_code: int, group: Group, period: Period, indicator: str,
               target: int | None) -> list[Ranked]:
    column = getattr(UnitCount, indicator)
    counts = dict(db.session.execute(
        sa.select(UnitCount.unit_id, sa.func.sum(column))
        .where(UnitCount.province_code == province_code, UnitCount.group_slug == group.slug,
               *_in_period(UnitCount.month, period))
        .group_by(UnitCount.unit_id)).all())
    units = db.session.execute(
        sa.select(Unit.id, Unit.name, Unit.commune_code, UnitDenominator.people)
        .outerjoin(UnitDenominator, sa.and_(UnitDenominator.unit_id == Unit.id,
                                            UnitDenominator.group_slug == group.slug))
        .where(Unit.province_code == province_code)).all()
    return _rank([(uid, name, commune_name(code), people, counts.get(uid, 0))
                  for uid, name, code, people in units], target, period.key == "all")


@dataclass(frozen=True)
class AmbassadorRank:
    rank: int
    ambassador_id: int
    name: str
    commune: str
    confirmed: int  # people they helped who were confirmed in the period
    registered: int
    sessions: int


def rank_ambassadors(province_code: int, period: Period) -> list[AmbassadorRank]:
    confirmed = sa.func.sum(AmbassadorCount.confirmed)
    registered = sa.func.sum(AmbassadorCount.registered)
    rows = db.session.execute(
        sa.select(User.id, User.full_name, User.commune_code, confirmed, registered,
                  sa.func.sum(AmbassadorCount.sessions))
        .join(User, User.id == AmbassadorCount.ambassador_id)
        .where(AmbassadorCount.province_code == province_code,
               *_in_period(AmbassadorCount.month, period))
        .group_by(User.id, User.full_name, User.commune_code)).all()
    rows.sort(key=lambda r: (-r[3], -r[4], -r[5], _name_key(r[1])))
    out, previous, rank = [], None, 0
    for i, (uid, name, code, c, r, s) in enumerate(rows, start=1):
        if c != previous:
            rank, previous = i, c
        out.append(AmbassadorRank(rank, uid, name, commune_name(code), c, r, s))
    return out


def recent_actions(province_code: int, before_id: int | None = None, limit: int = 50):
    """The latest ambassador actions in the province (live: an index walk, not a scan)."""
    ambassador, citizen = aliased(User), aliased(User)
    query = (sa.select(AmbassadorAction, ambassador.full_name, citizen.full_name,
                       citizen.commune_code)
             .join(ambassador, ambassador.id == AmbassadorAction.ambassador_id)
             .join(citizen, citizen.id == AmbassadorAction.citizen_id)
             .where(ambassador.province_code == province_code)
             .order_by(AmbassadorAction.id.desc()).limit(limit))
    if before_id:
        query = query.where(AmbassadorAction.id < before_id)
    return db.session.execute(query).all()


# -- CSV -------------------------------------------------------------------------------------

def rows_csv(rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(str(c)) for c in COLUMNS])
    for row in rows:
        writer.writerow([safe_cell(v) for v in cells(row)])
    return out.getvalue()


RANKING_COLUMNS = (_l("Hạng"), _l("Địa bàn, đơn vị"), _l("Xã, phường"), _l("Mẫu số (người)"),
                   _l("Số người trong kỳ"), _l("Tỉ lệ (%)"), _l("Đạt chỉ tiêu"))


def ranking_csv(ranked: list[Ranked]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(str(c)) for c in RANKING_COLUMNS])
    for r in ranked:
        meets = "" if r.meets_target is None else int(r.meets_target)
        writer.writerow([safe_cell(v) for v in (r.rank, r.place, r.commune, r.denominator, r.count,
                                               r.percent, meets)])
    return out.getvalue()


AMBASSADOR_COLUMNS = (_l("Hạng"), _l("Đại sứ số"), _l("Xã, phường"),
                      _l("Người được giúp đã đạt xác nhận"), _l("Người được đăng ký hộ"),
                      _l("Lượt kèm làm bài xác nhận"))


def ambassadors_csv(ranked: list[AmbassadorRank]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(str(c)) for c in AMBASSADOR_COLUMNS])
    for r in ranked:
        writer.writerow([safe_cell(v) for v in (r.rank, r.name, r.commune, r.confirmed,
                                               r.registered, r.sessions)])
    return out.getvalue()


def percent_text(value) -> str:
    return "—" if value is None else format_decimal(value, "#,##0.0")


