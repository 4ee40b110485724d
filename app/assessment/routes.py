from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.catalog import get_catalog
from app.catalog.types import Assessment, Check, Course, Module
from app.courses.completion import commit_step
from app.courses.services import course_status

from app.auth.access import admin_required
from app.forms import bounded_int

from . import item_stats, services

bp = Blueprint("assessment", __name__, template_folder="templates")


@dataclass(frozen=True)
class Place:
    """Where a check sits, for its pages: a module of a course, or a group's confirmation."""

    check: Check | Assessment
    title: str
    back_url: str
    back_label: str
    retake_url: str
    course: Course | None = None
    module: Module | None = None


def _place(check_key: str) -> Place:
    catalog = get_catalog()
    check = catalog.check(check_key)
    if check is None:
        abort(404)
    if isinstance(check, Assessment):
        return Place(check, check.title, url_for("assessment.confirmation"),
                     _("Bài đánh giá xác nhận"), url_for("assessment.take_confirmation"))
    course = catalog.course(check.course_slug)
    module = course.module(check.module_slug)
    return Place(check, module.title,
                 url_for("courses.module", course_slug=course.slug, module_slug=module.slug),
                 module.title,
                 url_for("assessment.take", course_slug=course.slug, module_slug=module.slug),
                 course, module)


def _render_take(place: Place, attempt, status: int = 200, **extra):
    return render_template(
        "assessment/take.html", place=place, attempt=attempt,
        questions=services.shown_questions(attempt, get_catalog()),
        history=services.attempts_for(current_user.id, place.check.key),
        picked=extra.pop("picked", {}), **extra), status


@bp.get("/checks/<course_slug>/<module_slug>")
@login_required
def take(course_slug: str, module_slug: str):
    place = _place(f"{course_slug}/{module_slug}")
    return _render_take(place, services.open_attempt(current_user.id, place.check))


def _attempt_or_404(attempt_id: int):
    try:
        attempt = services.get_attempt(current_user.id, attempt_id)
    except services.AttemptNotFound:
        abort(404)
    return attempt, _place(attempt.check_key)


@bp.post("/attempts/<int:attempt_id>")
@login_required
def submit(attempt_id: int):
    attempt, place = _attempt_or_404(attempt_id)
    catalog = get_catalog()
    form = {key: request.form.getlist(key) for key in request.form if key.startswith("q-")}
    if isinstance(place.check, Assessment):
        return _confirmation_step(attempt, place, form, catalog)
    try:
        attempt = services.grade(current_user.id, attempt.id, form, catalog)
    except services.AlreadySubmitted:
        return _already_submitted(attempt)
    except services.Unanswered as exc:
        # Keep every answer already ticked, and say which questions are left ("²" is a
        # digit to str.isdigit() but not to int(): ASCII digits only).
        picked = {k: {int(p) for p in v if p.isascii() and p.isdigit()} for k, v in form.items()}
        return _render_take(place, attempt, 400, picked=picked, missing=set(exc.numbers),
                            error=exc.message)
    _congratulate(commit_step(current_user.id, catalog, attempt=attempt))
    return redirect(url_for("assessment.result", attempt_id=attempt.id))


def _already_submitted(attempt):
    """A second post of a graded attempt (two tabs, a resent form): its result, not an error."""
    flash(_("Bài này đã được nộp; đây là kết quả."), "info")
    return redirect(url_for("assessment.result", attempt_id=attempt.id))


def _congratulate(completed) -> None:
    """Say so when this very step issued a certificate."""
    if completed is not None and completed.issued:
        flash(_("Chúc mừng! Bạn đã được xác nhận đạt phổ cập kỹ năng số.")
              if completed.kind == "confirmation"
              else _("Chúc mừng! Bạn đã hoàn thành khóa học và nhận chứng chỉ."), "success")


