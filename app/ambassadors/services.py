"""Digital ambassadors, without HTTP: register a citizen in person, print their login sheet,
and supervise their confirmation assessment on the ambassador's own device.

The ambassador stays the one logged in; the citizen's attempt is theirs (Attempt.user_id)
with the ambassador as its supervisor, and every action is an AmbassadorAction plus an
audit event with the ambassador as actor. The citizen's confirmation counts for them on the
dashboard, and for the ambassador's ranking.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.assessment import services as assessment_services
from app.assessment.models import Attempt
from app.audit.services import record
from app.auth import recovery
from app.auth.access import relation
from app.auth.models import User
from app.auth.passwords import one_time_password
from app.auth.services import AccountError, find_by_login, new_username, parse_login
from app.catalog import Catalog
from app.catalog.types import Assessment
from app.certificates.models import Certificate
from app.certificates.standing import confirmation_standing
from app.courses.completion import Completion, commit_step
from app.extensions import db
from app.localities import commune_in_province
from app.text import clean_name
from app.units.models import Unit

from .models import AmbassadorAction


class AmbassadorError(Exception):
    status = 400

    def __init__(self, message, status: int = 400, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.status = status
        self.field = field


@dataclass(frozen=True)
class Sheet:
    """What the citizen takes home: their login and a one-time password (shown once)."""

    citizen: User
    login: str
    password: str


def _act(ambassador: User, citizen_id: int, kind: str, attempt_id: int | None = None,
         passed: bool | None = None, **details) -> None:
    db.session.add(AmbassadorAction(ambassador_id=ambassador.id, citizen_id=citizen_id, kind=kind,
                                    attempt_id=attempt_id, passed=passed))
    record(ambassador.id, f"ambassador.{kind}", "user", citizen_id, attempt=attempt_id,
           passed=passed, **details)


def register_citizen(ambassador: User, *, full_name: str, phone: str | None, group_slug: str,
                     commune_code: int, village: str | None, unit_id: int | None,
                     catalog: Catalog) -> Sheet:
    """An account for someone with no device or email: their phone number, or a generated
    login, and a one-time password they change at their first own sign-in."""
    full_name, village = clean_name(full_name), clean_name(village)
    if len(full_name) < 2:
        raise AmbassadorError(_l("Họ và tên dài từ 2 đến 120 ký tự."), field="full_name")
    if group_slug not in catalog.groups:
        raise AmbassadorError(_l("Hãy chọn nhóm trong danh sách."), field="group_slug")
    if not commune_in_province(commune_code, ambassador.province_code):
        raise AmbassadorError(_l("Hãy chọn xã, phường trong danh sách."), field="commune_code")
    if unit_id:
        unit = db.session.get(Unit, unit_id)
        if unit is None or unit.commune_code != commune_code:
            raise AmbassadorError(_l("Đơn vị này không thuộc xã, phường đã chọn."), field="unit_id")
    number = None
    if (phone or "").strip():
        try:
            kind, number = parse_login(phone)
        except AccountError as exc:
            raise AmbassadorError(exc.message, field="phone") from None
        if kind != "phone":
            raise AmbassadorError(_l("Hãy nhập số điện thoại di động, hoặc để trống để in phiếu "
                                     "đăng nhập."), field="phone")
    password = one_time_password()
    for _try in range(5):  # a clash of generated logins is rare: draw again
        user = User(full_name=full_name, group_slug=group_slug,
                    province_code=ambassador.province_code, commune_code=commune_code,
                    village=village or None, unit_id=unit_id or None,
                    must_change_password=True)
        if number:
            user.phone = number
        else:  # a short login, typed as read off the sheet (auth.services.parse_sign_in)
            user.username = new_username()
        user.set_password(password)
        try:
            with db.session.begin_nested():
                db.session.add(user)
        except IntegrityError:
            if number:
                raise AmbassadorError(_l("Số điện thoại này đã có tài khoản: hãy mở phiên kèm làm "
                                         "bài cho người đó."), 409, "phone") from None
            continue
        _act(ambassador, user.id, "register", login=user.login)
        db.session.commit()
        return Sheet(user, user.login, password)
    raise AmbassadorError(_l("Không tạo được tên đăng nhập, hãy thử lại."))


@relation("registered")  # asked by auth's may_act_for (an ambassador's right over a citizen)
def registered_by(ambassador_id: int, citizen_id: int) -> bool:
    return db.session.scalar(sa.select(AmbassadorAction.id).where(
        AmbassadorAction.ambassador_id == ambassador_id, AmbassadorAction.citizen_id == citizen_id,
        AmbassadorAction.kind == "register").limit(1)) is not None


def citizen_to_reset(ambassador: User, citizen_id: int) -> User:
    """A citizen whose password this ambassador may reset: one they registered or who lives in
    their commune (the assisted reset's rule, auth.access.may_act_for); 404 for anyone else."""
    try:
        return recovery.person_to_reset(ambassador, citizen_id)
    except recovery.RecoveryError as exc:
        raise AmbassadorError(_l("Bạn chỉ in lại phiếu cho người do chính bạn đăng ký hoặc sống ở "
                                 "xã, phường của bạn."), 404) from exc


def new_sheet(ambassador: User, citizen_id: int) -> Sheet:
    """A fresh one-time password for a citizen (a lost sheet, a forgotten password): the
    assisted reset, audited, told to the citizen at their next sign-in."""
    citizen_to_reset(ambassador, citizen_id)
    citizen, password = recovery.assisted_reset(ambassador, citizen_id)
    # Who helped whom (the audit event is the assisted reset's own).
    db.session.add(AmbassadorAction(ambassador_id=ambassador.id, citizen_id=citizen.id,
                                    kind="password"))
    db.session.commit()
    return Sheet(citizen, citizen.login, password)


def find_citizen(ambassador: User, login: str, password: str | None) -> User:
    """The citizen to supervise. Someone the ambassador did not register proves they are
    there by typing their own password on the ambassador's device."""
    citizen = find_by_login(login)
    if citizen is None:
        raise AmbassadorError(_l("Không có tài khoản nào với email hoặc số điện thoại này."),
                              404, "login")
    if citizen.id == ambassador.id:
        raise AmbassadorError(_l("Đây là tài khoản của bạn: hãy tự làm bài ở trang “Xác nhận”."),
                              field="login")
    if citizen.role != "learner":
        raise AmbassadorError(_l("Chỉ kèm làm bài cho người học."), field="login")
    if not registered_by(ambassador.id, citizen.id) and not citizen.check_password(password or ""):
        # Counted against the citizen's sign-in limits by the route (auth.limits); kept here.
        record(ambassador.id, "ambassador.session_wrong_password", "user", citizen.id)
        db.session.commit()
        raise AmbassadorError(_l("Mật khẩu của người học chưa đúng. Người học cần có mặt và tự "
                                 "nhập mật khẩu của mình."), 403, "password")
    return citizen


def eligible_assessment(citizen: User, catalog: Catalog) -> Assessment:
    """The confirmation the citizen may take now, online or on a kit; AmbassadorError saying
    why not (account deleted, already confirmed, courses to finish)."""
    if citizen.deleted_at is not None:  # the person deleted their account: nothing new for it
        raise AmbassadorError(_l("Người này đã xoá tài khoản."), 404)
    assessment = catalog.assessment_for(citizen.group_slug)
    if assessment is None:
        raise AmbassadorError(_l("Nhóm của người này chưa có bài đánh giá xác nhận."), 404)
    standing = confirmation_standing(citizen.id, assessment, catalog)  # revoked: may retake
    if standing.confirmed:
        raise AmbassadorError(_l("%(name)s đã được xác nhận đạt phổ cập kỹ năng số.",
                                 name=citizen.full_name), 409)
    if standing.missing:
        raise AmbassadorError(_l("%(name)s cần học xong trước: %(courses)s.",
                                 name=citizen.full_name,
                                 courses=", ".join(c.title for c in standing.missing)), 409)
    return assessment


def start_session(ambassador: User, citizen: User, catalog: Catalog) -> Attempt:
    """Open (or resume) the citizen's confirmation attempt, supervised by the ambassador."""
    assessment = eligible_assessment(citizen, catalog)
    # The citizen's unfinished attempt if there is one: a new session never redraws easier
    # questions.
    attempt = assessment_services.open_confirmation(citizen.id, assessment, catalog,
                                                    supervisor_id=ambassador.id)
    _act(ambassador, citizen.id, "session", attempt.id)
    db.session.commit()
    return attempt


def supervised_attempt(ambassador: User, attempt_id: int) -> Attempt:
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.supervisor_id != ambassador.id:
        raise AmbassadorError(_l("Không tìm thấy phiên kèm làm bài này."), 404)
    return attempt


def submit_session(ambassador: User, attempt_id: int, form: dict[str, list[str]],
                   catalog: Catalog) -> tuple[Attempt, Completion | None]:
    """Judge the supervised attempt's current question; once it is decided, a pass issues the
    citizen's confirmation. Raises the assessment's Unanswered / AlreadySubmitted like the
    learner's own page."""
    attempt = supervised_attempt(ambassador, attempt_id)
    graded = assessment_services.answer_confirmation(attempt.user_id, attempt.id, form, catalog)
    if graded.submitted_at is None:
        return graded, None  # the next question
    _act(ambassador, graded.user_id, "submit", graded.id, bool(graded.passed),
         percent=graded.percent)
    # The action, and the confirmation the decision completes, in one commit.
    return graded, commit_step(graded.user_id, catalog, attempt=graded)


@dataclass(frozen=True)
class Summary:
    registered: int
    sessions: int
    confirmed: int  # people they helped who hold a confirmation


def summary(ambassador_id: int) -> Summary:
    """The ambassador's own figures, live (their own rows only)."""
    by_kind = dict(db.session.execute(
        sa.select(AmbassadorAction.kind, sa.func.count(AmbassadorAction.id))
        .where(AmbassadorAction.ambassador_id == ambassador_id)
        .group_by(AmbassadorAction.kind)).all())
    confirmed = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(AmbassadorAction.citizen_id)))
        .join(Certificate, sa.and_(Certificate.user_id == AmbassadorAction.citizen_id,
                                   Certificate.kind == "confirmation",
                                   Certificate.revoked_at.is_(None)))
        .where(AmbassadorAction.ambassador_id == ambassador_id))
    return Summary(by_kind.get("register", 0), by_kind.get("submit", 0), confirmed or 0)


def people(ambassador_id: int, limit: int = 100) -> list[tuple[User, bool]]:
    """The people this ambassador registered, newest first, and whether each is confirmed."""
    confirmed = sa.exists().where(Certificate.user_id == User.id,
                                  Certificate.kind == "confirmation",
                                  Certificate.revoked_at.is_(None))
    return [(u, bool(c)) for u, c in db.session.execute(
        sa.select(User, confirmed)
        .join(AmbassadorAction, AmbassadorAction.citizen_id == User.id)
        .where(AmbassadorAction.ambassador_id == ambassador_id,
               AmbassadorAction.kind == "register", User.deleted_at.is_(None))
        .order_by(AmbassadorAction.id.desc()).limit(limit))]
