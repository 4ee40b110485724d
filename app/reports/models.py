"""Units, denominators, each learner's milestones, and the dashboard's counts.

What people do stays in its own tables (users, certificates, ambassador_actions); this module
keeps two derived things so that a dashboard page never scans every learner:
- learner_status: per learner, when they finished their group's programme and when they were
  confirmed, recomputed from the certificates by `flask reports refresh` (snapshot.py) for
  those whose certificates were issued or revoked, or whose group changed, since the previous
  refresh (everyone when the content's programmes change), and first in the very commit that
  issues one of their certificates (certificate_issued, certificates/completion.py);
- report_*_counts: a snapshot of counts per commune / unit / ambassador, group and month,
  kept by `flask reports refresh`; report_refreshes says when (the "as of" on every page).
  What it counts for each learner is in report_learners; database triggers note every change
  that can move a count in report_changes, and the refresh recounts only those.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.columns import UTCDateTime, utcnow
from app.extensions import db

# Units live below the packages that pick one (app/units); the dashboard counts them.
from app.units.models import UNIT_KINDS, Unit  # noqa: E402,F401  (re-exported for reports)


class CommuneDenominator(db.Model):
    """How many people of a group a commune has: the 100% of its percentages."""

    __tablename__ = "commune_denominators"
    __table_args__ = (sa.UniqueConstraint("commune_code", "group_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    province_code: Mapped[int] = mapped_column(index=True)
    commune_code: Mapped[int] = mapped_column()
    group_slug: Mapped[str] = mapped_column(sa.String(40))
    people: Mapped[int] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class UnitDenominator(db.Model):
    __tablename__ = "unit_denominators"
    __table_args__ = (sa.UniqueConstraint("unit_id", "group_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"))
    group_slug: Mapped[str] = mapped_column(sa.String(40))
    people: Mapped[int] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LearnerStatus(db.Model):
    """A certificate holder's milestones for `group_slug` (their group when last computed):
    counted only while it is still their group."""

    __tablename__ = "learner_status"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, autoincrement=False)
    group_slug: Mapped[str] = mapped_column(sa.String(40))
    trained_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # finished the programme
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # passed confirmation
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CommuneCount(db.Model):
    """Snapshot: people of a commune and group who registered / finished the programme / were
    confirmed during one month (yyyymm, local time). Sums over months give any period."""

    __tablename__ = "report_commune_counts"
    __table_args__ = (sa.UniqueConstraint("commune_code", "group_slug", "month"),
                      sa.Index("ix_report_commune_counts_province", "province_code", "month"))

    id: Mapped[int] = mapped_column(primary_key=True)
    province_code: Mapped[int] = mapped_column()
    commune_code: Mapped[int] = mapped_column()
    group_slug: Mapped[str] = mapped_column(sa.String(40))
    month: Mapped[int] = mapped_column()
    registered: Mapped[int] = mapped_column()
    trained: Mapped[int] = mapped_column()
    confirmed: Mapped[int] = mapped_column()


class UnitCount(db.Model):
    """Snapshot, as CommuneCount, for the learners of one unit."""

    __tablename__ = "report_unit_counts"
    __table_args__ = (sa.UniqueConstraint("unit_id", "group_slug", "month"),
                      sa.Index("ix_report_unit_counts_commune", "commune_code"),
                      sa.Index("ix_report_unit_counts_province", "province_code", "group_slug",
                               "month"))

    id: Mapped[int] = mapped_column(primary_key=True)
    province_code: Mapped[int] = mapped_column()
    commune_code: Mapped[int] = mapped_column()
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"))
    group_slug: Mapped[str] = mapped_column(sa.String(40))
    month: Mapped[int] = mapped_column()
    registered: Mapped[int] = mapped_column()
    trained: Mapped[int] = mapped_column()
    confirmed: Mapped[int] = mapped_column()


class AmbassadorCount(db.Model):
    """Snapshot per digital ambassador and month: people they registered, supervised
    confirmation sessions, and people they helped who were confirmed that month."""

    __tablename__ = "report_ambassador_counts"
    __table_args__ = (sa.UniqueConstraint("ambassador_id", "month"),
                      sa.Index("ix_report_ambassador_counts_province", "province_code", "month"))

    id: Mapped[int] = mapped_column(primary_key=True)
    province_code: Mapped[int] = mapped_column()
    ambassador_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    month: Mapped[int] = mapped_column()
    registered: Mapped[int] = mapped_column()
    sessions: Mapped[int] = mapped_column()
    confirmed: Mapped[int] = mapped_column()


class CountedLearner(db.Model):
    """What report_commune_counts and report_unit_counts count for one learner of a province:
    where they were, their group and the months of their milestones. A refresh subtracts this
    row and adds the learner as they are now, for the learners noted in report_changes only."""

    __tablename__ = "report_learners"

    province_code: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # No foreign keys: the row outlives a deleted learner or unit until a refresh subtracts it.
    user_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    commune_code: Mapped[int] = mapped_column()
    unit_id: Mapped[int | None] = mapped_column()
    group_slug: Mapped[str] = mapped_column(sa.String(40))
    registered_month: Mapped[int] = mapped_column()  # yyyymm, local time, as in the counts
    trained_month: Mapped[int | None] = mapped_column()
    confirmed_month: Mapped[int | None] = mapped_column()


class ReportChange(db.Model):
    """Something that may move a province's counts: a learner (kind "learner": registered,
    deleted, moved, changed group, a certificate issued or revoked), an ambassador ("ambassador":
    an action) or a unit ("unit": moved to another commune). Written by triggers (migration
    1dfd8ab5723c) in the transaction that makes the change, whatever code makes it; the next
    refresh deletes the rows it can see and recounts their subjects."""

    __tablename__ = "report_changes"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                                    primary_key=True)
    province_code: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(sa.String(10))
    subject_id: Mapped[int] = mapped_column()


class ReportRefresh(db.Model):
    """When the snapshot of a province was last rebuilt; its row is also the refresh's lock."""

    __tablename__ = "report_refreshes"

    province_code: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    seconds: Mapped[float | None] = mapped_column(sa.Float())
    learners: Mapped[int | None] = mapped_column()
    # Programmes and confirmation assessments the statuses were computed for: a content
    # change makes the next refresh recompute every learner's status.
    content_key: Mapped[str | None] = mapped_column(sa.String(64))
