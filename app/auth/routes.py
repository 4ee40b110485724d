from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template,
                   request, session, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.extensions import db, limiter, login_manager
from app.forms import options
from app.i18n import format_moment
from app.localities import communes
from app.urls import local_target

from . import recovery, services
from .access import admin_required, role_required
from .forms import (AssistedResetForm, ConsentPasswordForm, ConsentResetForm, FindPersonForm,
                    ForgotForm, LoginForm, PasswordForm, ProfileForm, RegisterForm, ResetForm,
                    RoleForm)
from .limits import password_guesses, typed_key
from .models import ROLES, User
from .signed_in import signed_in_user



def N_(message: str) -> str:
    """Marks a message for extraction; flask-login translates it through localize_callback."""
    return message


bp = Blueprint("auth", __name__, template_folder="templates", url_prefix="/auth")

login_manager.login_view = "auth.login"
login_manager.login_message = N_("Hãy đăng nhập để tiếp tục.")  # translated when flashed
login_manager.login_message_category = "info"
login_manager.localize_callback = _


@login_manager.user_loader
def load_user(session_id: str):
    """The cookie holds "<id>-<nonce>": an old nonce (after logout elsewhere) loads nobody."""
    user_id, _, nonce = session_id.partition("-")
    if not (user_id.isascii() and user_id.isdigit() and len(user_id) <= 9):
        return None  # a database id, and only that
    return signed_in_user(int(user_id), nonce)  # a cached snapshot: no query (signed_in.py)


def _renew_session() -> None:
    """A new session at sign-in (nothing from before survives but display preferences)."""
    kept = {key: session[key] for key in ("lang", "large_text") if key in session}
    session.clear()
    session.update(kept)


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    form.fill_choices(current_app.config["PROVINCE_CODE"])
    if form.validate_on_submit():
        try:
            user = services.register(
                full_name=form.full_name.data, login=form.login.data, password=form.password.data,
                group_slug=form.group_slug.data, province_code=form.province_code.data,
                commune_code=form.commune_code.data, village=form.village.data,
                consent=form.consent.data)
        except services.AccountError as exc:
            getattr(form, exc.field or "login").errors.append(str(exc.message))
        else:
            _renew_session()
            login_user(user)
            flash(_("Chào mừng %(name)s! Tài khoản đã được tạo.", name=user.full_name), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/register.html", form=form), 200 if not form.errors else 400


def _failed(response) -> bool:
    return response.status_code != 302  # only failed sign-ins count against the limits


@bp.route("/login", methods=["GET", "POST"])
@password_guesses(deduct_when=_failed)  # the same buckets as the supervised session's (limits.py)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.login.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Email/số điện thoại hoặc mật khẩu chưa đúng."))
        else:
            _renew_session()
            login_user(user, remember=form.remember.data)
            _tell_who_reset(recovery.take_reset_notice(user))
            return redirect(local_target(request.args.get("next")))
    return render_template("auth/login.html", form=form), 200 if not form.errors else 400


@bp.post("/logout")
@login_required
def logout():
    current_user.end_sessions()  # this cookie, and any copy of it, stops working
    db.session.commit()
    logout_user()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("main.home"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    form.fill_choices(current_user.province_code)
    if form.validate_on_submit():
        services.update_profile(
            current_user, full_name=form.full_name.data, group_slug=form.group_slug.data,
            province_code=form.province_code.data, commune_code=form.commune_code.data,
            village=form.village.data)
        flash(_("Đã lưu thông tin của bạn."), "success")
        return redirect(url_for("auth.profile"))
    reset = recovery.last_assisted_reset(current_user.id)
    return render_template("auth/profile.html", form=form,
                           reset_note=_who_reset(reset) if reset else None), \
        200 if not form.errors else 400


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    consent = services.needs_consent(current_user)
    form = ConsentPasswordForm() if consent else PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.password.data,
                                     consent=consent and form.consent.data)
        except services.AccountError as exc:
            getattr(form, exc.field).errors.append(str(exc.message))
        else:
            login_user(current_user._get_current_object())  # this device stays signed in
            flash(_("Đã đổi mật khẩu."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form, consent=consent), \
        400 if form.errors else 200


@bp.before_app_request
def _one_time_password_must_be_changed():
    """An account made from a roster keeps its one-time password only until the first login."""
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in ("auth.password", "auth.logout", "static")):
        if request.endpoint != "main.home":
            flash(_("Hãy đổi mật khẩu dùng một lần trước khi tiếp tục."), "warning")
        return redirect(url_for("auth.password"))
    return None


@bp.route("/admin/roles", methods=["GET", "POST"])
@admin_required
def roles():
    labels = {"learner": _("Người học"), "teacher": _("Giáo viên, người phụ trách lớp"),
              "ambassador": _("Đại sứ số"), "leader": _("Lãnh đạo (xem báo cáo)"),
              "admin": _("Quản trị")}
    form = RoleForm()
    form.role.choices = options((r, labels[r]) for r in ROLES)
    if form.validate_on_submit():
        try:
            user = services.grant_role(form.login.data, form.role.data, current_user.id)
        except services.AccountError as exc:
            getattr(form, exc.field or "login").errors.append(str(exc.message))
        else:
            flash(_("%(name)s giờ có vai trò: %(role)s.", name=user.full_name,
                    role=labels[user.role]), "success")
            return redirect(url_for("auth.roles"))
    staff = db.session.scalars(db.select(User).where(User.role != "learner")
                               .order_by(User.role, User.full_name)).all()
    return render_template("auth/roles.html", form=form, staff=staff, labels=labels), \
        400 if form.errors else 200


@bp.get("/localities/<int:province_code>/communes.json")
def communes_json(province_code: int):
    """For the sign-up form's script: the communes of a province (the form works without it)."""
    found = communes(province_code)
    if not found:
        abort(404)
    response = jsonify([{"code": c, "name": n} for c, n in found])
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


# -- a way back in -----------------------------------------------------------------------------

_RESET_BY = {"teacher": N_("giáo viên"), "ambassador": N_("đại sứ số"), "admin": N_("quản trị")}


def _who_reset(notice: recovery.ResetNotice) -> str:
    return _("Mật khẩu của bạn đã được %(name)s (%(role)s) đặt lại lúc %(when)s. Nếu bạn không "
             "nhờ việc này, hãy báo ngay cho người đó hoặc cho UBND xã.",
             name=notice.by_name or _("một người có quyền"),
             role=_(_RESET_BY.get(notice.by_role, "quản trị")),
             when=format_moment(notice.at))  # the site's one format (app/i18n.py)


def _tell_who_reset(notice: recovery.ResetNotice | None) -> None:
    if notice is not None:
        flash(_who_reset(notice), "warning")


def _reset_email_key() -> str:
    """Rate-limit key for one address, however it is typed."""
    return typed_key("email", services.parse_login, "reset")


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config.get("RESET_LIMIT_ADDRESS", "10 per hour"),
               methods=["POST"], scope="reset-address")
