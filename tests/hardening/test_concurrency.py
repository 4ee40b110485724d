"""Fifty requests at once for the same thing: exactly one result, nothing lost."""

import threading

import pytest
import sqlalchemy as sa

from app.assessment import services as assessment
from app.assessment.models import Attempt, CompetenceScore
from app.certificates.models import Certificate
from app.courses.completion import commit_step
from app.courses.services import mark_read
from app.extensions import db

COURSE = "ky-nang-so-co-ban"
N = 50


def _together(app, work):
    """Run work() in N threads that start at the same instant; return results and errors."""
    barrier = threading.Barrier(N)
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                results.append(work())
                db.session.remove()
        except Exception as exc:  # collected, asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


@pytest.fixture
def postgres(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("fifty concurrent writers are a PostgreSQL scenario (CI runs the suite there)")


def test_fifty_simultaneous_submissions_of_one_attempt_grade_it_once(app, postgres, make_user):
    catalog = app.extensions["catalog"]
    user_id = make_user()
    check = catalog.course(COURSE).modules[0].check
    with app.app_context():
        attempt = assessment.open_attempt(user_id, check)
        form = {sq.field: [str(c.position) for c in sq.choices if c.correct]
                for sq in assessment.shown_questions(attempt, catalog)}
        attempt_id = attempt.id

    def submit():
        try:
            return assessment.submit(user_id, attempt_id, form, catalog).correct
        except assessment.AlreadySubmitted:
            return "already"

    results, errors = _together(app, submit)
    assert errors == []
    assert sorted(results, key=str).count("already") == N - 1
    assert [r for r in results if r != "already"] == [check.draw]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CompetenceScore.id)).where(
            CompetenceScore.attempt_id == attempt_id)) == len({
                catalog.questions[d["id"]].competence for d in db.session.get(Attempt, attempt_id).drawn})


@pytest.mark.parametrize("step", ["last module read", "claim"])
def test_fifty_simultaneous_completions_issue_one_certificate(app, postgres, make_user, step):
    catalog = app.extensions["catalog"]
    course = catalog.course(COURSE)
    last = course.modules[-1]
    user_id = make_user()
    with app.app_context():
        for m in course.modules:
            if m is not last:
                mark_read(user_id, m)
            attempt = assessment.open_attempt(user_id, m.check)
            form = {sq.field: [str(c.position) for c in sq.choices if c.correct]
                    for sq in assessment.shown_questions(attempt, catalog)}
            assessment.submit(user_id, attempt.id, form, catalog)
        if step == "claim":  # complete, but the certificate lost (what the claim button is for)
            mark_read(user_id, last)
            db.session.execute(sa.delete(Certificate).where(Certificate.user_id == user_id))
            db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) == 0

    def complete():
        if step == "claim":
            completed = commit_step(user_id, catalog, course=course)
        else:
            completed = mark_read(user_id, last, catalog)
        return completed.code, completed.issued

    results, errors = _together(app, complete)
    assert errors == []
    assert len({code for code, _ in results}) == 1
    assert sum(issued for _, issued in results) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) == 1
