import io
import json

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template,
                   request, send_file, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from app.auth.access import admin_required
from app.audit.services import events_for
from app.catalog import get_catalog
from app.extensions import csrf

from . import completion  # noqa: F401  (connects what issues the certificate a step completes)
from . import credentials, keys, pdf, services
from .forms import RevokeForm

bp = Blueprint("certificates", __name__, template_folder="templates", static_folder="static",
               static_url_path="/certificates/static")


verify_url = services.verify_url


@bp.app_template_global()
def certificate_of(slug: str, kind: str = "course"):
    """For pages of the layers below (a course, a check's result, the confirmation): the
    signed-in person's certificate for that course or confirmation, or None."""
    if not current_user.is_authenticated:
        return None
    return services.find_certificate(current_user.id, slug, kind=kind)


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
    code = "".join(request.args.get("code", "").split())
    if code:
        # Accept a pasted verify URL as well as the bare code.
        code = code.rstrip("/").rsplit("/", 1)[-1]
        return redirect(url_for("certificates.verify", code=code))
    return render_template("certificates/verify_form.html", code="")


@bp.get("/verify/<code>.pdf")
def verify_pdf(code: str):
    """Public, like the verify page: the code is the secret. Made on demand, then cached."""
    certificate = services.by_code(code)
    if certificate is None:
        abort(404)
    data, digest = pdf.certificate_pdf(certificate)
    response = send_file(io.BytesIO(data), mimetype="application/pdf", etag=digest,
                         download_name=f"{certificate.serial}.pdf", conditional=True, max_age=0)
    # Revalidate every time (a revocation changes the file); the ETag makes that cheap.
    response.cache_control.no_cache = True
    response.cache_control.public = False
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/verify/<code>.json")
def verify_json(code: str):
    """Public: the status now and the signed Open Badges 3.0 credential."""
    certificate = services.by_code(code)
    if certificate is None:
        return _json({"status": "unknown"}, 404)
    response = _json(credentials.document(certificate))
    response.cache_control.no_cache = True
    return response


@bp.get("/.well-known/jwks.json")
def jwks():
    """The issuer's public keys, old ones included, so rotated-out credentials still verify."""
    response = _json(keys.jwks())
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


def _json(data: dict, status: int = 200) -> Response:
    # Readable UTF-8 (the JSON is also a file people download), open to other sites' verifiers.
    response = current_app.response_class(json.dumps(data, ensure_ascii=False, indent=2) + "\n",
                                          status=status, mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/verify/credential", methods=["GET", "POST"])
@csrf.exempt  # checked by hand below, once the size limit is set, so a huge body is refused unread
def check_credential():
    """Public: paste or upload a credential; valid / tampered / revoked / unknown."""
    if request.method != "POST":
        return render_template("certificates/check.html")
    # Room for the form's other fields and multipart boundaries around the credential itself.
    request.max_content_length = credentials.MAX_INPUT_BYTES + 8 * 1024
    try:
        csrf.protect()
        upload = request.files.get("file")
        pasted = request.form.get("credential", "")
        if upload is not None and upload.filename:
            token = credentials.read_input(upload.stream.read(credentials.MAX_INPUT_BYTES + 1))
        else:
            token = credentials.read_input(pasted)
    except RequestEntityTooLarge:
        return render_template("certificates/check.html",
                               error=credentials.too_large_message()), 413
    except credentials.CredentialInputError as exc:
        return render_template("certificates/check.html", error=exc.message,
                               pasted=pasted[:credentials.MAX_INPUT_BYTES]), exc.status
    result = credentials.check(token, services.by_code)
    return render_template("certificates/check.html", result=result)


@bp.route("/admin/certificates", methods=["GET", "POST"])
@admin_required
def admin():
    """Admins find a certificate by code or serial and revoke it, with a reason."""
    form = RevokeForm()
    query = request.args.get("q", "").strip()[:200]
    status = 200
    if request.method == "POST":
        certificate = services.by_code(form.code.data or "")
        if certificate is None:
            abort(404)
        query = certificate.code
        if form.validate_on_submit():
            try:
                services.revoke(certificate, form.reason.data, current_user.id)
            except services.RevocationError as exc:
                flash(str(exc.message), "warning")
                status = exc.status
            else:
                flash(_("Đã thu hồi chứng chỉ %(s)s. Trang xác minh giờ báo “ĐÃ THU HỒI”.",
                        s=certificate.serial), "success")
                return redirect(url_for("certificates.admin", q=certificate.code), 303)
        else:
            status = 400
    else:
        certificate = services.find_for_admin(query) if query else None
        if query and certificate is None:
            status = 404
        form.code.data = certificate.code if certificate else ""
    return render_template(
        "certificates/admin.html", form=form, query=query, certificate=certificate,
        history=events_for("certificate", certificate.id) if certificate else []), status
