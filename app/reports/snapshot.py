"""The dashboard's snapshot of counts, and each learner's milestones.

How the counts stay cheap at a province's size (3.7 million people): a dashboard page reads
only report_*_counts, a few hundred rows per commune whatever the number of learners.
`refresh()` (run by `flask reports refresh`, e.g. every 15 minutes) brings them up to date in
one transaction; every page says when that was. It costs what changed since the previous one,
not the province's size: database triggers note in report_changes each learner, ambassador or
unit whose counts may have moved (migration 1dfd8ab5723c), and the refresh takes those notes,
recomputes those learners' milestones (learner_status), subtracts what report_learners says it
counted for them and adds them as they are now. Everyone is recounted with `rebuild=True` (the
nightly pass), on the first refresh and when the programmes or assessments in content/ change.
Each learner's milestones are also rewritten in the transaction that issues one of their
certificates.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite
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
    CountedLearner,
    LearnerStatus,
    ReportChange,
    ReportRefresh,
    Unit,
    UnitCount,
)

_REPAIR_LIMIT = 100_000  # more learners than this changed: recount the whole province
_CHUNK = 1000  # ids per IN (…) list


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


def _take_changes(province_code: int) -> dict[str, set[int]]:
    """The province's learners, ambassadors and units noted in report_changes, whose notes this
    DELETE removes. It sees only committed notes, and the refresh reads the data after it: a
    change committed later, however long its transaction ran, keeps its note for the next
    refresh. (A time window over updated_at columns would miss a transaction that commits
    after the window, and a sequence number is handed out before its row commits.) Recounting
    a subject twice is harmless: it replaces what was counted for it."""
    taken: dict[str, set[int]] = {"learner": set(), "ambassador": set(), "unit": set()}
    notes = db.session.execute(
        sa.delete(ReportChange).where(ReportChange.province_code == province_code)
        .returning(ReportChange.kind, ReportChange.subject_id)
        .execution_options(synchronize_session=False))
    for kind, subject_id in notes:
        taken[kind].add(subject_id)
    return taken


def _chunks(ids: set[int]):
    ordered = sorted(ids)
    for i in range(0, len(ordered), _CHUNK):
        yield ordered[i:i + _CHUNK]


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
    """Bring the province's counts snapshot (and learners' statuses) up to date: recount what
    changed since the previous refresh, or everyone with `rebuild`."""
    clock = time.perf_counter()
    started_at = utcnow()
    state = _lock_refresh_row(province_code)
    changes = _take_changes(province_code)  # first: everything read below is at least as new
    key = content_key(catalog)
    everyone = (rebuild or state.refreshed_at is None or state.content_key != key
                or len(changes["learner"]) > _REPAIR_LIMIT)
    if everyone:
        _count_everyone(catalog, province_code)
    else:
        _count_changes(catalog, province_code, changes)
    learners = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(CommuneCount.registered), 0))
        .where(CommuneCount.province_code == province_code))
    state.refreshed_at = started_at  # the figures include everything committed before this
    state.seconds = round(time.perf_counter() - clock, 3)
    state.learners = learners
    state.content_key = key
    db.session.commit()
    if everyone and _postgresql():
        _vacuum()
    return RefreshResult(learners, None if everyone else len(changes["learner"]), state.seconds)


def _vacuum() -> None:
    """A full pass rewrites every count: reclaim the old rows at once, or the pages read
    through them until autovacuum comes by (VACUUM runs outside a transaction). A refresh of
    what changed rewrites a few rows, which autovacuum handles."""
    tables = "report_commune_counts, report_unit_counts, report_ambassador_counts, " \
             "report_learners, learner_status"
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text(f"VACUUM (ANALYZE) {tables}"))


def _count_everyone(catalog: Catalog, province_code: int) -> None:
    """Every learner's status, what is counted for them, and every count, from scratch."""
    if _postgresql():  # hash joins and sums over every learner: in memory, not on disk
        db.session.execute(sa.text("SET LOCAL work_mem = '64MB'"))
    recompute_statuses(catalog, province_code)
    if _postgresql():  # a table rewritten in full: give the planner its new size
        db.session.execute(sa.text("ANALYZE learner_status"))
    for model in (CountedLearner, CommuneCount, UnitCount, AmbassadorCount):
        db.session.execute(sa.delete(model).where(model.province_code == province_code))
    _note_learners(province_code)
    _add_counts(province_code, None, 1, (CommuneCount, UnitCount))
    _count_ambassadors(province_code)


