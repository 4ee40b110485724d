import hmac

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template,
                   request, session, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.extensions import db, limiter, login_manager
from app.forms import options
from app.localities import communes
from app.urls import local_target

from . import services
from .access import admin_required
from .forms import (ConsentPasswordForm, LoginForm, PasswordForm, ProfileForm, RegisterForm,
                    RoleForm)
from .models import ROLES, User



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
    user = db.session.get(User, int(user_id))
    if user is None or not hmac.compare_digest(user.session_nonce, nonce):
        return None
    if user.deleted_at is not None:  # its sessions ended at deletion; never load it again
        return None
    return user


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


def _login_key() -> str:
    """Rate-limit key for one account, whatever way its login is typed."""
    try:
        kind, value = services.parse_login(request.form.get("login", ""))
    except services.AccountError:
        value = request.form.get("login", "").strip().casefold()[:254]
    return f"login:{value}"


def _failed(response) -> bool:
    return response.status_code != 302  # only failed sign-ins count against the limits


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config.get("LOGIN_LIMIT_ACCOUNT", "5 per 5 minutes"),
               key_func=_login_key, methods=["POST"], deduct_when=_failed, scope="login-account")
@limiter.limit(lambda: current_app.config.get("LOGIN_LIMIT_ADDRESS", "30 per 5 minutes"),
               methods=["POST"], deduct_when=_failed, scope="login-address")
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
    return render_template("auth/profile.html", form=form), 200 if not form.errors else 400


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
