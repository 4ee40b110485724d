from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.catalog import get_catalog
from app.certificates.services import issue_if_complete

from . import services

bp = Blueprint("assessment", __name__, template_folder="templates")


def _check_or_404(course_slug: str, module_slug: str):
    catalog = get_catalog()
    course = catalog.course(course_slug)
    module = course.module(module_slug) if course else None
    if module is None or module.check is None:
        abort(404)
    return course, module


@bp.get("/checks/<course_slug>/<module_slug>")
@login_required
def take(course_slug: str, module_slug: str):
    course, module = _check_or_404(course_slug, module_slug)
    attempt = services.open_attempt(current_user.id, module.check)
    return render_template("assessment/take.html", course=course, module=module, attempt=attempt,
                           questions=services.shown_questions(attempt, get_catalog()),
                           picked={}, history=services.attempts_for(current_user.id, module.check.key))


def _attempt_or_404(attempt_id: int):
    try:
        attempt = services.get_attempt(current_user.id, attempt_id)
    except services.AttemptNotFound:
        abort(404)
    course_slug, _sep, module_slug = attempt.check_key.partition("/")
    course, module = _check_or_404(course_slug, module_slug)
    return attempt, course, module


@bp.post("/attempts/<int:attempt_id>")
@login_required
def submit(attempt_id: int):
    attempt, course, module = _attempt_or_404(attempt_id)
    catalog = get_catalog()
    form = {key: request.form.getlist(key) for key in request.form if key.startswith("q-")}
    try:
        attempt = services.submit(current_user.id, attempt.id, form, catalog)
    except services.AlreadySubmitted:
        flash(_("Bài này đã được nộp; đây là kết quả."), "info")
        return redirect(url_for("assessment.result", attempt_id=attempt.id))
    except services.Unanswered as exc:
        # Keep every answer already ticked, and say which questions are left.
        picked = {k: {int(p) for p in v if p.isdigit()} for k, v in form.items()}
        return render_template("assessment/take.html", course=course, module=module,
                               attempt=attempt, questions=services.shown_questions(attempt, catalog),
                               picked=picked, missing=set(exc.numbers), error=exc.message,
                               history=services.attempts_for(current_user.id, attempt.check_key)), 400
    if attempt.passed:
        certificate, issued = issue_if_complete(current_user, course, catalog)
        if issued:
            flash(_("Chúc mừng! Bạn đã hoàn thành khóa học và nhận chứng chỉ."), "success")
    return redirect(url_for("assessment.result", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>")
@login_required
def result(attempt_id: int):
    attempt, course, module = _attempt_or_404(attempt_id)
    if attempt.submitted_at is None:
        return redirect(url_for("assessment.take", course_slug=course.slug, module_slug=module.slug))
    catalog = get_catalog()
    from app.certificates.services import find_certificate
    from app.courses.services import course_status

    return render_template(
        "assessment/result.html", course=course, module=module, attempt=attempt,
        questions=services.shown_questions(attempt, catalog), catalog=catalog,
        status=course_status(current_user.id, course),
        certificate=find_certificate(current_user.id, course.slug))


@bp.get("/me/competences")
@login_required
def profile():
    catalog = get_catalog()
    return render_template("assessment/profile.html", catalog=catalog,
                           profile=services.competence_profile(current_user.id, catalog.framework))
