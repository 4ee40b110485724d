"""Who may do what, in one place: the role decorators to stack on routes (@teacher_required),
the rule for things a person owns, the right over another person's account, and the Jinja
test templates ask (`{% if current_user is allowed('teacher') %}`).

Admins may do everything a role may: User.has_role says so, and every rule here asks it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from .models import User


def allowed(user, *roles: str) -> bool:
    """Signed in, and one of `roles` (or an admin). The Jinja test `is allowed(...)`."""
    return bool(user.is_authenticated) and user.has_role(*roles)


def role_required(*roles: str):
    """Logged in, and one of `roles` (admins may do everything a role may)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


teacher_required = role_required("teacher")
ambassador_required = role_required("ambassador")
leader_required = role_required("leader")  # leaders read the reports; admins also change the data
admin_required = role_required("admin")


def may_manage(user: User, owner_id: int) -> bool:
    """A thing's owner (a teacher's class) may change it, and so may an admin."""
    return user.id == owner_id or user.has_role("admin")


# The facts behind the right over another account live above auth (a class's members in
# teaching, who registered whom in ambassadors): those packages pass their query in.
_relations: dict[str, Callable[[int, int], bool]] = {}


def relation(name: str):
    """Register `query(actor_id, person_id) -> bool` as the relation `name` that
    may_act_for asks: "teaches" (teaching) or "registered" (ambassadors)."""

    def register(query: Callable[[int, int], bool]):
        _relations[name] = query
        return query

    return register


def _related(name: str, actor: User, person: User) -> bool:
    query = _relations.get(name)
    return query is not None and query(actor.id, person.id)


def may_act_for(actor: User, person: User) -> bool:
    """The right over another person's account (resetting its password: auth.recovery): an
    admin over everyone, a teacher over the learners of their classes, an ambassador over the
    learners they registered or who live in their commune. Only an admin over staff accounts."""
    if actor.has_role("admin"):
        return True
    if person.role != "learner":
        return False
    if actor.has_role("teacher") and _related("teaches", actor, person):
        return True
    return (actor.has_role("ambassador")
            and (person.commune_code == actor.commune_code
                 or _related("registered", actor, person)))


def init_app(app) -> None:
    app.jinja_env.tests["allowed"] = allowed
