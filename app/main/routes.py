from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.catalog import get_catalog
from app.courses.services import course_status
from app.extensions import csrf
from app.urls import local_target

bp = Blueprint("main", __name__, template_folder="templates")


@bp.get("/")
def home():
    catalog = get_catalog()
    group = current_user.group_slug if current_user.is_authenticated else None
    mine, others = catalog.courses_for(group)
    statuses = {}
    if current_user.is_authenticated:
        statuses = {c.slug: course_status(current_user.id, c) for c in mine + others}
    confirmation = catalog.assessment_for(group)
    confirmed = None
    if confirmation is not None:
        from app.certificates.services import find_certificate

        confirmed = find_certificate(current_user.id, confirmation.slug, kind="confirmation")
    return render_template("main/home.html", catalog=catalog, mine=mine, others=others,
                           group=catalog.groups.get(group or ""), statuses=statuses,
                           confirmation=confirmation, confirmed=confirmed)


@bp.get("/khung-nang-luc-so")
def framework():
    """Public: the competence framework and where each competence is taught on the platform."""
    from app.catalog.coverage import bank_counts, where_taught

    catalog = get_catalog()
    return render_template("main/framework.html", catalog=catalog, taught=where_taught(catalog),
                           counts=bank_counts(catalog))


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
    import sqlalchemy as sa

    from app.extensions import db

    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return {"status": "database unavailable"}, 503
    return {"status": "ok", "courses": len(get_catalog().courses)}
