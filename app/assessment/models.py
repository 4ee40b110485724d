from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.columns import UTCDateTime, utcnow
from app.extensions import db
from app.percentages import percent


class Attempt(db.Model):
    """One try at a knowledge check: the questions drawn, their choice order, the answers."""

    __tablename__ = "attempts"
    __table_args__ = (sa.Index("ix_attempts_user_check", "user_id", "check_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    check_key: Mapped[str] = mapped_column(sa.String(161))  # "<course>/<module>"
    # [{"id": question id, "order": [content choice index, … in display order]}, …]
    drawn: Mapped[list] = mapped_column(sa.JSON)
    # {question id: [content choice index, …]} once submitted
    answers: Mapped[dict | None] = mapped_column(sa.JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    correct: Mapped[int | None] = mapped_column()
    total: Mapped[int] = mapped_column()
    pass_mark: Mapped[int] = mapped_column()  # percent, as the content said when drawn
    passed: Mapped[bool | None] = mapped_column()
    # The digital ambassador on whose device the citizen took this (app/ambassadors), if any.
    supervisor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    scores: Mapped[list[CompetenceScore]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="CompetenceScore.competence"
    )

    @property
    def percent(self) -> int | None:
        # The rule SQL's percent_sql() follows too: 3 of 24 is 13 on every page.
        return None if self.correct is None else percent(self.correct, self.total)


class Answer(db.Model):
    """One question of an attempt as it was answered: what was ticked and whether it was right.
    One row per question, so the item statistics are plain SQL aggregates at province scale."""

    __tablename__ = "attempt_answers"
    __table_args__ = (sa.UniqueConstraint("attempt_id", "question_id"),
                      sa.Index("ix_attempt_answers_question", "question_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("attempts.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(sa.String(40))
    competence: Mapped[str] = mapped_column(sa.String(8))
    position: Mapped[int] = mapped_column()  # 1-based place in the attempt
    # Content indexes of the chosen options as bits (bit i: option i ticked), for SQL's & ;
    # `chosen` keeps them in the order given (an ordering question's answer is an order).
    chosen_mask: Mapped[int] = mapped_column()
    chosen: Mapped[list] = mapped_column(sa.JSON)
    correct: Mapped[bool] = mapped_column()
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CompetenceScore(db.Model):
    """What one attempt showed about one competence of the framework."""

    __tablename__ = "competence_scores"
    __table_args__ = (
        sa.UniqueConstraint("attempt_id", "competence"),
        sa.Index("ix_competence_scores_user", "user_id", "competence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("attempts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    competence: Mapped[str] = mapped_column(sa.String(8))
    correct: Mapped[int] = mapped_column()
    total: Mapped[int] = mapped_column()
    # Highest level (rank 1–8) among the questions of this competence answered correctly.
    level_rank: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="scores")
