from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from app.auth.services import AccountError

from . import services
from .forms import DeleteAccountForm

bp = Blueprint("privacy", __name__, template_folder="templates")


@bp.get("/privacy")
def notice():
    """Public: what is kept about a person, why, who sees it, and their rights."""
    return render_template("privacy/notice.html")


@bp.get("/me/data.json")
@login_required
def export_json():
    return _download(services.export(current_user, "json"), "application/json", "json")


@bp.get("/me/data.csv")
@login_required
def export_csv():
    # The BOM makes Excel read the accents right.
    return _download("\ufeff" + services.export(current_user, "csv"), "text/csv", "csv")


def _download(body: str, mimetype: str, extension: str) -> Response:
    response = Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="hocvuso-du-lieu-cua-toi.{extension}"'})
    # A person's whole record: no shared cache or back button keeps a copy.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/me/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            services.delete_account(current_user, form.password.data)
        except AccountError as exc:
            form.password.errors.append(str(exc.message))
        else:
            logout_user()
            flash(_("Tài khoản của bạn đã được xoá. Chứng chỉ đã cấp vẫn xác minh được bằng "
                    "mã QR."), "success")
            return redirect(url_for("main.home"))
    return render_template("privacy/delete.html", form=form), 400 if form.errors else 200
