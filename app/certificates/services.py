"""Completion and certificates: issue exactly once, verify by public code, QR codes."""

from __future__ import annotations

import io
import secrets
from collections import defaultdict

import segno
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.assessment.models import Attempt, CompetenceScore
from app.catalog import Catalog, Course
from app.courses.services import course_status
from app.extensions import db

from .models import Certificate


def new_code() -> str:
    """Public verification code: 192 random bits, URL-safe (32 characters)."""
    return secrets.token_urlsafe(24)


def find_certificate(user_id: int, course_slug: str, kind: str = "course") -> Certificate | None:
    return db.session.scalar(sa.select(Certificate).where(
        Certificate.user_id == user_id, Certificate.kind == kind,
        Certificate.course_slug == course_slug))


def by_code(code: str) -> Certificate | None:
    if not code or len(code) > 64:
        return None
    return db.session.scalar(sa.select(Certificate).where(Certificate.code == code))


def competence_snapshot(user_id: int, course: Course, catalog: Catalog) -> list[dict]:
    """Per competence of the course: the results of the learner's best passing attempts."""
    keys = [c.key for c in course.checks]
    best: dict[str, Attempt] = {}
    for a in db.session.scalars(sa.select(Attempt).where(
            Attempt.user_id == user_id, Attempt.check_key.in_(keys), Attempt.passed.is_(True))
            .order_by(Attempt.correct.desc(), Attempt.submitted_at)):
        best.setdefault(a.check_key, a)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    if best:
        for s in db.session.scalars(sa.select(CompetenceScore).where(
                CompetenceScore.attempt_id.in_([a.id for a in best.values()]))):
            t = totals[s.competence]
            t[0] += s.correct
            t[1] += s.total
            t[2] = max(t[2], s.level_rank or 0)
    competences = catalog.framework.competences
    by_rank = {lv.rank: lv.code for lv in catalog.framework.levels}
    return [
        {"code": code, "name": competences[code].name, "correct": c, "total": t,
         "level": by_rank.get(rank)}
        for code, (c, t, rank) in sorted(totals.items(), key=lambda kv: _code_key(kv[0]))
        if code in competences
    ]


def _code_key(code: str) -> tuple[int, ...]:
    return tuple(int(p) for p in code.split("."))


def issue_if_complete(user, course: Course, catalog: Catalog) -> tuple[Certificate | None, bool]:
    """Issue the course certificate once the course is complete; exactly once, race-safe.

    Returns (certificate or None, whether this call issued it).
    """
    existing = find_certificate(user.id, course.slug)
    if existing is not None:
        return existing, False
    if not course_status(user.id, course).complete:
        return None, False
    certificate = Certificate(
        code=new_code(), user_id=user.id, kind="course", course_slug=course.slug,
        holder_name=user.full_name, title=course.title,
        competences=competence_snapshot(user.id, course, catalog),
    )
    db.session.add(certificate)
    try:
        db.session.commit()
    except IntegrityError:
        # Another request issued it first: the unique constraint kept the second one out.
        db.session.rollback()
        return find_certificate(user.id, course.slug), False
    return certificate, True


def certificates_of(user_id: int) -> list[Certificate]:
    return list(db.session.scalars(sa.select(Certificate).where(
        Certificate.user_id == user_id).order_by(Certificate.issued_at.desc())))


def qr(url: str) -> segno.QRCode:
    # micro=False: a short URL would otherwise become a Micro QR many phones cannot read.
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str) -> str:
    out = io.BytesIO()
    qr(url).save(out, kind="svg", scale=4, border=2, dark="#000", light="#fff",
                 xmldecl=False, svgns=True, title=url)
    return out.getvalue().decode()


def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    qr(url).save(out, kind="png", scale=8, border=4)
    return out.getvalue()


def issue_confirmation(user, assessment, attempt, catalog: Catalog) -> tuple[Certificate | None, bool]:
    """The confirmation "đạt phổ cập kỹ năng số" for a passed assessment; exactly once."""
    existing = find_certificate(user.id, assessment.slug, kind="confirmation")
    if existing is not None:
        return existing, False
    if not attempt.passed or attempt.user_id != user.id or attempt.check_key != assessment.key:
        return None, False
    competences = catalog.framework.competences
    by_rank = {lv.rank: lv.code for lv in catalog.framework.levels}
    group = catalog.groups.get(assessment.group)
    certificate = Certificate(
        code=new_code(), user_id=user.id, kind="confirmation", course_slug=assessment.slug,
        holder_name=user.full_name,
        title=f"Phổ cập kỹ năng số — {group.name if group else assessment.group}",
        competences=[
            {"code": s.competence, "name": competences[s.competence].name, "correct": s.correct,
             "total": s.total, "level": by_rank.get(s.level_rank or 0)}
            for s in sorted(attempt.scores, key=lambda s: _code_key(s.competence))
            if s.competence in competences
        ],
    )
    db.session.add(certificate)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return find_certificate(user.id, assessment.slug, kind="confirmation"), False
    return certificate, True