@limiter.limit(lambda: current_app.config.get("RESET_LIMIT_EMAIL", "3 per hour"),
               key_func=_reset_email_key, methods=["POST"], scope="reset-email")
def forgot():
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ForgotForm()
    if form.validate_on_submit():
        try:
            recovery.request_reset(form.email.data, _reset_link)
        except recovery.RecoveryError as exc:
            form.email.errors.append(str(exc.message))
        else:
            return render_template("auth/forgot_sent.html")
    return render_template("auth/forgot.html", form=form), 400 if form.errors else 200


def _reset_link(token: str) -> str:
    # The site's own address, never the request's Host header: the link must lead here.
    return current_app.config["BASE_URL"] + url_for("auth.reset", token=token)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    try:
        person = recovery.user_for_token(token)
    except recovery.RecoveryError as exc:
        return render_template("auth/reset_invalid.html", message=exc.message), 400
    consent = services.needs_consent(person)
    form = ConsentResetForm() if consent else ResetForm()
    if form.validate_on_submit():
        try:
            recovery.reset_with_token(token, form.password.data,
                                      consent=consent and form.consent.data)
        except recovery.RecoveryError as exc:
            getattr(form, exc.field or "password").errors.append(str(exc.message))
        else:
            logout_user()  # whoever was signed in on this browser: the owner signs in anew
            flash(_("Đã đặt mật khẩu mới. Hãy đăng nhập bằng mật khẩu này."), "success")
            return redirect(url_for("auth.login"))
    response = render_template("auth/reset.html", form=form, consent=consent, person=person)
    return response, 400 if form.errors else 200, {"Cache-Control": "private, no-store"}


helper_required = role_required("teacher", "ambassador")  # admins too (has_role)


@bp.route("/people/password-reset", methods=["GET", "POST"])
@helper_required
def find_person():
    """Find someone to reset the password for, by their login (teacher, ambassador, admin)."""
    form = FindPersonForm()
    if form.validate_on_submit():
        try:
            person = recovery.find_person_to_reset(current_user, form.login.data)
        except recovery.RecoveryError as exc:
            form.login.errors.append(str(exc.message))
        else:
            return redirect(url_for("auth.assisted_reset", user_id=person.id))
    return render_template("auth/find_person.html", form=form), 400 if form.errors else 200


@bp.route("/people/<int:user_id>/password-reset", methods=["GET", "POST"])
@helper_required
def assisted_reset(user_id: int):
    """GET says what the reset does; only a POST with the box ticked does it."""
    try:
        person = recovery.person_to_reset(current_user, user_id)
    except recovery.RecoveryError as exc:
        if exc.status != 400:
            abort(exc.status)
        flash(str(exc.message), "info")
        return redirect(url_for("auth.password"))
    form = AssistedResetForm()
    if form.validate_on_submit():
        person, password = recovery.assisted_reset(current_user, person.id)
        return render_template("auth/reset_sheet.html", person=person, password=password,
                               login_url=current_app.config["BASE_URL"] + url_for("auth.login")), \
            200, {"Cache-Control": "private, no-store"}  # a password: no copy kept anywhere
    return render_template("auth/assisted_reset.html", form=form, person=person), \
        400 if form.errors else 200
