from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.columns import UTCDateTime, utcnow
from app.extensions import db

KINDS = ("course", "confirmation")


class Certificate(db.Model):
    """An issued certificate: a snapshot that later content edits never change."""

    __tablename__ = "certificates"
    # One certificate per learner and course (or confirmation): the database enforces
    # "issued exactly once" even when two requests complete the course at the same moment.
    __table_args__ = (sa.UniqueConstraint("user_id", "kind", "course_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)  # public, ≥128 random bits
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(sa.String(20), default="course")
    course_slug: Mapped[str] = mapped_column(sa.String(80))
    holder_name: Mapped[str] = mapped_column(sa.String(120))
    title: Mapped[str] = mapped_column(sa.String(200))
    # [{"code": "4.2", "name": …, "correct": n, "total": n, "level": "CB2"|None}, …]
    competences: Mapped[list] = mapped_column(sa.JSON)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(sa.String(500))

    @property
    def serial(self) -> str:
        """Human-readable serial, e.g. HVS-2026-0000042: from the row id, so never duplicated."""
        return f"HVS-{self.issued_at.year}-{self.id:07d}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
