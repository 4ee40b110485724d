"""The dashboard's snapshot of counts, and each learner's milestones.

How the counts stay cheap at a province's size (3.7 million people): a dashboard page reads
only report_*_counts, a few hundred rows per commune whatever the number of learners.
`refresh()` (run by `flask reports refresh`, e.g. every 15 minutes) rebuilds them in one
transaction; every page says when that was. Each learner's milestones (learner_status) are
rewritten in the transaction that issues one of their certificates, and repaired by the same
refresh: only learners whose certificates were issued or revoked since the previous refresh, or
who changed group, are recomputed, and everyone when the programmes or assessments in content/
change.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from app.ambassadors.models import AmbassadorAction
from app.auth.models import User
from app.catalog import Catalog
from app.certificates.completion import certificate_issued
from app.certificates.models import Certificate
from app.columns import UTCDateTime, utcnow
from app.extensions import db

from .models import (
    AmbassadorCount,
    CommuneCount,
    LearnerStatus,
    ReportRefresh,
    Unit,
    UnitCount,
)

# Certificates issued or revoked this long before the previous refresh began are looked at
# again: a transaction that committed late is never missed.
_OVERLAP = timedelta(minutes=10)
_REPAIR_LIMIT = 100_000  # more learners than this to recompute: recompute the whole province


# -- time ------------------------------------------------------------------------------------

def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_today() -> date:
    return datetime.now(_zone()).date()


def month_of(moment: datetime) -> int:
    """yyyymm of a moment in the province's time (Asia/Ho_Chi_Minh)."""
    local = moment.astimezone(_zone())
    return local.year * 100 + local.month


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _month_key(column):
    """SQL grouping key for the local month of `column` (cheap to compute on every row)."""
    if _postgresql():
        zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
        return sa.func.date_trunc("month", sa.func.timezone(zone, column))
    # SQLite stores UTC text; Vietnam has kept UTC+7 all year since 1975, so a shift is exact.
    minutes = int(datetime.now(_zone()).utcoffset().total_seconds() // 60)
    return sa.cast(sa.func.strftime("%Y%m", column, f"{minutes:+d} minutes"), sa.Integer)


def _month_int(key):
    """yyyymm from a _month_key, once rows are grouped (few of them)."""
    if _postgresql():
        return sa.cast(sa.func.to_char(key, "YYYYMM"), sa.Integer)
    return key


def _month_sql(column):
    """SQL for month_of(column), on PostgreSQL and SQLite."""
    return _month_int(_month_key(column))


# -- learners' milestones --------------------------------------------------------------------

def content_key(catalog: Catalog) -> str:
    """Changes when a programme or a confirmation assessment changes: statuses depend on them."""
    parts = sorted(f"{g.slug}:{','.join(g.programme)}" for g in catalog.groups.values())
    parts += sorted(f"{a.group}={a.slug}" for a in catalog.assessments.values())
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _milestone_queries(catalog: Catalog, where_user):
    """(trained, confirmed) subqueries of (user_id, at) from the certificates that count now:
    trained = a certificate for every course of the group's programme (at: the last one);
    confirmed = the group's confirmation."""
    holder = aliased(User)
    programme_rows, sizes = [], []
    for group in catalog.groups.values():
        if group.programme:
            programme_rows.append(sa.and_(holder.group_slug == group.slug,
                                          Certificate.course_slug.in_(group.programme)))
            sizes.append((holder.group_slug == group.slug, len(group.programme)))
    trained = (
        sa.select(Certificate.user_id, sa.func.max(Certificate.issued_at).label("at"))
        .join(holder, holder.id == Certificate.user_id)
        .where(Certificate.kind == "course", Certificate.revoked_at.is_(None),
               sa.or_(sa.false(), *programme_rows), *where_user(holder))
        .group_by(Certificate.user_id, holder.group_slug)
        .having(sa.func.count() == (sa.case(*sizes, else_=-1) if sizes else -1))
        .subquery("trained"))
    confirmations = [sa.and_(holder.group_slug == a.group, Certificate.course_slug == a.slug)
                     for a in catalog.assessments.values()]
    confirmed = (
        sa.select(Certificate.user_id, sa.func.max(Certificate.issued_at).label("at"))
        .join(holder, holder.id == Certificate.user_id)
        .where(Certificate.kind == "confirmation", Certificate.revoked_at.is_(None),
               sa.or_(sa.false(), *confirmations), *where_user(holder))
        .group_by(Certificate.user_id)
        .subquery("confirmed"))
    return trained, confirmed


def recompute_statuses(catalog: Catalog, province_code: int, user_ids=None) -> None:
    """Recompute learner_status from the certificates: for the whole province, or for
    `user_ids` only. Set-based (two statements); the caller commits."""

    def where_user(user):
        conditions = [user.province_code == province_code]
        if user_ids is not None:
            conditions.append(user.id.in_(user_ids))
        return conditions

    db.session.execute(sa.delete(LearnerStatus).where(LearnerStatus.user_id.in_(
        sa.select(User.id).where(*where_user(User)))))
    trained, confirmed = _milestone_queries(catalog, where_user)
    # A row for everyone holding a certificate, milestone or not: if they change group, the
    # next refresh sees it (their status group differs) and recomputes them.
    holders = (sa.select(Certificate.user_id).join(User, User.id == Certificate.user_id)
               .where(*where_user(User)).distinct().subquery("holders"))
    rows = (
        sa.select(User.id, User.group_slug, trained.c.at, confirmed.c.at,
                  sa.literal(utcnow(), UTCDateTime()))
        .join(holders, holders.c.user_id == User.id)
        .outerjoin(trained, trained.c.user_id == User.id)
        .outerjoin(confirmed, confirmed.c.user_id == User.id))
    db.session.execute(sa.insert(LearnerStatus).from_select(
        ["user_id", "group_slug", "trained_at", "confirmed_at", "updated_at"], rows))


# Certificates sit below reports: they announce an issue inside the step's transaction, and
# the learner's milestones are rewritten in that same commit.
@certificate_issued.connect
def _certificate_issued(_sender, *, user_id: int, catalog: Catalog, **_ignored) -> None:
    learner = db.session.get(User, user_id)
    try:
        with db.session.begin_nested():  # after the certificate's INSERT: a real savepoint
            recompute_statuses(catalog, learner.province_code, [user_id])
    except IntegrityError:
        pass  # a concurrent issue wrote this learner's row first; the next refresh redoes both


def _stale_learners(province_code: int, since: datetime) -> list[int]:
    """Learners whose status may be out of date: a certificate issued or revoked since
    `since`, or a group that is not the one their status was computed for."""
    changed = sa.select(Certificate.user_id).join(User, User.id == Certificate.user_id).where(
        User.province_code == province_code,
        sa.or_(Certificate.issued_at >= since, Certificate.revoked_at >= since))
    moved = sa.select(LearnerStatus.user_id).join(User, User.id == LearnerStatus.user_id).where(
        User.province_code == province_code, User.group_slug != LearnerStatus.group_slug)
    return list(db.session.scalars(sa.union(changed, moved).limit(_REPAIR_LIMIT + 1)))


# -- the snapshot ------------------------------------------------------------------------------

def _lock_refresh_row(province_code: int) -> ReportRefresh:
    """The province's refresh row, locked: two refreshes at once would double the counts."""
    query = (sa.select(ReportRefresh).where(ReportRefresh.province_code == province_code)
             .with_for_update().execution_options(populate_existing=True))
    row = db.session.scalar(query)
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(ReportRefresh(province_code=province_code))
        except IntegrityError:
            pass  # another refresh made it first: wait for its lock below
        row = db.session.scalar(query)
    return row


@dataclass(frozen=True)
class RefreshResult:
    learners: int
    recomputed: int | None  # learners whose status was recomputed; None: all of them
    seconds: float


def refresh(catalog: Catalog, province_code: int, *, rebuild: bool = False) -> RefreshResult:
    """Rebuild the province's counts snapshot (and bring learners' statuses up to date)."""
    clock = time.perf_counter()
    started_at = utcnow()
    state = _lock_refresh_row(province_code)
    if _postgresql():  # hash joins and sums over every learner: in memory, not on disk
        db.session.execute(sa.text("SET LOCAL work_mem = '64MB'"))
    key = content_key(catalog)
    recomputed = None
    if rebuild or state.refreshed_at is None or state.content_key != key:
        recompute_statuses(catalog, province_code)
        if _postgresql():  # a table rewritten in full: give the planner its new size
            db.session.execute(sa.text("ANALYZE learner_status"))
    else:
        stale = _stale_learners(province_code, state.refreshed_at - _OVERLAP)
        if len(stale) > _REPAIR_LIMIT:
            recompute_statuses(catalog, province_code)
        else:
            for i in range(0, len(stale), 1000):
                recompute_statuses(catalog, province_code, stale[i:i + 1000])
            recomputed = len(stale)

    for model in (CommuneCount, UnitCount, AmbassadorCount):
        db.session.execute(sa.delete(model).where(model.province_code == province_code))
    _count_learners(province_code)
    _count_ambassadors(province_code)
    learners = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(CommuneCount.registered), 0))
        .where(CommuneCount.province_code == province_code))
    state.refreshed_at = started_at  # the figures include everything committed before this
    state.seconds = round(time.perf_counter() - clock, 3)
    state.learners = learners
    state.content_key = key
    db.session.commit()
    if _postgresql():
        _vacuum(statuses=recomputed is None)
    return RefreshResult(learners, recomputed, state.seconds)


