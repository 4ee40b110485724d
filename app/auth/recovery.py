"""Ways back into an account, without HTTP.

With an email: a signed link, valid 30 minutes, that carries a fingerprint of the account's
password hash; any new password (this link's, or any other change) gives a new hash, so the
link works once and dies with the password it was made for. The answer to "send me a link"
never depends on whether the address has an account.

Without one (a phone number, a short login): someone with a right over the person
(may_act_for: their teacher, an ambassador of their commune or who registered them, an admin)
sets a one-time password, printed on a sheet and changed at the first sign-in. The next
sign-in tells the person who did it and when; the audit log keeps it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeTimedSerializer

from app.audit.models import AuditEvent
from app.audit.services import record
from app.columns import utcnow
from app.extensions import db

from . import mail, passwords, services
from .access import may_act_for
from .models import User

RESET_MAX_AGE = 30 * 60  # seconds a reset link works
RESET_ACTION = "user.password_reset"
_SALT = "password-reset"


class RecoveryError(Exception):
    def __init__(self, message, status: int = 400, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.status = status
        self.field = field


# -- by email -----------------------------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def _fingerprint(password_hash: str) -> str:
    key = hashlib.sha256(current_app.secret_key.encode()).digest()
    return hashlib.blake2b(password_hash.encode(), key=key, digest_size=12).hexdigest()


def _mailbox(email: str) -> User | None:
    """The account that may be sent a link at `email`, if any (not a deleted one); raises
    RecoveryError when `email` is not an address at all (a phone number, a short login)."""
    try:
        kind, address = services.parse_login(email)
    except services.AccountError:
        kind = ""
    if kind != "email":
        raise RecoveryError(_l("Đây không phải một địa chỉ email. Nếu bạn đăng nhập bằng số "
                               "điện thoại hoặc tên đăng nhập, xem cách lấy lại tài khoản ở "
                               "dưới."), field="email")
    user = db.session.scalar(sa.select(User).where(User.email == address))
    return user if user is not None and user.deleted_at is None else None


def reset_token(user: User) -> str:
    return _serializer().dumps({"u": user.id, "f": _fingerprint(user.password_hash)})


def request_reset(email: str, link_for) -> None:
    """Mail a reset link (`link_for(token)` makes the URL) if `email` has an account. Either
    way the same work is done here (the mail leaves on its own thread: mail.py); RecoveryError
    if `email` is no address."""
    user = _mailbox(email)
    if user is None:
        _serializer().dumps({"u": 0, "f": _fingerprint("")})  # as much work as a real link
        return
    link = link_for(reset_token(user))
    body = str(_l(
        "Chào %(name)s,\n\nAi đó (có thể là bạn) vừa xin đặt lại mật khẩu Học vụ số cho địa chỉ "
        "này. Mở liên kết dưới đây để đặt mật khẩu mới. Liên kết chỉ dùng được một lần, trong "
        "30 phút:\n\n%(link)s\n\nNếu bạn không xin, hãy bỏ qua thư này: mật khẩu của bạn vẫn "
        "như cũ.\n\nHọc vụ số", name=user.full_name, link=link))
    mail.send(mail.message(user.email, str(_l("Đặt lại mật khẩu Học vụ số")), body))


def user_for_token(token: str) -> User:
    """The account a reset link is for, while it is valid; RecoveryError otherwise."""
    try:
        data = _serializer().loads(token, max_age=RESET_MAX_AGE)
        user = db.session.get(User, int(data["u"])) if data.get("u") else None
        valid = (user is not None and user.deleted_at is None
                 and data.get("f") == _fingerprint(user.password_hash))
    except (BadData, KeyError, TypeError, ValueError, AttributeError):
        valid = False
    if not valid:
        raise RecoveryError(_l("Liên kết đặt lại mật khẩu đã hết hạn hoặc đã được dùng. Hãy xin "
                               "một liên kết mới."))
    return user


def reset_with_token(token: str, password: str, consent: bool = False) -> User:
    """Set the password a valid link's owner chose; the link (and every session) ends."""
    user = user_for_token(token)
    reason = passwords.weakness(password, full_name=user.full_name, login=user.login)
    if reason:
        raise RecoveryError(reason, field="password")
    if services.needs_consent(user):
        if not consent:
            raise RecoveryError(_l("Hãy đánh dấu ô “Tôi đồng ý” để tiếp tục."), field="consent")
        user.consent_at = utcnow()
    user.set_password(password)
    user.must_change_password = False
    user.password_reset_pending = False  # they did it themselves
    user.end_sessions()
    record(user.id, RESET_ACTION, "user", user.id, method="email")
    db.session.commit()
    return user


# -- by someone with a right over the person ---------------------------------------------------

def person_to_reset(actor: User, person_id: int) -> User:
    """The person `actor` may reset the password of; RecoveryError 404 for anyone else (it
    does not tell an account that exists from one that does not)."""
    if person_id == actor.id:
        raise RecoveryError(_l("Đây là tài khoản của bạn: hãy đổi mật khẩu ở trang “Đổi mật "
                               "khẩu”."), 400)
    person = db.session.get(User, person_id)
    if person is None or person.deleted_at is not None or not may_act_for(actor, person):
        raise RecoveryError(_l("Không tìm thấy người bạn có quyền đặt lại mật khẩu."), 404)
    return person


def find_person_to_reset(actor: User, login: str) -> User:
    person = services.find_by_login(login)
    return person_to_reset(actor, person.id if person is not None else 0)


def assisted_reset(actor: User, person_id: int) -> tuple[User, str]:
    """A one-time password for the person, to print; their own password and every session
    end, and their next sign-in says who did it. Audited; one commit."""
    person = person_to_reset(actor, person_id)
    password = passwords.one_time_password()
    person.set_password(password)
    person.must_change_password = True
    person.password_reset_pending = True
    person.end_sessions()
    record(actor.id, RESET_ACTION, "user", person.id, method="assisted", by_role=actor.role)
    db.session.commit()
    return person, password


@dataclass(frozen=True)
class ResetNotice:
    by_name: str | None  # None: the account that did it was deleted since
    by_role: str
    at: datetime


def last_assisted_reset(user_id: int) -> ResetNotice | None:
    """Who reset the person's password and when, if the last reset was someone else's doing."""
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == RESET_ACTION, AuditEvent.subject_type == "user",
        AuditEvent.subject_id == str(user_id)).order_by(AuditEvent.id.desc()).limit(1))
    details = (event.details or {}) if event is not None else {}
    if details.get("method") != "assisted":
        return None
    actor = db.session.get(User, event.actor_id) if event.actor_id else None
    name = actor.full_name if actor is not None and actor.deleted_at is None else None
    return ResetNotice(name, details.get("by_role", ""), event.created_at)


def take_reset_notice(user: User) -> ResetNotice | None:
    """The assisted reset to tell the person about, the first time they sign in after it (the
    profile page keeps saying it: whoever signs in first, the person sees it there)."""
    if not user.password_reset_pending:
        return None
    user.password_reset_pending = False
    db.session.commit()
    return last_assisted_reset(user.id)
