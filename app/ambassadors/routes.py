from __future__ import annotations

import io

from flask import (Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template,
                   request, send_file, url_for)
from flask_babel import gettext as _
from flask_login import current_user

from app.assessment import services as assessment_services
from app.auth.access import ambassador_required
from app.auth.forms import LOGIN_LABEL
from app.auth.forms import AssistedResetForm
from app.auth.limits import password_guesses
from app.auth.models import User
from app.catalog import get_catalog
from app.certificates.pdf import ascii_slug
from app.certificates.services import find_certificate, qr
from app.columns import utcnow
from app.extensions import csrf, db, limiter
from app.forms import bounded_int
from app.localities import commune_in_province
from app.offline.routes import same_origin_json
from app.offline.services import Refused
from app.units.models import units_of_commune

from . import carrier, pdf, services, sheets
from .forms import RegisterCitizenForm, SessionForm

bp = Blueprint("ambassadors", __name__, template_folder="templates", url_prefix="/ambassador")


def _index(status: int = 200, session_form: SessionForm | None = None):
    return render_template(
        "ambassadors/index.html", summary=services.summary(current_user.id), now=utcnow(),
        people=services.people(current_user.id),
        session_form=session_form or SessionForm(formdata=None)), status


@bp.get("/")
@ambassador_required
def index():
    return _index()


def _units(commune_code: int):
    """The units of a commune of the ambassador's province (none for any other code)."""
    if not commune_code or not commune_in_province(commune_code, current_user.province_code):
        return []
    return units_of_commune(commune_code)


def _chosen_commune() -> int:
    """The commune the page opens on: ?commune= (the form re-offered without JavaScript),
    else the ambassador's own."""
    chosen = request.args.get("commune", type=bounded_int)
    if chosen and commune_in_province(chosen, current_user.province_code):
        return chosen
    return current_user.commune_code


def _login_url() -> str:
    return current_app.config["BASE_URL"] + url_for("auth.login")


def _scalable_qr(url: str) -> str:
    """An SVG with a viewBox and no fixed size: the sheet's CSS makes it large on paper."""
    return qr(url).svg_inline(scale=4, border=2, dark="#000", light="#fff", omitsize=True,
                              title=url)


def _sheet(sheet: services.Sheet):
    login_url = _login_url()
    return render_template("ambassadors/sheet.html", sheet=sheet, login_url=login_url,
                           login_qr=_scalable_qr(login_url), login_label=LOGIN_LABEL,
                           sheet_token=sheets.sheet_token(sheet, current_user.id))


@bp.post("/sheet.pdf")
@ambassador_required
def sheet_pdf():
    """The sheet just shown, as a PDF: from the page's signed token, nothing stored."""
    try:
        sheet = sheets.sheet_from_token(current_user, request.form.get("sheet", ""))
    except services.AmbassadorError as exc:
        flash(str(exc.message), "warning")
        return _index(exc.status)
    data = pdf.render(pdf.sheet_content(
        sheet.citizen.full_name, sheet.login, sheet.password, _login_url(),
        current_user.full_name))
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                         download_name=f"phieu-dang-nhap-{ascii_slug(sheet.citizen.full_name)}.pdf")
    response.headers["Cache-Control"] = "private, no-store"  # it holds a password
    return response


@bp.route("/register", methods=["GET", "POST"])
@ambassador_required
def register():
    catalog = get_catalog()
    form = RegisterCitizenForm(data={"group_slug": "nguoi-dan", "commune_code": _chosen_commune()})
    # Units of the chosen commune: the posted one, else ?commune=, else the ambassador's own.
    form.fill_choices(catalog, current_user.province_code, _units(form.commune_code.data))
    if request.method == "POST" and "show_units" in request.form:
        return render_template("ambassadors/register.html", form=form), 200  # no JavaScript
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


@bp.get("/communes/<int:commune_code>/units.json")
@ambassador_required
def units_json(commune_code: int):
    """For the register form's script: the units of a commune (the form works without it)."""
    if not commune_in_province(commune_code, current_user.province_code):
        abort(404)
    return jsonify([{"id": u.id, "name": u.name} for u in _units(commune_code)])


