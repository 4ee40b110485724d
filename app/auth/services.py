"""Accounts: sign-up, sign-in and profile changes, without HTTP."""

from __future__ import annotations

import re
import secrets
from functools import cache

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app.audit.services import record
from app.columns import utcnow
from app.extensions import db
from app.text import clean_name

from . import passwords
from .models import ROLES, User

# Vietnamese mobile numbers: 0 or +84, then 3/5/7/8/9 and eight digits.
_PHONE = re.compile(r"^(?:\+?84|0)([35789]\d{8})$")
# Short logins: no 0/o, 1/l/i to mix up when read off paper (like the class codes).
USERNAME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
USERNAME_LENGTH = 8
_USERNAME = re.compile(f"^[{USERNAME_ALPHABET}]{{{USERNAME_LENGTH}}}$")
# The domain of the address-shaped logins made before short logins (now stored as usernames;
# migrations 5e3b9c1a7d24): still accepted at sign-in, for the sheets already printed.
SHEET_DOMAIN = "so.hocvuso.vn"


class AccountError(Exception):
    """A problem the person can fix; `field` names the form field it belongs to."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def parse_login(value: str) -> tuple[str, str]:
    """('email', normalised address) or ('phone', 0xxxxxxxxx); raises AccountError."""
    value = (value or "").strip()
    if "@" in value:
        try:
            email = validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError:
            raise AccountError(_l("Địa chỉ email không hợp lệ."), "login") from None
        return "email", email.lower()
    digits = re.sub(r"[\s.\-()]", "", value)
    match = _PHONE.match(digits)
    if not match:
        raise AccountError(
            _l("Hãy nhập email hoặc số điện thoại di động Việt Nam (10 số, ví dụ 0912345678)."),
            "login",
        )
    return "phone", "0" + match.group(1)


def new_username() -> str:
    """A short login for a person with neither phone nor email, read off a printed sheet."""
    return "".join(secrets.choice(USERNAME_ALPHABET) for _ in range(USERNAME_LENGTH))


def parse_sign_in(value: str) -> tuple[str, str]:
    """What sign-in accepts: a short login as typed ("MW92 B4QP", the old long form
    "mw92b4qp@so.hocvuso.vn"), else an email or phone as parse_login reads them."""
    compact = re.sub(r"\s+", "", value or "").casefold()
    short, at, domain = compact.partition("@")
    if _USERNAME.match(short) and (not at or domain == SHEET_DOMAIN):
        return "username", short
    return parse_login(value)


def find_by_login(value: str) -> User | None:
    """The account an email, phone number or short login (typed any way) belongs to."""
    try:
        kind, login = parse_sign_in(value)
    except AccountError:
        return None
    column = {"email": User.email, "phone": User.phone, "username": User.username}[kind]
    return db.session.scalar(sa.select(User).where(column == login))


def register(*, full_name: str, login: str, password: str, group_slug: str,
             province_code: int, commune_code: int, consent: bool, village: str | None = None,
             role: str = "learner", check_strength: bool = True) -> User:
    """A person's own account; `consent`: they ticked "Tôi đồng ý" under the privacy statement.
    `check_strength=False` only for the demo accounts, whose password the README prints."""
    if not consent:
        raise AccountError(_l("Hãy đánh dấu ô “Tôi đồng ý” để tạo tài khoản."), "consent")
    kind, login = parse_login(login)
    full_name = clean_name(full_name)
    if check_strength:
        _refuse_weak(password, full_name, login)
    user = User(full_name=full_name, group_slug=group_slug,
                province_code=province_code, commune_code=commune_code,
                village=clean_name(village) or None, role=role, consent_at=utcnow())
    setattr(user, kind, login)
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        what = _l("Email này") if kind == "email" else _l("Số điện thoại này")
        raise AccountError(_l("%(what)s đã được dùng để đăng ký. Hãy đăng nhập.", what=what),
                           "login") from None
    return user


def _refuse_weak(password: str, full_name: str, login: str) -> None:
    reason = passwords.weakness(password, full_name=full_name, login=login)
    if reason:
        raise AccountError(reason, "password")


@cache
def _unknown_login_hash(method: str) -> str:
    """A hash of a password nobody knows, made like every account's (same method and cost)."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def authenticate(login: str, password: str) -> User | None:
    user = find_by_login(login)
    if user is None or user.deleted_at is not None:
        # As slow as a wrong password, so the answer's timing does not tell who has an account.
        check_password_hash(_unknown_login_hash(current_app.config["PASSWORD_HASH_METHOD"]),
                            password)
        return None
    return user if user.check_password(password) else None


def update_profile(user: User, *, full_name: str, group_slug: str, province_code: int,
                   commune_code: int, village: str | None) -> User:
    user.full_name = clean_name(full_name)
    user.group_slug = group_slug
    user.province_code = province_code
    user.commune_code = commune_code
    user.village = clean_name(village) or None
    db.session.commit()
    return user


def needs_consent(user: User) -> bool:
    """An account made for the person (a teacher's roster, an ambassador) asks for their own
    consent on the forced password change of their first sign-in."""
    return user.must_change_password and user.consent_at is None


def change_password(user: User, current: str, new: str, consent: bool = False) -> None:
    if not user.check_password(current):
        raise AccountError(_l("Mật khẩu hiện tại chưa đúng."), "current")
    if current == new:
        raise AccountError(_l("Mật khẩu mới phải khác mật khẩu cũ."), "password")
    _refuse_weak(new, user.full_name, user.login)
    if needs_consent(user):
        if not consent:
            raise AccountError(_l("Hãy đánh dấu ô “Tôi đồng ý” để tiếp tục."), "consent")
        user.consent_at = utcnow()
    user.set_password(new)
    user.must_change_password = False
    user.end_sessions()  # other devices signed in with the old password are signed out
    db.session.commit()


def grant_role(login: str, role: str, actor_id: int | None = None) -> User:
    """Give an account a role (learner, teacher, ambassador, admin); audited."""
    if role not in ROLES:
        raise AccountError(_l("Vai trò không hợp lệ."), "role")
    user = find_by_login(login)
    if user is None:
        raise AccountError(_l("Không có tài khoản nào với email hoặc số điện thoại này."), "login")
    before = user.role
    user.role = role
    record(actor_id, "user.role", "user", user.id, before=before, after=role)
    db.session.commit()
    return user
