from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.columns import UTCDateTime, utcnow
from app.extensions import db

# register: made an account for the citizen; session: opened a supervised confirmation on
# the ambassador's device; submit: handed it in (passed says how it went); password: printed
# a new login sheet.
ACTION_KINDS = ("register", "session", "submit", "password")


class AmbassadorAction(db.Model):
    """Something a digital ambassador did for a citizen, in person: who helped whom."""

    __tablename__ = "ambassador_actions"
    __table_args__ = (sa.Index("ix_ambassador_actions_ambassador", "ambassador_id", "kind"),
                      sa.Index("ix_ambassador_actions_citizen", "citizen_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    ambassador_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    citizen_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    attempt_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("attempts.id", ondelete="SET NULL"))
    passed: Mapped[bool | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
