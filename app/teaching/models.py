from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.columns import UTCDateTime, utcnow
from app.extensions import db

# What a class is, in the movement's words (shown translated in the UI).
CLASS_KINDS = ("school", "agency", "enterprise", "womens_union", "community")
ASSIGNMENT_KINDS = ("course", "module", "check")


class Classroom(db.Model):
    __tablename__ = "classrooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(20), default="school")
    join_code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("classroom_id", "user_id"),
                      sa.Index("ix_memberships_user", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(sa.ForeignKey("classrooms.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Invitation(db.Model):
    """A teacher asked an existing account to join a class: nothing of that person is shown to
    the teacher until they accept (the Personal Data Protection Law's consent)."""

    __tablename__ = "class_invitations"
    __table_args__ = (sa.UniqueConstraint("classroom_id", "user_id"),
                      sa.Index("ix_class_invitations_user", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(sa.ForeignKey("classrooms.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    invited_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Assignment(db.Model):
    """A course, a module or a module's knowledge check given to a class, maybe with a due date."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(
        sa.ForeignKey("classrooms.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    course_slug: Mapped[str] = mapped_column(sa.String(80))
    module_slug: Mapped[str | None] = mapped_column(sa.String(80))
    due_on: Mapped[date | None] = mapped_column(sa.Date())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
