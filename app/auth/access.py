"""Small, named access decorators to stack on routes (@role_required("teacher"))."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def role_required(*roles: str):
    """Logged in, and one of `roles` (admins may do everything a role may)."""
    allowed = set(roles) | {"admin"}

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


teacher_required = role_required("teacher")
admin_required = role_required("admin")
