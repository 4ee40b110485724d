import sqlalchemy as sa
from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.catalog import get_catalog
from app.catalog.coverage import bank_counts, where_taught
from app.courses.services import course_status
from app.errors import RETRY_AFTER, log_unavailable
from app.extensions import csrf, db, limiter
from app.teaching.forms import KIND_LABELS
from app.teaching.services import invitations_for
from app.urls import local_target

bp = Blueprint("main", __name__, template_folder="templates")


@bp.get("/")
def home():
    catalog = get_catalog()
    group = current_user.group_slug if current_user.is_authenticated else None
    mine, others = catalog.courses_for(group)
    statuses, invitations = {}, []
    if current_user.is_authenticated:
        statuses = {c.slug: course_status(current_user.id, c) for c in mine + others}
        invitations = invitations_for(current_user.id)
    # The confirmation's standing: the template asks certificates' my_confirmation().
    confirmation = catalog.assessment_for(group)
    return render_template("main/home.html", catalog=catalog, mine=mine, others=others,
                           group=catalog.groups.get(group or ""), statuses=statuses,
                           confirmation=confirmation,
                           invitations=invitations, kinds=KIND_LABELS)


@bp.get("/khung-nang-luc-so")
def framework():
    """Public: the competence framework and where each competence is taught on the platform."""
    catalog = get_catalog()
    return render_template("main/framework.html", catalog=catalog, taught=where_taught(catalog),
                           counts=bank_counts(catalog))


@bp.get("/thuat-ngu")
def glossary():
    """Public: the words the modules use, one chosen term per idea; modules link here."""
    return render_template("main/glossary.html", terms=get_catalog().glossary)


@bp.get("/khi-can-giup-do")
def help_page():
    """Public: where to turn when something goes wrong (content/help.md)."""
    page = get_catalog().help
    if page is None:
        abort(404)
    return render_template("main/help.html", page=page)


@bp.post("/lang/<code>")
@csrf.exempt  # see toggle_display
def set_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(local_target(request.form.get("next")))


@bp.post("/display")
@csrf.exempt  # a preference, not an action on the account: a forged toggle harms nobody
def toggle_display():
    """Large text and high contrast, for learners who see poorly; kept for the session."""
    session["large_text"] = not session.get("large_text", False)
    return redirect(local_target(request.form.get("next")))


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        log_unavailable(error)
        return {"status": "database unavailable"}, 503, {"Retry-After": RETRY_AFTER}
    health = {"status": "ok", "courses": len(get_catalog().courses)}
    # Still 200 (learners can sign in), but say what is weaker: with Redis away the sign-in
    # limits hold per process only.
    if current_app.config["REDIS_URL"] and not limiter.storage.check():
        health.update(status="degraded", degraded={
            "rate_limits": "Redis unreachable: limits are counted per process"})
    return health
