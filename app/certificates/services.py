"""Certificates: what they record, verify by public code, QR codes, revocation. Issuing
them is completion.py's, the one place that decides what a learner's step completes."""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache
import re
import secrets
import unicodedata
from collections import defaultdict

import segno
import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from app.assessment.models import Attempt, CompetenceScore
from app.audit.services import record
from app.catalog import Catalog, Course
from app.columns import utcnow
from app.extensions import db

from .models import Certificate


def new_code() -> str:
    """Public verification code: 192 random bits, URL-safe (32 characters)."""
    return secrets.token_urlsafe(24)


def subject_identity(email: str | None, phone: str | None) -> dict:
    """The holder's login as OB 3.0 wants it in a credential: salted and hashed
    ("sha256$" + hex of SHA-256 of login then salt), with the salt to prove it later."""
    login, kind = (email, "emailAddress") if email else (phone, "identifier")
    salt = secrets.token_hex(16)
    digest = hashlib.sha256(f"{login}{salt}".encode()).hexdigest()
    return {"subject_type": kind, "subject_salt": salt, "subject_hash": f"sha256${digest}"}


def find_certificate(user_id: int, course_slug: str, kind: str = "course") -> Certificate | None:
    """The learner's valid certificate, else their latest revoked one, else None."""
    return db.session.scalar(sa.select(Certificate).where(
        Certificate.user_id == user_id, Certificate.kind == kind,
        Certificate.course_slug == course_slug)
        .order_by(Certificate.revoked_at.is_not(None), Certificate.id.desc()).limit(1))


def verify_url(code: str) -> str:
    """The public address printed in the QR code and used as the credential's id."""
    return f"{current_app.config['BASE_URL']}/verify/{code}"


def credential_url(code: str) -> str:
    """The JSON-LD credential alone (with its proof): what a wallet fetches and stores."""
    return f"{verify_url(code)}.jsonld"


def nfc(value):
    """Strings in NFC, through lists and dicts: one spelling of each Vietnamese letter."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [nfc(v) for v in value]
    if isinstance(value, dict):
        return {k: nfc(v) for k, v in value.items()}
    return value


def generation_key(code: str) -> str:
    """What a certificate's cached verify page depends on (app/caching.py)."""
    return f"certificate:{code}"


def forget_pages(*codes: str) -> None:
    """Cached verify pages of these certificates are stale, in every process (after a commit)."""
    current_app.extensions["caches"].bump(*(generation_key(c) for c in codes))


@sa.event.listens_for(db.session, "after_flush")
def _note_changed_certificates(session, _context):
    changed = session.info.setdefault("changed_certificates", set())
    changed.update(o.code for o in (*session.dirty, *session.deleted) if isinstance(o, Certificate))


@sa.event.listens_for(db.session, "after_commit")
def _forget_changed_certificates(session):
    changed = session.info.pop("changed_certificates", None)
    if changed and has_app_context() and "caches" in current_app.extensions:
        forget_pages(*changed)


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


def certificates_of(user_id: int) -> list[Certificate]:
    return list(db.session.scalars(sa.select(Certificate).where(
        Certificate.user_id == user_id).order_by(Certificate.issued_at.desc())))


def qr(url: str) -> segno.QRCode:
    # micro=False: a short URL would otherwise become a Micro QR many phones cannot read.
    return segno.make(url, error="m", micro=False)


@lru_cache(maxsize=2048)  # pure, and encoding a QR code costs milliseconds
def qr_svg(url: str) -> str:
    out = io.BytesIO()
    qr(url).save(out, kind="svg", scale=4, border=2, dark="#000", light="#fff",
                 xmldecl=False, svgns=True, title=url)
    return out.getvalue().decode()


@lru_cache(maxsize=256)
def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    qr(url).save(out, kind="png", scale=8, border=4)
    return out.getvalue()


def confirmation_snapshot(attempt: Attempt, catalog: Catalog) -> list[dict]:
    """Per competence the confirmation asked about: what the passed attempt showed."""
    competences = catalog.framework.competences
    by_rank = {lv.rank: lv.code for lv in catalog.framework.levels}
    # Queried, not attempt.scores: a decided attempt's scores may still be pending in the session.
    scores = db.session.scalars(sa.select(CompetenceScore).where(
        CompetenceScore.attempt_id == attempt.id))
    return [
        {"code": s.competence, "name": competences[s.competence].name, "correct": s.correct,
         "total": s.total, "level": by_rank.get(s.level_rank or 0)}
        for s in sorted(scores, key=lambda s: _code_key(s.competence))
        if s.competence in competences
    ]


# --- revocation (admins) ---------------------------------------------------------------------

REASON_MAX = 500
_SERIAL = re.compile(r"^HVS-(\d{4})-(\d{1,9})$", re.IGNORECASE)  # ids are 32-bit integers


class RevocationError(Exception):
    def __init__(self, message, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


def find_for_admin(query: str) -> Certificate | None:
    """By serial (HVS-2026-0000042), code, or a pasted verify link."""
    query = "".join(query.split())
    serial = _SERIAL.match(query)
    if serial:
        certificate = db.session.get(Certificate, int(serial.group(2)))
        if certificate is not None and certificate.issued_at.year == int(serial.group(1)):
            return certificate
        return None
    return by_code(query.rstrip("/").rsplit("/", 1)[-1])


def revoke(certificate: Certificate, reason: str, actor_id: int) -> Certificate:
    """Revoke once, with a reason, and the audit event in the same commit.

    A conditional UPDATE, so two admins revoking at the same moment cannot both succeed."""
    reason = (reason or "").strip()
    if not reason:
        raise RevocationError(_l("Hãy ghi lý do thu hồi."))
    if len(reason) > REASON_MAX:
        raise RevocationError(_l("Lý do dài tối đa %(max)d ký tự.", max=REASON_MAX))
    revoked = db.session.execute(
        sa.update(Certificate)
        .where(Certificate.id == certificate.id, Certificate.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
        .execution_options(synchronize_session=False))
    if revoked.rowcount != 1:
        db.session.rollback()
        db.session.refresh(certificate)
        raise RevocationError(_l("Chứng chỉ %(s)s đã bị thu hồi từ trước; không có gì thay đổi.",
                                 s=certificate.serial), status=409)
    record(actor_id, "certificate.revoke", "certificate", certificate.id, reason=reason,
           serial=certificate.serial)
    db.session.commit()
    forget_pages(certificate.code)  # the UPDATE above bypassed the session's change tracking
    db.session.refresh(certificate)
    return certificate
