"""Units and denominators: the CSV imports admins run, and the unit a learner picks."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.audit.services import record
from app.auth.models import User
from app.catalog import Catalog
from app.columns import utcnow
from app.extensions import db
from app.localities import communes
from app.csvutil import fold, group_matcher, read_records
from app.text import clean_name
from app.units.models import UNIT_KINDS, Unit, units_of_commune  # noqa: F401  (used by routes)

from .models import CommuneDenominator, UnitDenominator

MAX_CSV_BYTES = 2 * 1024 * 1024
MAX_CSV_ROWS = 20_000
MAX_PEOPLE = 20_000_000


class ReportError(Exception):
    status = 400

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


UNIT_KIND_LABELS = {
    "agency": _l("Cơ quan, đơn vị nhà nước"),
    "school": _l("Trường học"),
    "enterprise": _l("Doanh nghiệp"),
    "cooperative": _l("Hợp tác xã, liên hiệp hợp tác xã"),
    "womens_union": _l("Chi hội phụ nữ"),
    "community_team": _l("Tổ công nghệ số cộng đồng"),
}
assert set(UNIT_KIND_LABELS) == set(UNIT_KINDS)

_HEADER_WORDS = {"xã", "xa", "mã xã", "ma xa", "xã, phường", "commune", "xã phường"}
_PEOPLE = re.compile(r"^\d{1,3}(?:[.,\s]\d{3})+$|^\d+$")


class _Communes:
    """A commune of the province by code, full name ("Xã Hoằng Hóa") or bare name."""

    def __init__(self, province_code: int):
        self.codes = dict(communes(province_code))
        self.names: dict[str, int | None] = {}
        for code, name in self.codes.items():
            self.names[fold(name)] = code
            bare = fold(re.sub(r"^(Xã|Phường|Đặc khu|Thị trấn)\s+", "", name))
            self.names[bare] = None if bare in self.names and self.names[bare] != code else code

    def find(self, value: str) -> int | None:
        if value.isascii() and value.isdigit():  # "²" passes isdigit() but not int()
            return int(value) if int(value) in self.codes else None
        return self.names.get(fold(value))


# Words a header's first cell starts with ("Xã, phường (mã hoặc tên)", "Mã xã", "Commune").
_HEADER_STARTS = ("xã", "xa", "mã", "ma", "phường", "phuong", "commune", "tên", "ten")


def _records(data: bytes, place: _Communes, is_data: Callable[[list[str]], bool],
             ) -> tuple[list[tuple[int, list[str]]], list[tuple[int, str]]]:
    """Non-empty CSV lines as (line number, stripped cells); a header line is skipped: one
    named like the columns whose cells are not data (no commune of the province, and
    `is_data` finds no value of its own columns either)."""
    def is_header(cells: list[str]) -> bool:
        first = fold(cells[0])
        return (first.startswith(_HEADER_STARTS) and place.find(cells[0]) is None
                and not is_data(cells))

    return read_records(data, max_bytes=MAX_CSV_BYTES, max_rows=MAX_CSV_ROWS,
                        header_words=_HEADER_WORDS, is_header=is_header)


def _people(value: str) -> int | None:
    if not _PEOPLE.match(value):
        return None
    people = int(re.sub(r"\D", "", value))
    return people if people <= MAX_PEOPLE else None


@dataclass(frozen=True)
class UnitRow:
    line: int
    commune_code: int
    kind: str
    name: str


def parse_units(data: bytes, province_code: int) -> tuple[list[UnitRow], list[tuple[int, str]]]:
    """Columns: commune (code or name), kind (e.g. school or "Trường học"), unit name."""
    kinds = {k: k for k in UNIT_KINDS}
    kinds.update({fold(str(label)): k for k, label in UNIT_KIND_LABELS.items()})
    place = _Communes(province_code)
    records, problems = _records(
        data, place, lambda cells: len(cells) > 1 and fold(cells[1]) in kinds)
    rows, seen = [], {}
    for line, fields in records:
        if len(fields) != 3:
            problems.append((line, str(_l("Cần đúng 3 cột: xã (mã hoặc tên), loại đơn vị, tên "
                                          "đơn vị; dòng này có %(n)s.", n=len(fields)))))
            continue
        commune_value, kind_value, name = fields
        commune = place.find(commune_value)
        kind = kinds.get(kind_value) or kinds.get(fold(kind_value))
        name = clean_name(name)
        if commune is None:
            problems.append((line, str(_l("Không có xã, phường '%(x)s' trong tỉnh.",
                                          x=commune_value[:60]))))
        elif kind is None:
            problems.append((line, str(_l("Loại đơn vị không hợp lệ: '%(k)s' (dùng %(all)s).",
                                          k=kind_value[:40], all=", ".join(UNIT_KINDS)))))
        elif not 2 <= len(name) <= 200 or not name.isprintable():
            problems.append((line, str(_l("Tên đơn vị dài từ 2 đến 200 ký tự, không có ký tự "
                                          "điều khiển."))))
        elif (commune, fold(name)) in seen:
            first = seen[(commune, fold(name))]
            problems.append((line, str(_l("Trùng với dòng %(n)s.", n=first))))
        else:
            seen[(commune, fold(name))] = line
            rows.append(UnitRow(line, commune, kind, name))
    return rows, problems


def import_units(rows: list[UnitRow], province_code: int, actor_id: int | None) -> tuple[int, int]:
    """Create the units that are new and update the kind of the others; (created, updated)."""
    existing = {(u.commune_code, fold(u.name)): u for u in db.session.scalars(
        sa.select(Unit).where(Unit.province_code == province_code))}
    created = updated = 0
    for row in rows:
        unit = existing.get((row.commune_code, fold(row.name)))
        if unit is None:
            db.session.add(Unit(province_code=province_code, commune_code=row.commune_code,
                                kind=row.kind, name=row.name))
            created += 1
        elif unit.kind != row.kind:
            unit.kind = row.kind
            updated += 1
    record(actor_id, "reports.import_units", "province", province_code, created=created,
           updated=updated)
    db.session.commit()
    return created, updated


@dataclass(frozen=True)
class DenominatorRow:
    line: int
    commune_code: int
    unit_id: int | None
    group_slug: str
    people: int


def parse_denominators(data: bytes, province_code: int,
                       catalog: Catalog) -> tuple[list[DenominatorRow], list[tuple[int, str]]]:
    """Columns: commune (code or name), unit name (empty: the whole commune), group (slug or
    name), number of people."""
    place = _Communes(province_code)
    group_of = group_matcher(catalog.groups.values())
    records, problems = _records(
        data, place, lambda cells: _people(cells[-1]) is not None
        or (len(cells) > 2 and group_of(cells[2]) is not None))
    units = {(code, fold(name)): uid for uid, code, name in db.session.execute(
        sa.select(Unit.id, Unit.commune_code, Unit.name)
        .where(Unit.province_code == province_code))}
    rows, seen = [], {}
    for line, fields in records:
        if len(fields) != 4:
            problems.append((line, str(_l("Cần đúng 4 cột: xã (mã hoặc tên), đơn vị (để trống "
                                          "nếu là cả xã), nhóm, số người; dòng này có %(n)s.",
                                          n=len(fields)))))
            continue
        commune_value, unit_value, group_value, people_value = fields
        commune = place.find(commune_value)
        group = group_of(group_value)
        people = _people(people_value)
        unit_id = units.get((commune, fold(unit_value))) if unit_value else None
        key = (commune, unit_id, group)
        if commune is None:
            problems.append((line, str(_l("Không có xã, phường '%(x)s' trong tỉnh.",
                                          x=commune_value[:60]))))
        elif unit_value and unit_id is None:
            problems.append((line, str(_l("Xã này chưa có đơn vị '%(u)s': hãy nhập danh sách "
                                          "đơn vị trước.", u=unit_value[:80]))))
        elif group is None:
            problems.append((line, str(_l("Nhóm không hợp lệ: '%(g)s' (dùng %(all)s).",
                                          g=group_value[:40], all=", ".join(catalog.groups)))))
        elif people is None:
            problems.append((line, str(_l("Số người phải là số nguyên từ 0 đến %(max)s, "
                                          "ví dụ 1250.", max=MAX_PEOPLE))))
        elif key in seen:
            problems.append((line, str(_l("Trùng với dòng %(n)s.", n=seen[key]))))
        else:
            seen[key] = line
            rows.append(DenominatorRow(line, commune, unit_id, group, people))
    return rows, problems


def import_denominators(rows: list[DenominatorRow], province_code: int,
                        actor_id: int | None) -> tuple[int, int]:
    """Set each row's number of people (new or replaced), all in one transaction."""
    communes_ = {(d.commune_code, d.group_slug): d for d in db.session.scalars(
        sa.select(CommuneDenominator).where(CommuneDenominator.province_code == province_code))}
    unit_ids = {r.unit_id for r in rows if r.unit_id is not None}
    units_ = {(d.unit_id, d.group_slug): d for d in db.session.scalars(
        sa.select(UnitDenominator).where(UnitDenominator.unit_id.in_(unit_ids)))} \
        if unit_ids else {}
    created = updated = 0
    now = utcnow()
    for row in rows:
        if row.unit_id is None:
            found = communes_.get((row.commune_code, row.group_slug))
            if found is None:
                found = CommuneDenominator(province_code=province_code,
                                           commune_code=row.commune_code,
                                           group_slug=row.group_slug, people=row.people)
                db.session.add(found)
                communes_[(row.commune_code, row.group_slug)] = found
                created += 1
                continue
        else:
            found = units_.get((row.unit_id, row.group_slug))
            if found is None:
                db.session.add(UnitDenominator(unit_id=row.unit_id, group_slug=row.group_slug,
                                               people=row.people))
                created += 1
                continue
        if found.people != row.people:
            found.people, found.updated_at = row.people, now
            updated += 1
    record(actor_id, "reports.import_denominators", "province", province_code, created=created,
           updated=updated)
    db.session.commit()
    return created, updated


@dataclass(frozen=True)
class DataSummary:
    units: int
    communes_with_units: int
    commune_denominators: int
    unit_denominators: int


def data_summary(province_code: int) -> DataSummary:
    units, with_units = db.session.execute(
        sa.select(sa.func.count(Unit.id), sa.func.count(sa.distinct(Unit.commune_code)))
        .where(Unit.province_code == province_code)).one()
    commune_d = db.session.scalar(sa.select(sa.func.count(CommuneDenominator.id))
                                  .where(CommuneDenominator.province_code == province_code))
    unit_d = db.session.scalar(sa.select(sa.func.count(UnitDenominator.id))
                               .join(Unit, Unit.id == UnitDenominator.unit_id)
                               .where(Unit.province_code == province_code))
    return DataSummary(units, with_units, commune_d, unit_d)


# -- a learner's unit ------------------------------------------------------------------------

def set_unit(user: User, unit_id: int | None) -> None:
    if unit_id:
        unit = db.session.get(Unit, unit_id)
        if unit is None or unit.commune_code != user.commune_code:
            raise ReportError(_l("Hãy chọn một đơn vị của xã, phường nơi bạn đăng ký."))
    user.unit_id = unit_id or None
    db.session.commit()
