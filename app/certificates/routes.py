import io
import json

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template,
                   request, send_file, url_for)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from app.auth.access import admin_required
from app.audit.services import events_for
from app.caching import cached_page
from app.catalog import get_catalog
from app.extensions import csrf
from app.i18n import localized

from . import completion  # noqa: F401  (connects what issues the certificate a step completes)
from . import credentials, did, keys, pdf, services, status
from .forms import RevokeForm
from .standing import confirmation_standing

bp = Blueprint("certificates", __name__, template_folder="templates", static_folder="static",
               static_url_path="/certificates/static")


verify_url = services.verify_url


@bp.app_template_global()
def level_names(codes) -> list[tuple[str, str]]:
    """What the level codes on a certificate mean ("CB2" → "Cơ bản 2"), in framework order."""
    levels = get_catalog().framework.levels_by_code
    return [(lv.code, localized(lv)) for lv in sorted((levels[c] for c in set(codes) if c in levels),
                                                      key=lambda lv: lv.rank)]


@bp.app_template_global()
def competence_name(entry: dict) -> str:
    """A certificate's competence as issued; in English, the framework's English name."""
    competence = get_catalog().framework.competences.get(entry.get("code"))
    return localized(competence) if competence is not None and get_locale().language == "en" \
        else entry.get("name", "")


@bp.app_template_global()
def certificate_of(slug: str, kind: str = "course"):
    """For pages of the layers below (a course, a check's result, the confirmation): the
    signed-in person's certificate for that course or confirmation, or None."""
    if not current_user.is_authenticated:
        return None
    return services.find_certificate(current_user.id, slug, kind=kind)


@bp.app_template_global()
def my_confirmation(assessment):
    """For the pages of the layers below (home, /confirmation): the signed-in person's
    standing with that confirmation (standing.py), or None."""
    if not current_user.is_authenticated or assessment is None:
        return None
    return confirmation_standing(current_user.id, assessment, get_catalog())


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
    wallet_url = services.credential_url(certificate.code)
    return render_template("certificates/show.html", certificate=certificate, verify_url=url,
                           qr_svg=services.qr_svg(url), wallet_url=wallet_url,
                           wallet_qr_svg=services.qr_svg(wallet_url))


@bp.get("/certificates/<code>/qr.png")
def qr_png(code: str):
    certificate = services.by_code(code)
    if certificate is None:
        abort(404)
    response = Response(services.qr_png(verify_url(certificate.code)), mimetype="image/png")
    # Saved as "HVS-2026-0000042-QR.png", like the PDF: named after the certificate.
    response.headers.set("Content-Disposition", "attachment", filename=f"{certificate.serial}-QR.png")
    response.cache_control.max_age = 86400
    return response


@bp.get("/verify/<code>")
def verify(code: str):
    """Public: anyone with the QR link sees whether the certificate is valid. No account."""
    def render(**context):
        certificate = services.by_code(code)
        if certificate is None:
            return None  # never cached: a code unknown now may not be looked up again
        course = get_catalog().course(certificate.course_slug)
        return render_template("certificates/verify.html", certificate=certificate, course=course,
                               **context)

    # Rendered once per certificate and variant; a revocation bumps its generation (services.py).
    html = cached_page("verify_pages", code, services.generation_key(code), render)
    if html is None:
        return render_template("certificates/verify_unknown.html", code=code), 404
    response = current_app.make_response(html)
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


@bp.get("/verify/<code>.jsonld")
def verify_jsonld(code: str):
    """Public: the JSON-LD credential alone, with its proof: what a wallet stores (the
    "Lưu vào ví" QR code and the download on the certificate page point here)."""
    certificate = services.by_code(code)
    if certificate is None:
        return _json({"status": "unknown"}, 404)
    response = _json(credentials.signed_credential(certificate), mimetype="application/ld+json")
    response.cache_control.no_cache = True
    return response


@bp.get("/credentials/status/<int:number>")
def status_list(number: int):
    """Public: the signed revocation list every credential's credentialStatus points at."""
    credential = status.list_credential(number)
    if credential is None:
        return _json({"status": "unknown"}, 404)
    response = _json(credential)
    # Verifiers may cache it briefly; a revocation shows within the max-age.
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@bp.get("/.well-known/did.json")
def did_document():
    """The issuer's DID document (did:web): every key, rotated ones too, by its id."""
    response = _json(did.document(), mimetype="application/did+json")
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@bp.get("/.well-known/jwks.json")
def jwks():
    """The issuer's public keys, old ones included, so rotated-out credentials still verify."""
    response = _json(keys.jwks())
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


def _json(data: dict, status: int = 200, mimetype: str = "application/json") -> Response:
    # Readable UTF-8 (the JSON is also a file people download), open to other sites' verifiers.
    response = current_app.response_class(json.dumps(data, ensure_ascii=False, indent=2) + "\n",
                                          status=status, mimetype=mimetype)
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
