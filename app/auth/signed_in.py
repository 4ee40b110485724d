"""The signed-in user without a query: a snapshot of the account, cached per process.

Each request gets a User built from the snapshot and attached to the session as if it had just
been loaded (no SELECT); what the snapshot leaves out (the password hash) loads on first use,
and a change made to it is written as usual. Every commit that changes a user bumps that user's
generation (app/caching.py), so a logout, a password change, a role change or a deletion takes
effect on the next request in every process.
"""

from __future__ import annotations

import hmac

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from app.extensions import db

from .models import User

_LEFT_OUT = frozenset({"password_hash"})  # loaded on use: a snapshot never holds a secret hash
_COLUMNS = tuple(c.key for c in sa.inspect(User).column_attrs if c.key not in _LEFT_OUT)
_NONCE = _COLUMNS.index("session_nonce")
_MANAGER = sa.inspect(User).class_manager


def generation_key(user_id: int) -> str:
    return f"user:{user_id}"


def _snapshot(user_id: int) -> tuple | None:
    row = db.session.execute(
        sa.select(*(getattr(User, c) for c in _COLUMNS)).where(User.id == user_id)).first()
    return None if row is None else tuple(row)


def signed_in_user(user_id: int, nonce: str) -> User | None:
    """The account whose session cookie says `<user_id>-<nonce>`, or None."""
    caches = current_app.extensions["caches"]
    known = db.session.identity_map.get(identity_key(User, user_id))
    if known is not None:
        values = tuple(getattr(known, c) for c in _COLUMNS)
    else:
        values = caches.fetch("users", user_id, generation_key(user_id),
                              lambda: _snapshot(user_id))
        if values is not None and not hmac.compare_digest(values[_NONCE], nonce):
            values = _snapshot(user_id)  # an old cookie, or a row rewritten without the ORM
    if values is None:
        return None
    fields = dict(zip(_COLUMNS, values))
    if fields["deleted_at"] is not None:  # its sessions ended at deletion; never load it again
        return None
    if not hmac.compare_digest(fields["session_nonce"], nonce):
        return None
    if known is not None:
        return known
    user = _MANAGER.new_instance()  # as the ORM's loading does: no __init__, no change events
    user.__dict__.update(fields)
    make_transient_to_detached(user)  # as if loaded: unchanged, the hash expired (loads on use)
    db.session.add(user)
    return user


@sa.event.listens_for(db.session, "after_flush")
def _note_changed_users(session, _context):
    changed = session.info.setdefault("changed_users", set())
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, User):
            changed.add(obj.id)


@sa.event.listens_for(db.session, "after_commit")
def _forget_changed_users(session):
    changed = session.info.pop("changed_users", None)
    if changed and has_app_context() and "caches" in current_app.extensions:
        current_app.extensions["caches"].bump(*(generation_key(i) for i in changed))

