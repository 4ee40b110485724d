"""Checks taken without a signal: draws issued ahead, signed and bound to the learner, and
their answers graded once when the phone sends them (answers never leave the server first)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from app.assessment import services as assessment
from app.assessment.models import Attempt
from app.catalog import Catalog, Check, Course, Module
from app.courses import services as courses
from app.courses.completion import Completion, commit_step
from app.extensions import db

from .models import OfflineSubmission

DRAW_DAYS = 7  # a draw taken away must come back within a week
COURSE_BUDGET = 1_000_000  # bytes a course may take in the phone's cache
_KEY = re.compile(r"[A-Za-z0-9_:-]{8,64}")


class Refused(Exception):
    """An answer that cannot count: said to the learner, the rest of the queue goes on."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class IssuedDraw:
    token: str
    questions: list  # assessment.ShownQuestion, without anything that tells the answer
    expires_at: datetime


@dataclass(frozen=True)
class Outcome:
    attempt: Attempt
    duplicate: bool  # it had arrived before: nothing was graded again
    completion: Completion | None = None


def _serializer(salt: str = "offline-draw") -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def sign(payload: dict, salt: str) -> str:
    return _serializer(salt).dumps(payload)


def expiry(days: int) -> datetime:
    return datetime.fromtimestamp(datetime.now(timezone.utc).timestamp() + days * 86400,
                                  timezone.utc)


def issue_draw(user_id: int, check: Check, catalog: Catalog) -> IssuedDraw:
    """A fresh draw of the check, signed for this learner: only question ids and the order
    their options are shown in travel, never which one is right."""
    drawn = assessment.draw(check)
    payload = {"u": user_id, "c": check.key, "d": drawn, "n": secrets.token_urlsafe(12),
               "m": check.pass_mark}
    token = sign(payload, "offline-draw")
    shown = [assessment.show_question(n, catalog.questions[item["id"]], item["order"])
             for n, item in enumerate(drawn, start=1)]
    return IssuedDraw(token, [sq for sq in shown if sq is not None], expiry(DRAW_DAYS))


def course_urls(course: Course, signed_in: bool) -> list[tuple[str, str]]:
    """What the phone keeps of a course: (kind, path) of every module and, for a learner,
    every module's offline check."""
    urls = [("module", f"/courses/{course.slug}/{m.slug}") for m in course.modules]
    if signed_in:
        urls += [("check", f"/offline/checks/{course.slug}/{m.slug}")
                 for m in course.modules if m.check is not None]
    return urls


def read_signed(token: object, salt: str, days: int) -> dict:
    """What sign() gave the phone, as it comes back; Refused when altered or too old."""
    if not isinstance(token, str) or len(token) > 16000:
        raise Refused(_l("Bài làm này không hợp lệ nên không được chấm."))
    try:
        payload, issued = _serializer(salt).loads(token, max_age=days * 86400,
                                                  return_timestamp=True)
    except SignatureExpired:
        raise Refused(_l("Bài làm này đã quá hạn: phải gửi trong %(n)s ngày kể từ khi tải về. "
                         "Hãy làm lại bài kiểm tra khi có mạng.", n=days)) from None
    except BadSignature:
        raise Refused(_l("Bài làm này đã bị thay đổi trên máy nên không được chấm. "
                         "Hãy làm lại bài kiểm tra khi có mạng.")) from None
    payload["issued_at"] = issued
    return payload


def _read_draw(user_id: int, token: object) -> dict:
    payload = read_signed(token, "offline-draw", DRAW_DAYS)
    if payload.get("u") != user_id:
        raise Refused(_l("Bài làm này thuộc về một tài khoản khác."))
    return payload


def device_time(value: object) -> datetime | None:
    """When the phone says the answer was given; only a record, never trusted for grading."""
    try:
        taken = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return taken.astimezone(timezone.utc) if taken.tzinfo else None


