"""A learner's step and whatever it completes, committed together.

Courses and assessment record steps (a module read, an attempt graded); what a step completes
is decided above them: app/certificates issues the certificate and app/reports follows with
the learner's status. Nothing here may import those (DESIGN.md, Layers), so the step is
announced with a signal inside the transaction that records it, and committed once, here:
a crash can no longer leave a completed course without its certificate.
"""

from __future__ import annotations

from dataclasses import dataclass

from blinker import Namespace
from flask import current_app

from app.catalog import Catalog, Course
from app.extensions import db

# Sent before the commit with user_id, catalog, and course (the step belongs to it) or
# attempt (a decided app.assessment Attempt). A receiver adds to the session, never commits,
# and returns a Completion or None.
step_recorded = Namespace().signal("step-recorded")


@dataclass(frozen=True)
class Completion:
    """A certificate that the step completed, as the receiver that issued it reports it."""

    kind: str  # "course" | "confirmation"
    code: str  # the certificate's public code, for its page
    issued: bool  # by this step; False: the learner held it already


def commit_step(user_id: int, catalog: Catalog, *, course: Course | None = None,
                attempt=None) -> Completion | None:
    """Let the layers above add what the step just recorded completes, then commit it all at
    once: when any part fails, nothing of it is kept. Call it instead of db.session.commit()
    once the step is in the session; with course only (nothing recorded), it settles a course
    that may already be complete."""
    try:
        answers = step_recorded.send(current_app._get_current_object(), user_id=user_id,
                                     catalog=catalog, course=course, attempt=attempt)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return next((answer for _receiver, answer in answers if answer is not None), None)
