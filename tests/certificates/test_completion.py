"""A step and what it completes are one transaction: the module read or the graded attempt,
the certificate, and the learner's reporting status are committed together or not at all."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.assessment import services as assessment
from app.assessment.models import Attempt, CompetenceScore
from app.certificates import completion
from app.certificates.models import Certificate
from app.columns import utcnow
from app.courses.completion import commit_step
from app.courses.models import ModuleProgress
from app.courses.services import mark_read, record_visit
from app.extensions import db
from app.reports import snapshot
from app.reports.models import LearnerStatus

from ..conftest import answers_for

COURSE = "ky-nang-so-co-ban"


def _pass(app, user_id: int, check) -> Attempt:
    with app.app_context():
        attempt_id = assessment.open_attempt(user_id, check).id
    form = answers_for(app, attempt_id, right=True)
    with app.app_context():
        return assessment.submit(user_id, attempt_id, form, app.extensions["catalog"])


def _all_but(app, user_id: int, course_slug: str, last: str):
    """Every step of the course but the last one, which is returned: the last module's
    reading (last="read") or its check's passing (last="check")."""
    course = app.extensions["catalog"].course(course_slug)
    final = course.modules[-1]
    for module in course.modules:
        with app.app_context():
            record_visit(user_id, module)  # the learner opened the page first, as on the site
            if module is not final or last == "check":
                mark_read(user_id, module)
        if module.check and (module is not final or last == "read"):
            assert _pass(app, user_id, module.check).passed
    return final


def _state(app, user_id: int, module):
    """What the database holds for the learner, read afresh."""
    with app.app_context():
        progress = db.session.scalar(sa.select(ModuleProgress).where(
            ModuleProgress.user_id == user_id, ModuleProgress.module_slug == module.slug,
            ModuleProgress.course_slug == module.course_slug))
        submitted = db.session.scalars(sa.select(Attempt.id).where(
            Attempt.user_id == user_id, Attempt.check_key == module.check.key,
            Attempt.submitted_at.is_not(None))).all()
        return {
            "read": progress is not None and progress.read_at is not None,
            "check submitted": bool(submitted),
            "scores": db.session.scalar(sa.select(sa.func.count(CompetenceScore.id)).where(
                CompetenceScore.attempt_id.in_(submitted or [0]))),
            "certificates": db.session.scalars(sa.select(Certificate.course_slug).where(
                Certificate.user_id == user_id)).all(),
            "status": db.session.get(LearnerStatus, user_id) is not None,
        }


def _last_step(app, user_id: int, module, last: str):
    catalog = app.extensions["catalog"]
    if last == "read":
        with app.app_context():
            return mark_read(user_id, module, catalog)
    with app.app_context():
        attempt_id = assessment.open_attempt(user_id, module.check).id
    form = answers_for(app, attempt_id, right=True)
    with app.app_context():
        graded = assessment.grade(user_id, attempt_id, form, catalog)
        return commit_step(user_id, catalog, attempt=graded)


@pytest.mark.parametrize("last", ["read", "check"])
def test_the_last_step_issues_the_certificate_and_the_status_in_its_own_commit(
        app, make_user, last):
    user_id = make_user()
    module = _all_but(app, user_id, COURSE, last)
    assert _state(app, user_id, module)["certificates"] == []
    completed = _last_step(app, user_id, module, last)
    assert completed.kind == "course" and completed.issued
    state = _state(app, user_id, module)
    assert state["read"] and state["check submitted"]
    assert state["certificates"] == [COURSE] and state["status"]
    with app.app_context():  # one course of the two in the programme: not trained yet
        assert db.session.get(LearnerStatus, user_id).trained_at is None


@pytest.mark.parametrize("last", ["read", "check"])
def test_a_certificate_that_cannot_be_inserted_leaves_the_step_unrecorded(
        app, make_user, issue_certificate, monkeypatch, last):
    taken = issue_certificate()  # someone else's code: the insert below breaks its uniqueness
    user_id = make_user()
    module = _all_but(app, user_id, COURSE, last)
    before = _state(app, user_id, module)
    monkeypatch.setattr(completion, "new_code", lambda: taken)
    with pytest.raises(IntegrityError):
        _last_step(app, user_id, module, last)
    assert _state(app, user_id, module) == before
    assert before["read"] is (last == "check") and before["check submitted"] is (last == "read")
    assert before["certificates"] == [] and before["status"] is False


def test_a_status_that_cannot_be_updated_leaves_the_certificate_and_the_step_out(
        app, make_user, monkeypatch):
    user_id = make_user()
    module = _all_but(app, user_id, COURSE, "read")
    before = _state(app, user_id, module)

    def broken(*args, **kwargs):
        raise RuntimeError("the status table is away")

    monkeypatch.setattr(snapshot, "recompute_statuses", broken)
    with pytest.raises(RuntimeError):
        _last_step(app, user_id, module, "read")
    assert _state(app, user_id, module) == before
    assert before["read"] is False and before["certificates"] == [] and before["status"] is False


def test_the_programme_and_the_confirmation_reach_the_status_at_once(app, make_user):
    catalog = app.extensions["catalog"]
    user_id = make_user(group="nguoi-dan")
    for slug in catalog.groups["nguoi-dan"].programme:
        _last_step(app, user_id, _all_but(app, user_id, slug, "read"), "read")
    with app.app_context():
        status = db.session.get(LearnerStatus, user_id)
        last_issued = db.session.scalar(sa.select(sa.func.max(Certificate.issued_at)).where(
            Certificate.user_id == user_id))
        assert status.trained_at == last_issued and status.confirmed_at is None

        # A decided confirmation, as the assessment records it (the caller commits).
        confirmation = catalog.assessment_for("nguoi-dan")
        attempt = Attempt(user_id=user_id, check_key=confirmation.key, drawn=[], total=2,
                          correct=2, pass_mark=confirmation.pass_mark, passed=True,
                          submitted_at=utcnow())
        db.session.add(attempt)
        db.session.flush()
        competence = confirmation.parts[0].competence
        db.session.add(CompetenceScore(attempt_id=attempt.id, user_id=user_id,
                                       competence=competence, correct=2, total=2))
        completed = commit_step(user_id, catalog, attempt=attempt)
        assert completed.kind == "confirmation" and completed.issued
    with app.app_context():
        status = db.session.get(LearnerStatus, user_id)
        certificate = db.session.scalar(sa.select(Certificate).where(
            Certificate.user_id == user_id, Certificate.kind == "confirmation"))
        assert status.confirmed_at == certificate.issued_at
        assert [c["code"] for c in certificate.competences] == [competence]
        # the same decision again completes nothing new
        again = commit_step(user_id, catalog, attempt=db.session.get(Attempt, attempt.id))
        assert again.code == certificate.code and not again.issued


def test_a_failed_attempt_completes_nothing(app, make_user):
    catalog = app.extensions["catalog"]
    user_id = make_user()
    module = _all_but(app, user_id, COURSE, "check")
    with app.app_context():
        attempt_id = assessment.open_attempt(user_id, module.check).id
    form = answers_for(app, attempt_id, right=False)
    with app.app_context():
        graded = assessment.grade(user_id, attempt_id, form, catalog)
        assert graded.passed is False
        assert commit_step(user_id, catalog, attempt=graded) is None
    assert _state(app, user_id, module)["certificates"] == []