def _count_changes(catalog: Catalog, province_code: int, changes: dict[str, set[int]]) -> None:
    """Recount the noted learners, ambassadors and units only (nothing noted: no statement)."""
    ambassadors = set(changes["ambassador"])
    both = (CommuneCount, UnitCount)
    for ids in _chunks(changes["learner"]):
        recompute_statuses(catalog, province_code, ids)
        counted = CountedLearner.user_id.in_(ids)
        confirmed = sa.select(CountedLearner.user_id, CountedLearner.confirmed_month).where(
            CountedLearner.province_code == province_code, counted)
        before = dict(db.session.execute(confirmed).all())
        _add_counts(province_code, counted, -1, both)  # what was counted for them …
        db.session.execute(sa.delete(CountedLearner).where(
            CountedLearner.province_code == province_code, counted))
        _note_learners(province_code, ids)
        _add_counts(province_code, counted, 1, both)  # … replaced by what they are now
        after = dict(db.session.execute(confirmed).all())
        # Ambassadors count the people they helped who were confirmed (as report_learners
        # does): theirs are recounted if that changed, and they may be ambassadors themselves.
        helped = [uid for uid in ids if before.get(uid) != after.get(uid)]
        ambassadors.update(db.session.scalars(sa.select(AmbassadorAction.ambassador_id).where(
            sa.or_(AmbassadorAction.citizen_id.in_(helped),
                   AmbassadorAction.ambassador_id.in_(ids))).distinct()))
    if changes["learner"]:
        for model in (CommuneCount, UnitCount):  # what a full pass would not have written
            db.session.execute(sa.delete(model).where(
                model.province_code == province_code, model.registered == 0, model.trained == 0,
                model.confirmed == 0))
    for ids in _chunks(ambassadors):  # each in their own province (they may have moved)
        db.session.execute(sa.delete(AmbassadorCount).where(AmbassadorCount.ambassador_id.in_(ids)))
        provinces: dict[int, list[int]] = {}
        for uid, province in db.session.execute(
                sa.select(User.id, User.province_code).where(User.id.in_(ids))):
            provinces.setdefault(province, []).append(uid)
        for province, theirs in provinces.items():
            _count_ambassadors(province, theirs)
    for ids in _chunks(changes["unit"]):  # moved (counted in its new commune), made, deleted
        db.session.execute(sa.delete(UnitCount).where(
            UnitCount.province_code == province_code, UnitCount.unit_id.in_(ids)))
        _add_counts(province_code, CountedLearner.unit_id.in_(ids), 1, (UnitCount,))


def _note_learners(province_code: int, user_ids=None) -> None:
    """report_learners for the province's learners (or `user_ids`) as they are now: a
    learner's milestones count only for the group they were computed for (their current
    group)."""
    mine = sa.and_(LearnerStatus.user_id == User.id, LearnerStatus.group_slug == User.group_slug)
    rows = (sa.select(sa.literal(province_code), User.id, User.commune_code, User.unit_id,
                      User.group_slug, _month_sql(User.created_at),
                      _month_sql(LearnerStatus.trained_at), _month_sql(LearnerStatus.confirmed_at))
            .outerjoin(LearnerStatus, mine).where(User.province_code == province_code))
    if user_ids is not None:
        rows = rows.where(User.id.in_(user_ids))
    db.session.execute(sa.insert(CountedLearner).from_select(
        ["province_code", "user_id", "commune_code", "unit_id", "group_slug", "registered_month",
         "trained_month", "confirmed_month"], rows))


def _upsert(model):
    """INSERT … ON CONFLICT DO UPDATE, spelt the same by both databases' dialects."""
    return (postgresql.insert if _postgresql() else sqlite.insert)(model)


def _add_counts(province_code: int, which, sign: int, models) -> None:
    """Add (sign 1) or subtract (-1) what report_learners counts for the learners `which`
    selects to `models` (CommuneCount, UnitCount), per commune or unit, group and month: one
    row per milestone, summed. which None: the whole province, into emptied tables."""
    counted = sa.select(CountedLearner).where(CountedLearner.province_code == province_code)
    if which is not None:
        counted = counted.where(which)
    c = counted.cte("counted")  # read once for the three kinds of milestone
    one, zero = sa.literal_column(str(sign)), sa.literal_column("0")
    place = (c.c.commune_code, c.c.unit_id, c.c.group_slug)
    facts = sa.union_all(
        sa.select(*place, c.c.registered_month.label("month"), one.label("r"), zero.label("t"),
                  zero.label("c")),
        sa.select(*place, c.c.trained_month, zero, one, zero).where(c.c.trained_month.is_not(None)),
        sa.select(*place, c.c.confirmed_month, zero, zero, one)
        .where(c.c.confirmed_month.is_not(None)),
    ).subquery("facts")
    f = facts.c
    columns = ["registered", "trained", "confirmed"]
    sums = [sa.func.sum(f.r), sa.func.sum(f.t), sa.func.sum(f.c)]
    targets = (
        (CommuneCount, ["commune_code", "group_slug", "month"],
         ["province_code", "commune_code", "group_slug", "month"],
         sa.select(sa.literal(province_code), f.commune_code, f.group_slug, f.month, *sums)
         .group_by(f.commune_code, f.group_slug, f.month)),
        # A unit's learners are counted in the unit's commune (its page drills from it); a
        # deleted unit's counts went with it.
        (UnitCount, ["unit_id", "group_slug", "month"],
         ["province_code", "commune_code", "unit_id", "group_slug", "month"],
         sa.select(sa.literal(province_code), Unit.commune_code, f.unit_id, f.group_slug, f.month,
                   *sums)
         .join(Unit, Unit.id == f.unit_id)
         .group_by(Unit.commune_code, f.unit_id, f.group_slug, f.month)),
    )
    for model, unique, keys, rows in (target for target in targets if target[0] in models):
        if which is None:  # everyone, into emptied tables
            db.session.execute(sa.insert(model).from_select([*keys, *columns], rows))
            continue
        insert = _upsert(model).from_select([*keys, *columns], rows)
        table = model.__table__
        db.session.execute(insert.on_conflict_do_update(
            index_elements=unique,
            set_={name: table.c[name] + insert.excluded[name] for name in columns}))


def _count_ambassadors(province_code: int, ambassador_ids=None) -> None:
    """Per ambassador (of the province, or of `ambassador_ids`) and month: people registered,
    supervised sessions handed in, and people they helped (registered or supervised) who were
    confirmed that month."""
    ambassador, citizen = aliased(User), aliased(User)
    theirs = sa.and_(ambassador.id == AmbassadorAction.ambassador_id,
                     ambassador.province_code == province_code)
    if ambassador_ids is not None:
        theirs = sa.and_(theirs, AmbassadorAction.ambassador_id.in_(ambassador_ids))
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