def _vacuum(statuses: bool) -> None:
    """Every refresh rewrites the snapshot: reclaim the old rows at once, or the pages read
    through them until autovacuum comes by (VACUUM runs outside a transaction)."""
    tables = ["report_commune_counts", "report_unit_counts", "report_ambassador_counts"]
    if statuses:
        tables.append("learner_status")
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text(f"VACUUM (ANALYZE) {', '.join(tables)}"))


# Counts per commune, unit, group and month, computed once per refresh and summed twice.
_fine = sa.Table("report_fine_counts", sa.MetaData(),
                 sa.Column("commune_code", sa.Integer), sa.Column("unit_id", sa.Integer),
                 sa.Column("group_slug", sa.String(40)), sa.Column("month", sa.Integer),
                 sa.Column("registered", sa.Integer), sa.Column("trained", sa.Integer),
                 sa.Column("confirmed", sa.Integer), prefixes=["TEMPORARY"])


def _count_learners(province_code: int) -> None:
    """report_commune_counts and report_unit_counts from users ⋈ learner_status: a learner's
    milestones count only for the group they were computed for (their current group).
    One pass over the learners into a temporary table, then two small sums."""
    one, zero = sa.literal_column("1"), sa.literal_column("0")
    place = (User.commune_code, User.unit_id, User.group_slug)
    mine = sa.and_(LearnerStatus.user_id == User.id, LearnerStatus.group_slug == User.group_slug)
    in_province = User.province_code == province_code
    # One join for both milestones: people by (place, month trained, month confirmed).
    milestones = (
        sa.select(*place, _month_key(LearnerStatus.trained_at).label("trained"),
                  _month_key(LearnerStatus.confirmed_at).label("confirmed"),
                  sa.func.count().label("n"))
        .join(LearnerStatus, mine).where(in_province)
        .group_by(*place, sa.literal_column("4"), sa.literal_column("5"))
        .cte("milestones"))
    m = milestones.c
    facts = sa.union_all(
        sa.select(*place, _month_key(User.created_at).label("month"), one.label("r"),
                  zero.label("t"), zero.label("c")).where(in_province),
        sa.select(m.commune_code, m.unit_id, m.group_slug, m.trained, zero, m.n, zero)
        .where(m.trained.is_not(None)),
        sa.select(m.commune_code, m.unit_id, m.group_slug, m.confirmed, zero, zero, m.n)
        .where(m.confirmed.is_not(None)),
    ).subquery("facts")
    columns = ["registered", "trained", "confirmed"]
    connection = db.session.connection()
    db.session.execute(sa.text("DROP TABLE IF EXISTS report_fine_counts"))  # a failed run's
    _fine.create(connection)
    db.session.execute(_fine.insert().from_select(
        ["commune_code", "unit_id", "group_slug", "month", *columns],
        sa.select(facts.c.commune_code, facts.c.unit_id, facts.c.group_slug,
                  _month_int(facts.c.month), sa.func.sum(facts.c.r), sa.func.sum(facts.c.t),
                  sa.func.sum(facts.c.c))
        .group_by(facts.c.commune_code, facts.c.unit_id, facts.c.group_slug, facts.c.month)))
    sums = [sa.func.sum(_fine.c[name]) for name in columns]
    db.session.execute(sa.insert(CommuneCount).from_select(
        ["province_code", "commune_code", "group_slug", "month", *columns],
        sa.select(sa.literal(province_code), _fine.c.commune_code, _fine.c.group_slug,
                  _fine.c.month, *sums)
        .group_by(_fine.c.commune_code, _fine.c.group_slug, _fine.c.month)))
    # A unit's learners are counted in the unit's commune (the unit's own page drills from it).
    db.session.execute(sa.insert(UnitCount).from_select(
        ["province_code", "commune_code", "unit_id", "group_slug", "month", *columns],
        sa.select(sa.literal(province_code), Unit.commune_code, _fine.c.unit_id,
                  _fine.c.group_slug, _fine.c.month, *sums)
        .join(Unit, Unit.id == _fine.c.unit_id)
        .group_by(Unit.commune_code, _fine.c.unit_id, _fine.c.group_slug, _fine.c.month)))
    _fine.drop(connection)