def _confirmation_step(attempt, place: Place, form, catalog):
    """One answer of the confirmation: the next question, or the decision."""
    try:
        attempt = services.answer_confirmation(current_user.id, attempt.id, form, catalog)
    except services.AlreadySubmitted:
        return _already_submitted(attempt)
    except services.Unanswered as exc:
        return _render_step(place, attempt, 400, error=exc.message)
    if attempt.submitted_at is None:
        return redirect(url_for("assessment.take_confirmation"))
    # The decision and the confirmation it earns: one commit.
    _congratulate(commit_step(current_user.id, catalog, attempt=attempt))
    return redirect(url_for("assessment.result", attempt_id=attempt.id))


def _render_step(place: Place, attempt, status: int = 200, **extra):
    catalog = get_catalog()
    return render_template(
        "assessment/confirmation_step.html", place=place, attempt=attempt,
        assessment=place.check, question=services.current_question(attempt, catalog),
        catalog=catalog, **extra), status


@bp.get("/attempts/<int:attempt_id>")
@login_required
def result(attempt_id: int):
    attempt, place = _attempt_or_404(attempt_id)
    if attempt.submitted_at is None:
        return redirect(place.retake_url)
    catalog = get_catalog()
    if isinstance(place.check, Assessment):
        return render_template(
            "assessment/confirmation_result.html", place=place, attempt=attempt,
            assessment=place.check, catalog=catalog,
            verdicts=services.confirmation_verdicts(attempt, place.check, catalog))
    status = course_status(current_user.id, place.course) if place.course is not None else None
    # The certificate link: the template asks certificate_of() (registered by certificates,
    # a layer above), so this page never imports upward.
    return render_template(
        "assessment/result.html", place=place, attempt=attempt, catalog=catalog, status=status,
        questions=services.shown_questions(attempt, catalog))


def _my_assessment() -> Assessment:
    assessment = get_catalog().assessment_for(current_user.group_slug)
    if assessment is None:
        abort(404)
    return assessment


@bp.get("/confirmation")
@login_required
def confirmation():
    catalog = get_catalog()
    assessment = _my_assessment()
    missing = services.missing_requirements(current_user.id, assessment, catalog)
    return render_template(
        "assessment/confirmation.html", assessment=assessment, catalog=catalog, missing=missing,
        group=catalog.groups.get(assessment.group),
        history=services.attempts_for(current_user.id, assessment.key))


@bp.get("/confirmation/take")
@login_required
def take_confirmation():
    catalog = get_catalog()
    assessment = _my_assessment()
    if services.missing_requirements(current_user.id, assessment, catalog):
        flash(_("Hãy hoàn thành các khóa học cần thiết trước khi làm bài xác nhận."), "warning")
        return redirect(url_for("assessment.confirmation"))
    return _render_step(_place(assessment.key),
                        services.open_confirmation(current_user.id, assessment, catalog))


SORTS = {"exposure": lambda s: -s.exposure, "id": lambda s: s.question.id,
         "facility": lambda s: (s.facility is None, s.facility or 0),
         "discrimination": lambda s: (s.discrimination is None, s.discrimination or 0)}
QUESTIONS_PER_PAGE = 40


@bp.get("/admin/questions")
@admin_required
def question_statistics():
    """Every question with its statistics, those to review first, then in the chosen order."""
    catalog = get_catalog()
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "exposure"
    found = sorted(item_stats.statistics(catalog), key=lambda s: (not s.flags, SORTS[sort](s)))
    pages = max(1, -(-len(found) // QUESTIONS_PER_PAGE))
    page = min(max(1, request.args.get("page", 1, type=bounded_int)), pages)
    return render_template(
        "assessment/question_statistics.html", catalog=catalog, sort=sort, sorts=list(SORTS),
        stats=found[(page - 1) * QUESTIONS_PER_PAGE:page * QUESTIONS_PER_PAGE], page=page,
        pages=pages, flagged=sum(1 for s in found if s.flags), total=len(found),
        labels=item_stats.FLAG_LABELS, min_exposure=item_stats.MIN_EXPOSURE)


@bp.get("/me/competences")
@login_required
def profile():
    catalog = get_catalog()
    return render_template("assessment/profile.html", catalog=catalog,
                           profile=services.competence_profile(current_user.id, catalog.framework))
