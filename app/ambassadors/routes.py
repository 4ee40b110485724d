from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.assessment import services as assessment_services
from app.auth.access import ambassador_required
from app.auth.models import User
from app.catalog import get_catalog
from app.certificates.services import find_certificate, qr_svg
from app.extensions import db, limiter
from app.units.models import units_of_commune

from . import services
from .forms import RegisterCitizenForm, SessionForm

bp = Blueprint("ambassadors", __name__, template_folder="templates", url_prefix="/ambassador")


def _index(status: int = 200, session_form: SessionForm | None = None):
    return render_template(
        "ambassadors/index.html", summary=services.summary(current_user.id),
        people=services.people(current_user.id),
        session_form=session_form or SessionForm(formdata=None)), status


@bp.get("/")
@ambassador_required
def index():
    return _index()


def _units(commune_code: int):
    return units_of_commune(commune_code) if commune_code else []


def _sheet(sheet: services.Sheet):
    login_url = current_app.config["BASE_URL"] + url_for("auth.login")
    return render_template("ambassadors/sheet.html", sheet=sheet, login_url=login_url,
                           login_qr=qr_svg(login_url))


@bp.route("/register", methods=["GET", "POST"])
@ambassador_required
def register():
    catalog = get_catalog()
    form = RegisterCitizenForm(data={"group_slug": "nguoi-dan",
                                     "commune_code": current_user.commune_code})
    # Units of the commune the ambassador works in (the form works without JavaScript).
    form.fill_choices(catalog, current_user.province_code, _units(current_user.commune_code))
    if form.validate_on_submit():
        try:
            sheet = services.register_citizen(
                current_user, full_name=form.full_name.data, phone=form.phone.data,
                group_slug=form.group_slug.data, commune_code=form.commune_code.data,
                village=form.village.data, unit_id=form.unit_id.data, catalog=catalog)
        except services.AmbassadorError as exc:
            getattr(form, exc.field or "full_name").errors.append(str(exc.message))
            status = exc.status
        else:
            return _sheet(sheet)
    else:
        status = 400 if form.errors else 200
    return render_template("ambassadors/register.html", form=form), status


@bp.post("/people/<int:user_id>/sheet")
@ambassador_required
def new_sheet(user_id: int):
    try:
        sheet = services.new_sheet(current_user, user_id)
    except services.AmbassadorError as exc:
        abort(exc.status)
    return _sheet(sheet)


def _ambassador_key() -> str:
    return f"ambassador-session:{current_user.id}"


def _refused(response) -> bool:
    return response.status_code != 302  # only wrong passwords and refusals use up the limit


@bp.post("/session")
@ambassador_required
@limiter.limit("20 per 10 minutes", key_func=_ambassador_key, deduct_when=_refused,
               scope="ambassador-session")
def start_session():
    form = SessionForm()
    if not form.validate_on_submit():
        return _index(400, form)
    try:
        citizen = services.find_citizen(current_user, form.login.data, form.password.data)
        attempt = services.start_session(current_user, citizen, get_catalog())
    except services.AmbassadorError as exc:
        getattr(form, exc.field or "login").errors.append(str(exc.message))
        return _index(exc.status, form)
    return redirect(url_for("ambassadors.session", attempt_id=attempt.id))


@bp.post("/people/<int:user_id>/session")
@ambassador_required
def start_session_for(user_id: int):
    """One tap for someone the ambassador registered (no password needed: they made it)."""
    citizen = db.session.get(User, user_id)
    if citizen is None or not services.registered_by(current_user.id, user_id):
        abort(404)
    try:
        attempt = services.start_session(current_user, citizen, get_catalog())
    except services.AmbassadorError as exc:
        flash(str(exc.message), "warning")
        return redirect(url_for("ambassadors.index"))
    return redirect(url_for("ambassadors.session", attempt_id=attempt.id))


def _supervised(attempt_id: int):
    try:
        return services.supervised_attempt(current_user, attempt_id)
    except services.AmbassadorError as exc:
        abort(exc.status)


def _take(attempt, status: int = 200, **extra):
    catalog = get_catalog()
    return render_template(
        "ambassadors/take.html", attempt=attempt, citizen=db.session.get(User, attempt.user_id),
        check=catalog.check(attempt.check_key),
        question=assessment_services.current_question(attempt, catalog), catalog=catalog,
        picked=extra.pop("picked", {}), **extra), status


@bp.get("/session/<int:attempt_id>")
@ambassador_required
def session(attempt_id: int):
    attempt = _supervised(attempt_id)
    if attempt.submitted_at is not None:
        return redirect(url_for("ambassadors.result", attempt_id=attempt.id))
    return _take(attempt)


@bp.post("/session/<int:attempt_id>")
@ambassador_required
def submit(attempt_id: int):
    attempt = _supervised(attempt_id)
    form = {key: request.form.getlist(key) for key in request.form if key.startswith("q-")}
    try:
        attempt, _certificate = services.submit_session(current_user, attempt.id, form,
                                                        get_catalog())
    except assessment_services.AlreadySubmitted:
        flash(_("Bài này đã được nộp; đây là kết quả."), "info")
    except assessment_services.Unanswered as exc:
        return _take(attempt, 400, error=exc.message)
    if attempt.submitted_at is None:
        return redirect(url_for("ambassadors.session", attempt_id=attempt.id))
    return redirect(url_for("ambassadors.result", attempt_id=attempt.id))


@bp.get("/session/<int:attempt_id>/result")
@ambassador_required
def result(attempt_id: int):
    attempt = _supervised(attempt_id)
    if attempt.submitted_at is None:
        return redirect(url_for("ambassadors.session", attempt_id=attempt.id))
    catalog = get_catalog()
    check = catalog.check(attempt.check_key)
    certificate = find_certificate(attempt.user_id, check.slug, kind="confirmation") \
        if check is not None else None
    return render_template("ambassadors/result.html", attempt=attempt, check=check,
                           citizen=db.session.get(User, attempt.user_id), certificate=certificate)
