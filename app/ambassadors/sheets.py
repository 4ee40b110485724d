"""The login sheet's PDF is made after the page that showed it, without storing the one-time
password: the page carries it back in a signed, short-lived token (the same password the page
already shows), and the PDF is drawn only while that password is still the citizen's current,
unchanged one-time password."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.auth.models import User
from app.extensions import db

from .services import AmbassadorError, Sheet

_SALT = "ambassador-login-sheet"
MAX_AGE = 3600  # seconds: time enough to print, not a copy of the password that lasts
_MAX_TOKEN = 1000


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def sheet_token(sheet: Sheet, ambassador_id: int) -> str:
    return _serializer().dumps({"a": ambassador_id, "c": sheet.citizen.id, "p": sheet.password})


def _payload(token: str) -> dict:
    if not token or len(token) > _MAX_TOKEN:
        raise AmbassadorError(_l("Không đọc được phiếu này: hãy mở lại phiếu đăng nhập."))
    try:
        data = _serializer().loads(token, max_age=MAX_AGE)
    except SignatureExpired:
        raise AmbassadorError(_l("Phiếu này đã mở quá một giờ nên không tải PDF được nữa: "
                                 "hãy in lại phiếu (mật khẩu mới)."), 410) from None
    except BadSignature:
        raise AmbassadorError(_l("Không đọc được phiếu này: hãy mở lại phiếu đăng nhập.")) \
            from None
    if not (isinstance(data, dict) and isinstance(data.get("a"), int)
            and isinstance(data.get("c"), int) and isinstance(data.get("p"), str)):
        raise AmbassadorError(_l("Không đọc được phiếu này: hãy mở lại phiếu đăng nhập."))
    return data


def sheet_from_token(ambassador: User, token: str) -> Sheet:
    """The sheet a token stands for, if it is this ambassador's and its password still works."""
    data = _payload(token)
    citizen = db.session.get(User, data["c"])
    if data["a"] != ambassador.id or citizen is None or citizen.deleted_at is not None:
        raise AmbassadorError(_l("Không tìm thấy phiếu đăng nhập này."), 404)
    if not citizen.must_change_password or not citizen.check_password(data["p"]):
        raise AmbassadorError(_l("Mật khẩu trên phiếu này không còn dùng được (đã được đổi). "
                                 "Hãy in lại phiếu (mật khẩu mới)."), 409)
    return Sheet(citizen, citizen.login, data["p"])
