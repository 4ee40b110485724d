"""Response headers that make the browser refuse what the pages never do (inline scripts,
framing, sniffing), and cookies that only travel over HTTPS outside development."""

from flask import Flask, abort, current_app, request, session
from flask_login.config import COOKIE_NAME

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: https:",  # content images may be https URLs (lazy-loaded)
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def init_app(app: Flask) -> None:
    production = app.config["ENV_NAME"] != "development" and not app.testing
    secure = app.config.get("COOKIE_SECURE")
    secure = production if secure in (None, "") else secure not in ("0", "false", False)
    app.config["SESSION_COOKIE_SECURE"] = secure
    app.config["REMEMBER_COOKIE_SECURE"] = secure

    @app.before_request
    def refuse_nul_bytes():
        # Found by fuzzing: PostgreSQL refuses NUL in text, so "\x00" in a URL or a form field
        # became a database error. No person types one; refuse it before any query.
        fields = [request.path, *request.args.values()]
        if request.method == "POST" and request.mimetype in (
                "application/x-www-form-urlencoded", "multipart/form-data"):
            fields += request.form.values()
        if any("\x00" in value for value in fields):
            abort(400)

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # Verification codes live in URLs: never send a path to another site.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if production:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        _personal_stays_private(response)
        return response


def _signed_in() -> bool:
    """Without asking the database: flask-login's key in the session, or its remember cookie."""
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
    return "_user_id" in session or remember in request.cookies


def _personal_stays_private(response) -> None:
    """A signed-in person's pages (their name, menu and CSRF token) and downloads (CSV, ZIP)
    must never be kept by a shared cache (a school's proxy, an internet café's) or by the
    browser of a shared phone. Public resources that are the same for everyone (fingerprinted
    assets, QR codes, public keys, communes) keep their own caching."""
    html = response.mimetype == "text/html"
    if html and response.cache_control.public:
        response.vary.add("Cookie")  # a public page's anonymous copy is not a signed-in one's
    if _signed_in() and (html or not response.cache_control.public):
        response.cache_control.public = False
        response.cache_control.max_age = None
        response.cache_control.no_cache = None
        response.cache_control.private = True
        response.cache_control.no_store = True
