from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.columns import UTCDateTime, utcnow
from app.extensions import db
from app.text import collation_key

# The kinds of unit the movement works through; a learner optionally belongs to one.
UNIT_KINDS = ("agency", "school", "enterprise", "cooperative", "womens_union", "community_team")


class Unit(db.Model):
    """An agency, school, enterprise, cooperative, Women's Union group or community
    digital-technology team ("Tổ công nghệ số cộng đồng"), in one commune."""

    __tablename__ = "units"
    __table_args__ = (sa.UniqueConstraint("commune_code", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    province_code: Mapped[int] = mapped_column(index=True)
    commune_code: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def units_of_commune(commune_code: int) -> list[Unit]:
    units = list(db.session.scalars(sa.select(Unit).where(Unit.commune_code == commune_code)))
    return sorted(units, key=lambda u: collation_key(u.name))
