from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.columns import UTCDateTime, utcnow
from app.extensions import db

KINDS = ("course", "confirmation")
NOT_REVOKED = sa.text("revoked_at IS NULL")


class Certificate(db.Model):
    """An issued certificate: a snapshot that later content edits never change."""

    __tablename__ = "certificates"
    # One valid certificate per learner and course (or confirmation): the database enforces
    # "issued exactly once" even when two requests complete the course at the same moment; a
    # revoked one stays (its verify page says so) beside a confirmation earned again.
    # A status list position belongs to one certificate for ever (rows are never deleted).
    __table_args__ = (sa.Index("uq_certificates_held", "user_id", "kind", "course_slug",
                               unique=True, postgresql_where=NOT_REVOKED,
                               sqlite_where=NOT_REVOKED),
                      sa.UniqueConstraint("status_list", "status_index"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)  # public, ≥128 random bits
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"),
                                         index=True)
    kind: Mapped[str] = mapped_column(sa.String(20), default="course")
    course_slug: Mapped[str] = mapped_column(sa.String(80))
    holder_name: Mapped[str] = mapped_column(sa.String(120))
    title: Mapped[str] = mapped_column(sa.String(200))
    # [{"code": "4.2", "name": …, "correct": n, "total": n, "level": "CB2"|None}, …]
    competences: Mapped[list] = mapped_column(sa.JSON)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(sa.String(500))
    # Where the credential's revocation bit is: list number, and a random index in it
    # (status.py). Set at issue; NULL only for rows written outside the issuing service.
    status_list: Mapped[int | None] = mapped_column()
    status_index: Mapped[int | None] = mapped_column()
    # The holder's login, salted and hashed at issue (OB 3.0 IdentityObject), a snapshot like
    # the name: "emailAddress" or "identifier" (a phone number), the salt, "sha256$<hex>".
    subject_type: Mapped[str | None] = mapped_column(sa.String(20))
    subject_salt: Mapped[str | None] = mapped_column(sa.String(32))
    subject_hash: Mapped[str | None] = mapped_column(sa.String(80))

    @property
    def serial(self) -> str:
        """Human-readable serial, e.g. HVS-2026-0000042: from the row id, so never duplicated."""
        return f"HVS-{self.issued_at.year}-{self.id:07d}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
