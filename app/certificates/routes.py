from flask import Blueprint, Response, abort, current_app, render_template
from flask_login import current_user, login_required

from app.catalog import get_catalog

from . import services

bp = Blueprint("certificates", __name__, template_folder="templates")


def verify_url(code: str) -> str:
    return f"{current_app.config['BASE_URL']}/verify/{code}"


@bp.get("/certificates/")
@login_required
def mine():
    return render_template("certificates/mine.html",
                           certificates=services.certificates_of(current_user.id))


@bp.get("/certificates/<code>")
@login_required
def show(code: str):
    certificate = services.by_code(code)
    if certificate is None or certificate.user_id != current_user.id:
        abort(404)
    url = verify_url(certificate.code)
    return render_template("certificates/show.html", certificate=certificate, verify_url=url,
                           qr_svg=services.qr_svg(url))


@bp.get("/certificates/<code>/qr.png")
def qr_png(code: str):
    certificate = services.by_code(code)
    if certificate is None:
        abort(404)
    response = Response(services.qr_png(verify_url(certificate.code)), mimetype="image/png")
    response.cache_control.max_age = 86400
    return response


@bp.get("/verify/<code>")
def verify(code: str):
    """Public: anyone with the QR link sees whether the certificate is valid. No account."""
    certificate = services.by_code(code)
    if certificate is None:
        return render_template("certificates/verify_unknown.html", code=code), 404
    course = get_catalog().course(certificate.course_slug)
    response = current_app.make_response(render_template(
        "certificates/verify.html", certificate=certificate, course=course))
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/verify")
def verify_form():
    """For a paper copy: type the code printed under the QR code."""
    from flask import redirect, request, url_for

    code = "".join(request.args.get("code", "").split())
    if code:
        # Accept a pasted verify URL as well as the bare code.
        code = code.rstrip("/").rsplit("/", 1)[-1]
        return redirect(url_for("certificates.verify", code=code))
    return render_template("certificates/verify_form.html", code="")