def _count_ambassadors(province_code: int) -> None:
    """Per ambassador and month: people registered, supervised sessions handed in, and people
    they helped (registered or supervised) who were confirmed that month."""
    ambassador, citizen = aliased(User), aliased(User)
    theirs = sa.and_(ambassador.id == AmbassadorAction.ambassador_id,
                     ambassador.province_code == province_code)
    zero = sa.literal_column("0")
    helped = (sa.select(AmbassadorAction.ambassador_id, AmbassadorAction.citizen_id)
              .join(ambassador, theirs).distinct().subquery("helped"))
    facts = sa.union_all(
        sa.select(AmbassadorAction.ambassador_id,
                  _month_sql(AmbassadorAction.created_at).label("month"),
                  sa.case((AmbassadorAction.kind == "register", 1), else_=0).label("r"),
                  sa.case((AmbassadorAction.kind == "submit", 1), else_=0).label("s"),
                  zero.label("c"))
        .join(ambassador, theirs).where(AmbassadorAction.kind.in_(("register", "submit"))),
        sa.select(helped.c.ambassador_id, _month_sql(LearnerStatus.confirmed_at), zero, zero,
                  sa.literal_column("1"))
        .join(LearnerStatus, LearnerStatus.user_id == helped.c.citizen_id)
        .join(citizen, sa.and_(citizen.id == LearnerStatus.user_id,
                               citizen.group_slug == LearnerStatus.group_slug))
        .where(LearnerStatus.confirmed_at.is_not(None)),
    ).subquery("facts")
    db.session.execute(sa.insert(AmbassadorCount).from_select(
        ["province_code", "ambassador_id", "month", "registered", "sessions", "confirmed"],
        sa.select(sa.literal(province_code), facts.c.ambassador_id, facts.c.month,
                  sa.func.sum(facts.c.r), sa.func.sum(facts.c.s), sa.func.sum(facts.c.c))
        .group_by(facts.c.ambassador_id, facts.c.month)))


def last_refresh(province_code: int) -> ReportRefresh | None:
    row = db.session.get(ReportRefresh, province_code)
    return row if row is not None and row.refreshed_at is not None else None
