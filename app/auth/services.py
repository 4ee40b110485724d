"""Accounts: sign-up, sign-in and profile changes, without HTTP."""

from __future__ import annotations

import re

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.extensions import db

from .models import User

# Vietnamese mobile numbers: 0 or +84, then 3/5/7/8/9 and eight digits.
_PHONE = re.compile(r"^(?:\+?84|0)([35789]\d{8})$")


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


def find_by_login(value: str) -> User | None:
    try:
        kind, login = parse_login(value)
    except AccountError:
        return None
    column = User.email if kind == "email" else User.phone
    return db.session.scalar(sa.select(User).where(column == login))


def register(*, full_name: str, login: str, password: str, group_slug: str,
             province_code: int, commune_code: int, village: str | None = None,
             role: str = "learner") -> User:
    kind, login = parse_login(login)
    user = User(full_name=" ".join(full_name.split()), group_slug=group_slug,
                province_code=province_code, commune_code=commune_code,
                village=(village or "").strip() or None, role=role)
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


def authenticate(login: str, password: str) -> User | None:
    user = find_by_login(login)
    if user is not None and user.check_password(password):
        return user
    return None


def update_profile(user: User, *, full_name: str, group_slug: str, province_code: int,
                   commune_code: int, village: str | None) -> User:
    user.full_name = " ".join(full_name.split())
    user.group_slug = group_slug
    user.province_code = province_code
    user.commune_code = commune_code
    user.village = (village or "").strip() or None
    db.session.commit()
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise AccountError(_l("Mật khẩu hiện tại chưa đúng."), "current")
    if current == new:
        raise AccountError(_l("Mật khẩu mới phải khác mật khẩu cũ."), "password")
    user.set_password(new)
    user.must_change_password = False
    user.end_sessions()  # other devices signed in with the old password are signed out
    db.session.commit()


def grant_role(login: str, role: str, actor_id: int | None = None) -> User:
    """Give an account a role (learner, teacher, ambassador, admin); audited."""
    from app.audit.services import record

    from .models import ROLES

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
