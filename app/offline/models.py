from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.columns import UTCDateTime, utcnow
from app.extensions import db


class OfflineSubmission(db.Model):
    """A check answered on the phone without a signal, as it arrived. `key` is the phone's
    idempotency key (the same answer sent twice), `draw_id` the signed draw's own id (the same
    draw answered twice, from two tabs): either one is graded once."""

    __tablename__ = "offline_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    draw_id: Mapped[str] = mapped_column(sa.String(32), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("attempts.id", ondelete="CASCADE"))
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # as the phone said
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