@bp.route("/people/<int:user_id>/sheet", methods=["GET", "POST"])
@ambassador_required
def new_sheet(user_id: int):
    """GET says what a new sheet does (the citizen's password is reset); a POST with the box
    ticked does it. Only for citizens the ambassador may act for (auth.access.may_act_for)."""
    try:
        citizen = services.citizen_to_reset(current_user, user_id)
    except services.AmbassadorError as exc:
        abort(exc.status)
    form = AssistedResetForm()
    if form.validate_on_submit():
        return _sheet(services.new_sheet(current_user, citizen.id))
    return render_template("ambassadors/reset.html", form=form, person=citizen), \
        400 if form.errors else 200


def _ambassador_key() -> str:
    return f"ambassador-session:{current_user.id}"


def _refused(response) -> bool:
    return response.status_code >= 400  # only wrong passwords and refusals use up the limit


def _wrong_citizen_password(_response) -> bool:
    return g.get("wrong_citizen_password", False)  # as at sign-in; set by _present_citizen


# Every form where a citizen proves they are here (the online session, a kit to take away):
# one limit per ambassador, and the citizen's own sign-in limits, guesses here count there.
_presence_limit = limiter.limit("20 per 10 minutes", key_func=_ambassador_key,
                                deduct_when=_refused, scope="ambassador-session")
_citizen_guesses = password_guesses(deduct_when=_wrong_citizen_password)


def _present_citizen(form: SessionForm) -> User:
    try:
        return services.find_citizen(current_user, form.login.data, form.password.data)
    except services.AmbassadorError as exc:
        g.wrong_citizen_password = exc.status in (403, 404)  # a wrong password, no such login
        raise


@bp.post("/session")
@ambassador_required
@_presence_limit
@_citizen_guesses
def start_session():
    form = SessionForm()
    if not form.validate_on_submit():
        return _index(400, form)
    try:
        attempt = services.start_session(current_user, _present_citizen(form), get_catalog())
    except services.AmbassadorError as exc:
        return _refuse(form, exc, _index)
    return redirect(url_for("ambassadors.session", attempt_id=attempt.id))


def _refuse(form: SessionForm, exc: services.AmbassadorError, page):
    getattr(form, exc.field or "login").errors.append(str(exc.message))
    return page(exc.status, form)


# -- without a signal: kits prepared here, run on the phone, sent back (carrier.py) ---------

def _carrier(status: int = 200, form: SessionForm | None = None):
    return render_template("ambassadors/carrier.html", form=form or SessionForm(formdata=None),
                           days=carrier.KIT_DAYS), status


@bp.get("/offline")
@ambassador_required
def carrier_page():
    """Kept by the service worker: opens without a signal, lists the kits on this device."""
    return _carrier()


def _kit(citizen: User):
    kit = carrier.prepare_kit(current_user, citizen, get_catalog())
    return render_template("ambassadors/kit.html", kit=kit)


@bp.post("/kits")
@ambassador_required
@_presence_limit
@_citizen_guesses
def prepare_kit():
    form = SessionForm()
    if not form.validate_on_submit():
        return _carrier(400, form)
    try:
        return _kit(_present_citizen(form))
    except services.AmbassadorError as exc:
        return _refuse(form, exc, _carrier)


@bp.post("/people/<int:user_id>/kit")
@ambassador_required
def prepare_kit_for(user_id: int):
    """One tap for someone the ambassador registered, as for the online session."""
    citizen = db.session.get(User, user_id)
    if citizen is None or not services.registered_by(current_user.id, user_id):
        abort(404)
    try:
        return _kit(citizen)
    except services.AmbassadorError as exc:
        flash(str(exc.message), "warning")
        return redirect(url_for("ambassadors.index"))


@bp.post("/offline/sync")
@csrf.exempt  # sent by the phone's queue without a page: see same_origin_json
@ambassador_required
def carrier_sync():
    item = request.get_json(silent=True) if same_origin_json() else None
    if not isinstance(item, dict):
        return jsonify(status="refused", message=_("Yêu cầu không hợp lệ.")), 400
    try:
        outcome = carrier.upload_session(current_user, item.get("key"), item.get("token"),
                                         item.get("answers"), item.get("started_at"),
                                         item.get("taken_at"), get_catalog())
    except Refused as exc:
        return jsonify(status="refused", message=str(exc.message)), 400
    attempt = outcome.attempt
    return jsonify(status="duplicate" if outcome.duplicate else "graded",
                   passed=bool(attempt.passed),
                   result=url_for("ambassadors.result", attempt_id=attempt.id),
                   message=_("Đã chấm bài xác nhận làm khi không có mạng: %(v)s.",
                             v=_("đạt") if attempt.passed else _("chưa đạt")))


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
