"""The limits on guessing a person's password, shared by every form that checks one.

Sign-in and the ambassador's supervised session ("Kèm làm bài xác nhận") count in the same
buckets: five failures for one account in five minutes, however its login is typed, and a
limit per address; a sixth answers the 429 page, and the account's own sign-in waits too.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request

from app.extensions import limiter

from . import services


def typed_key(field: str, parse: Callable[[str], tuple[str, str]], prefix: str) -> str:
    """Rate-limit key for what the form's `field` names, however it is typed: the parsed login
    when it parses, else the casefolded text (a wrong guess counts all the same)."""
    typed = request.form.get(field, "")
    try:
        _kind, value = parse(typed)
    except services.AccountError:
        value = typed.strip().casefold()[:254]
    return f"{prefix}:{value}"


def login_key() -> str:
    """Rate-limit key for one account, whatever way its login is typed (the form's `login`)."""
    return typed_key("login", services.parse_sign_in, "login")


def password_guesses(deduct_when: Callable) -> Callable:
    """Decorate a POST view that checks someone's password: `deduct_when(response)` says
    which answers were a failed guess."""
    per_account = limiter.shared_limit(
        lambda: current_app.config.get("LOGIN_LIMIT_ACCOUNT", "5 per 5 minutes"),
        scope="login-account", key_func=login_key, methods=["POST"], deduct_when=deduct_when)
    per_address = limiter.shared_limit(
        lambda: current_app.config.get("LOGIN_LIMIT_ADDRESS", "30 per 5 minutes"),
        scope="login-address", methods=["POST"], deduct_when=deduct_when)

    def decorate(view):
        return per_account(per_address(view))

    return decorate
