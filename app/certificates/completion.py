"""What a learner's step completes, decided here and nowhere else: the course certificate once
every module of the course is read and every check passed; the confirmation ("đạt phổ cập kỹ
năng số") once the group's assessment is passed. Each is issued exactly once, inside the
transaction that records the step (app/courses/completion.py commits it).
"""

from __future__ import annotations

from blinker import Namespace
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from app.auth.models import User
from app.catalog import Catalog, Course
from app.catalog.types import Assessment
from app.courses.completion import Completion, step_recorded
from app.courses.services import course_status
from app.extensions import db

from . import status
from .models import NOT_REVOKED, Certificate
from .services import (competence_snapshot, confirmation_snapshot, find_certificate, new_code,
                       subject_identity)

# Sent inside the step's transaction once a certificate is issued, with user_id and catalog:
# app/reports, above, brings the learner's status up to date in the same commit.
certificate_issued = Namespace().signal("certificate-issued")


# A signal, not a call: what records steps (routes included) lives in courses and assessment,
# below this package, and may not import it. Connected on import (by certificates/routes.py).
@step_recorded.connect
def complete(_sender, *, user_id: int, catalog: Catalog, course: Course | None = None,
             attempt=None) -> Completion | None:
    """Issue what the step completes, if anything: a module read or any step of a course
    (course), or a decided attempt (attempt). Adds to the session; the caller commits."""
    if attempt is not None:
        check = catalog.check(attempt.check_key)
        if not attempt.passed or attempt.user_id != user_id or check is None:
            return None
        if isinstance(check, Assessment):
            return _confirmation(user_id, check, attempt, catalog)
        course = catalog.course(check.course_slug)
    if course is None:
        return None
    existing = find_certificate(user_id, course.slug)
    if existing is not None:
        return Completion("course", existing.code, issued=False)
    if not course_status(user_id, course).complete:
        return None
    return _issue(user_id, "course", course.slug, course.title,
                  competence_snapshot(user_id, course, catalog), catalog)


def _confirmation(user_id: int, assessment: Assessment, attempt, catalog: Catalog) -> Completion:
    existing = find_certificate(user_id, assessment.slug, kind="confirmation")
    if existing is not None and not existing.revoked:  # revoked: a new pass earns it again
        return Completion("confirmation", existing.code, issued=False)
    group = catalog.groups.get(assessment.group)
    return _issue(user_id, "confirmation", assessment.slug,
                  f"Phổ cập kỹ năng số — {group.name if group else assessment.group}",
                  confirmation_snapshot(attempt, catalog), catalog)


def _issue(user_id: int, kind: str, slug: str, title: str, competences: list[dict],
           catalog: Catalog) -> Completion:
    """Insert the certificate unless a concurrent step has just issued the same one."""
    user = db.session.get(User, user_id)
    code = new_code()
    # A free position, drawn at random; two issues drawing the same one at the same instant
    # (1 in 131,072 per pair of simultaneous issues) fail the later step, which is not
    # recorded and can be done again, like any broken unique key.
    status_list, status_index = status.allocate()
    db.session.execute(_insert_once(
        code=code, user_id=user_id, kind=kind, course_slug=slug, title=title,
        holder_name=user.full_name, competences=competences, status_list=status_list,
        status_index=status_index, **subject_identity(user.email, user.phone)))
    held = find_certificate(user_id, slug, kind=kind)  # this one, or a concurrent step's
    if held.code == code:
        certificate_issued.send(current_app._get_current_object(), user_id=user_id,
                                catalog=catalog)
    return Completion(kind, held.code, issued=held.code == code)


def _insert_once(**values):
    """INSERT … ON CONFLICT DO NOTHING on the one-valid-per-learner index: the loser of a race
    keeps its step (any other broken unique key is an error). Not a savepoint: on SQLite one
    opened before any write commits on release."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return (dialect.insert(Certificate.__table__).values(**values)
            .on_conflict_do_nothing(index_elements=["user_id", "kind", "course_slug"],
                                    index_where=NOT_REVOKED))