def arrived(key: str, draw_id: str | None = None) -> OfflineSubmission | None:
    where = OfflineSubmission.key == key
    if draw_id is not None:
        where = sa.or_(where, OfflineSubmission.draw_id == draw_id)
    return db.session.scalar(sa.select(OfflineSubmission).where(where).limit(1))


def check_key(key: object) -> None:
    """The phone's idempotency key, as the phone makes it."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise Refused(_l("Bài làm này không hợp lệ nên không được chấm."))


def claim(key: str, draw_id: str, user_id: int, taken_at: object) -> OfflineSubmission | None:
    """The first write of an arrival, so a racing copy stops here and a rollback loses nothing
    else (no savepoint: on SQLite, releasing the outermost one commits); None, rolled back,
    when another copy of the same key or draw came first."""
    arrival = OfflineSubmission(key=key, draw_id=draw_id, user_id=user_id,
                                taken_at=device_time(taken_at))
    db.session.add(arrival)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return None
    return arrival


def _duplicate(user_id: int, found: OfflineSubmission) -> Outcome:
    if found.user_id != user_id or found.attempt_id is None:
        raise Refused(_l("Bài làm này thuộc về một tài khoản khác."))
    return Outcome(db.session.get(Attempt, found.attempt_id), duplicate=True)


def submit_answers(user_id: int, key: object, token: object, answers: object, taken_at: object,
                   catalog: Catalog) -> Outcome:
    """Grade an answer sent from the phone, exactly once: a second sending (same key or same
    draw) returns the first result. Graded through assessment and committed through
    commit_step, so a course it completes issues its certificate as usual."""
    check_key(key)
    found = arrived(key)
    if found is not None:
        return _duplicate(user_id, found)
    payload = _read_draw(user_id, token)
    found = arrived(key, payload["n"])
    if found is not None:
        return _duplicate(user_id, found)
    check = catalog.check(payload["c"])
    if not isinstance(check, Check):
        raise Refused(_l("Bài kiểm tra này không còn nữa."))
    form = answers_form(answers)
    arrival = claim(key, payload["n"], user_id, taken_at)
    if arrival is None:
        return _duplicate(user_id, arrived(key, payload["n"]))
    attempt = Attempt(user_id=user_id, check_key=check.key, drawn=payload["d"],
                      total=len(payload["d"]), pass_mark=payload["m"],
                      started_at=datetime.fromtimestamp(payload["issued_at"].timestamp(),
                                                        timezone.utc))
    db.session.add(attempt)
    db.session.flush()
    arrival.attempt_id = attempt.id
    try:
        attempt = assessment.grade(user_id, attempt.id, form, catalog)
    except assessment.Unanswered as exc:
        db.session.rollback()
        raise Refused(exc.message) from None
    return Outcome(attempt, duplicate=False,
                   completion=commit_step(user_id, catalog, attempt=attempt))


def answers_form(answers: object) -> dict[str, list[str]]:
    """The posted answers as the check's form would give them: q-… fields, lists of strings."""
    if not isinstance(answers, dict) or len(answers) > 200:
        raise Refused(_l("Bài làm này không hợp lệ nên không được chấm."))
    form = {}
    for name, values in answers.items():
        if not (isinstance(name, str) and name.startswith("q-") and len(name) < 100):
            continue
        values = values if isinstance(values, list) else [values]
        form[name] = [str(v)[:20] for v in values[:50] if isinstance(v, (str, int))]
    return form


def record_read(user_id: int, course_slug: object, module_slug: object,
                catalog: Catalog) -> Completion | None:
    """A module the learner marked as read without a signal (idempotent: read stays read)."""
    course = catalog.course(course_slug) if isinstance(course_slug, str) else None
    module = course.module(module_slug) if course and isinstance(module_slug, str) else None
    if module is None:
        raise Refused(_l("Không tìm thấy bài học này."))
    return courses.mark_read(user_id, module, catalog)


def module_of(check: Check, catalog: Catalog) -> tuple[Course, Module]:
    course = catalog.course(check.course_slug)
    return course, course.module(check.module_slug)
