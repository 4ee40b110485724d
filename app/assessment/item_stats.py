"""Item statistics of every question, from the answers stored with attempts, as
../shared/ASSESSMENT.md defines them: facility, discrimination (the corrected item–total
correlation), distractor rates, exposure, and the flags that call for a review.

One GROUP BY over attempt_answers joined to attempts: sums only, so it stays a single pass
at province scale (the bench: 1 million attempts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.catalog import Catalog, Question
from app.extensions import db

from .models import Answer, Attempt

MIN_EXPOSURE = 30  # statistics are shown once a question has been seen this often
DISTRACTOR_EXPOSURE = 100  # an option nobody picks is judged after this many showings
MAX_OPTIONS = 8  # the largest number of options a question type allows


@dataclass(frozen=True)
class ItemStats:
    question: Question
    exposure: int  # answers given to it
    facility: float | None  # share answered right
    discrimination: float | None  # corrected item–total correlation
    option_rates: tuple[float, ...]  # share of answers that ticked each option (content order)
    flags: tuple[str, ...]  # why it needs a review: "easy", "hard", "discrimination", "distractor"

    @property
    def shown(self) -> bool:
        return self.exposure >= MIN_EXPOSURE


def _sums():
    x = sa.case((Answer.correct.is_(True), 1), else_=0)
    rest = Attempt.correct - x  # the rest of the attempt's score
    columns = [
        sa.func.count(Answer.id), sa.func.sum(x), sa.func.sum(rest), sa.func.sum(rest * rest),
        sa.func.sum(sa.case((Answer.correct.is_(True), rest), else_=0)),
    ]
    columns += [sa.func.sum(sa.case((Answer.chosen_mask.op("&")(1 << i) != 0, 1), else_=0))
                for i in range(MAX_OPTIONS)]
    return columns


def raw_sums(check_keys: list[str] | None = None) -> dict[str, tuple]:
    """question id: (n, Σx, Σy, Σy², Σxy, ticks of option 0…7), over submitted attempts."""
    query = (sa.select(Answer.question_id, *_sums())
             .join(Attempt, Attempt.id == Answer.attempt_id)
             .where(Attempt.submitted_at.is_not(None))
             .group_by(Answer.question_id))
    if check_keys is not None:
        query = query.where(Attempt.check_key.in_(check_keys))
    return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in db.session.execute(query)}


def correlation(n: int, sx: int, sy: int, syy: int, sxy: int) -> float | None:
    """Pearson's r of a 0/1 item score x with the rest score y, from sums (Σx² = Σx)."""
    vx = n * sx - sx * sx
    vy = n * syy - sy * sy
    if n < 2 or vx <= 0 or vy <= 0:
        return None
    return (n * sxy - sx * sy) / math.sqrt(vx * vy)


def statistics(catalog: Catalog) -> list[ItemStats]:
    """Every question of the content, flagged ones first, then by exposure."""
    sums = raw_sums()
    found = []
    for question in catalog.questions.values():
        n, sx, sy, syy, sxy, *ticks = sums.get(question.id, (0,) * (5 + MAX_OPTIONS))
        facility = sx / n if n else None
        discrimination = correlation(n, sx, sy, syy, sxy)
        rates = tuple(ticks[i] / n if n else 0.0 for i in range(len(question.choices)))
        flags = []
        if n >= MIN_EXPOSURE:
            if facility > 0.95:
                flags.append("easy")
            if facility < 0.20:
                flags.append("hard")
            if discrimination is not None and discrimination < 0.10:
                flags.append("discrimination")
            if n >= DISTRACTOR_EXPOSURE and any(
                    rates[i] < 0.02 for i, c in enumerate(question.choices) if not c.correct):
                flags.append("distractor")
        found.append(ItemStats(question, n, facility, discrimination, rates, tuple(flags)))
    found.sort(key=lambda s: (not s.flags, -s.exposure, s.question.id))
    return found


FLAG_LABELS = {
    "easy": _l("gần như ai cũng đúng (trên 95%)"),
    "hard": _l("quá ít người đúng (dưới 20%)"),
    "discrimination": _l("không phân biệt người biết với người đoán (tương quan dưới 0,10; "
                         "âm: có thể sai đáp án)"),
    "distractor": _l("có lựa chọn sai gần như không ai chọn (dưới 2%)"),
}
