"""The ambassador's phone as a carrier (issue 16): the supervised confirmation taken where there
is no signal. A kit, prepared online for one citizen, holds every question the online test
could ask them (assessment.confirmation_kit), signed and bound to the ambassador and the
citizen, with nothing that tells an answer. The answers come back once (offline's arrivals),
are replayed in the order the online test asks them and decided where it decides, so the
result is the online one: a pass issues the confirmation as a supervised session does.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.assessment import services as assessment_services
from app.assessment.models import Attempt
from app.audit.services import record
from app.auth.models import User
from app.catalog import Catalog
from app.columns import utcnow
from app.courses.completion import commit_step
from app.extensions import db
from app.offline import services as offline
from app.offline.services import Outcome, Refused

from .services import AmbassadorError, _act, eligible_assessment

KIT_DAYS = 7  # a kit taken to the village must come back within a week
_SALT = "ambassador-kit"


@dataclass(frozen=True)
class Kit:
    token: str
    key: str  # the kit's own id (its nonce): the phone keeps kits under it
    citizen: User
    questions: list  # assessment.ShownQuestion, without anything that tells the answer
    expires_at: datetime


def prepare_kit(ambassador: User, citizen: User, catalog: Catalog) -> Kit:
    """A kit for a citizen who may take the confirmation now (the online session's rule),
    audited; the caller has found the citizen as find_citizen does."""
    assessment = eligible_assessment(citizen, catalog)
    drawn = assessment_services.confirmation_kit(citizen.id, assessment)
    nonce = secrets.token_urlsafe(12)
    token = offline.sign({"a": ambassador.id, "u": citizen.id, "c": assessment.key, "n": nonce,
                          "d": drawn}, _SALT)
    expires = offline.expiry(KIT_DAYS)
    record(ambassador.id, "ambassador.kit", "user", citizen.id, kit=nonce, questions=len(drawn),
           expires_at=expires.isoformat())
    db.session.commit()
    shown = [assessment_services.show_question(n, catalog.questions[item["id"]], item["order"])
             for n, item in enumerate(drawn, start=1)]
    return Kit(token, nonce, citizen, shown, expires)


def _duplicate(ambassador: User, found) -> Outcome:
    attempt = db.session.get(Attempt, found.attempt_id) if found.attempt_id else None
    if attempt is None or attempt.supervisor_id != ambassador.id:
        raise Refused(_l("Bài làm này thuộc về một tài khoản khác."))
    return Outcome(attempt, duplicate=True)


def _started(value: object, issued_at: datetime, arrived_at: datetime) -> datetime:
    """The device's start time, kept only between the kit's issue and its arrival."""
    started = offline.device_time(value)
    return started if started is not None and issued_at <= started <= arrived_at else issued_at


def upload_session(ambassador: User, key: object, token: object, answers: object,
                   started_at: object, taken_at: object, catalog: Catalog) -> Outcome:
    """A session run on the ambassador's phone, decided once whatever the number of sendings
    (same device key or same kit: the first result). Refused, with nothing stored, when the
    kit is altered, too old, another ambassador's, or the citizen may no longer take it."""
    offline.check_key(key)
    found = offline.arrived(key)
    if found is not None:
        return _duplicate(ambassador, found)
    payload = offline.read_signed(token, _SALT, KIT_DAYS)
    if payload.get("a") != ambassador.id:
        raise Refused(_l("Bài này do một đại sứ số khác chuẩn bị: chỉ người đó gửi được."))
    found = offline.arrived(key, payload["n"])
    if found is not None:
        return _duplicate(ambassador, found)
    citizen = db.session.get(User, payload["u"])
    if citizen is None:
        raise Refused(_l("Người này đã xoá tài khoản."))
    try:
        assessment = eligible_assessment(citizen, catalog)
    except AmbassadorError as exc:
        raise Refused(exc.message) from None
    if assessment.key != payload["c"]:
        raise Refused(_l("Bài đánh giá của người này đã đổi từ khi chuẩn bị. Hãy làm lại bài "
                         "khi có mạng."))
    form = offline.answers_form(answers)
    arrival = offline.claim(key, payload["n"], citizen.id, taken_at)
    if arrival is None:
        return _duplicate(ambassador, offline.arrived(key, payload["n"]))
    arrived_at = utcnow()
    started = _started(started_at, payload["issued_at"], arrived_at)
    try:
        attempt = assessment_services.decide_kit(citizen.id, assessment, payload["d"], form,
                                                 catalog, ambassador.id, started)
    except assessment_services.AssessmentError as exc:  # unanswered, or the content changed
        db.session.rollback()
        raise Refused(exc.message) from None
    arrival.attempt_id = attempt.id
    _act(ambassador, citizen.id, "submit", attempt.id, bool(attempt.passed),
         percent=attempt.percent, kit=payload["n"], started_at=started.isoformat(),
         taken_at=arrival.taken_at.isoformat() if arrival.taken_at else None,
         arrived_at=arrived_at.isoformat())
    # The action, and the confirmation the decision completes, in one commit.
    return Outcome(attempt, duplicate=False,
                   completion=commit_step(citizen.id, catalog, attempt=attempt))
