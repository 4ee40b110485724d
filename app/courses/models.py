from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.columns import UTCDateTime, utcnow
from app.extensions import db


class ModuleProgress(db.Model):
    """A learner opened a module (started_at) and read it to the end (read_at)."""

    __tablename__ = "module_progress"
    __table_args__ = (sa.UniqueConstraint("user_id", "course_slug", "module_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    course_slug: Mapped[str] = mapped_column(sa.String(80))
    module_slug: Mapped[str] = mapped_column(sa.String(80))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
