"""Refuse passwords that are easy to guess, with the reason in the person's language.

zxcvbn estimates how many guesses a password takes, knowing common passwords, keyboard
patterns, sequences, dates and, through `user_inputs`, the person's own name, phone and
email; its dictionaries are English, so Vietnamese words people pick are added here.
"""

from __future__ import annotations

import re
import secrets

from flask_babel import lazy_gettext as _l

from app.text import ascii_fold

MIN_SCORE = 3  # zxcvbn's 0-4: 3 is about 10^8 guesses or more, past any online guessing
# Words a Vietnamese password guesser tries first (zxcvbn knows their English twins).
VIETNAMESE_WORDS = ("matkhau", "mat khau", "hocvuso", "hoc vu so", "binhdanhocvuso", "vietnam",
                    "thanhhoa", "anhyeuem", "emyeuanh", "yeuem", "yeuanh", "xinchao", "dienthoai",
                    "taikhoan", "zalo", "vneid", "cancuoc")

_REASONS = {
    "user_inputs": _l("Mật khẩu có tên, số điện thoại hoặc email của bạn: người khác dễ đoán ra."),
    "passwords": _l("Đây là mật khẩu rất nhiều người dùng: kẻ gian thử nó đầu tiên."),
    "sequence": _l("Dãy liên tiếp như 12345678 hay abcdef rất dễ đoán."),
    "repeat": _l("Ký tự lặp lại như 11111111 hay aaaa rất dễ đoán."),
    "spatial": _l("Các phím liền nhau trên bàn phím (như qwerty) rất dễ đoán."),
    "date": _l("Ngày sinh hay một năm rất dễ đoán."),
}
_ADVICE = _l("Hãy ghép ba, bốn từ chỉ bạn biết, ví dụ “lua chin ven song”, hoặc thêm vài chữ.")


def _personal_words(full_name: str, login: str) -> list[str]:
    name = ascii_fold(full_name or "")
    words = [*name.split(), name.replace(" ", "")]
    login = (login or "").strip().casefold()
    words += [login, login.split("@")[0], *re.split(r"[^a-z0-9]+", login)]
    digits = re.sub(r"\D", "", login)
    if len(digits) >= 9:
        words += [digits, digits[-9:], digits[-8:]]
    return [w for w in words if len(w) >= 3]


def _kinds(match: dict):
    """What a zxcvbn match is made of ("hanghang": a repeat of the person's own name)."""
    if match["pattern"] == "dictionary":
        if match["dictionary_name"] == "user_inputs" and match["matched_word"] in VIETNAMESE_WORDS:
            yield "passwords"  # a common Vietnamese password word, not the person's details
        else:
            yield match["dictionary_name"]
        return
    yield "date" if match["pattern"] == "regex" else match["pattern"]  # its regex: recent years
    for inner in match.get("base_matches", ()):
        yield from _kinds(inner)


def weakness(password: str, *, full_name: str = "", login: str = "") -> str | None:
    """Why the password is too easy to guess (translated text), or None when it will do."""
    # Imported on first use: its dictionaries are about 13 MB that most requests never need.
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:72], user_inputs=[*_personal_words(full_name, login),
                                                *VIETNAMESE_WORDS])
    if result["score"] >= MIN_SCORE:
        return None
    found = {kind for match in result["sequence"] for kind in _kinds(match)}
    reason = next((str(_REASONS[k]) for k in _REASONS if k in found),
                  str(_l("Mật khẩu này quá dễ đoán.")))
    return f"{reason} {_ADVICE}"


_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # nosec B105


def one_time_password() -> str:
    """For a printed login sheet (a roster, an ambassador): changed at the first sign-in."""
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(10))
