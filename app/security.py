"""Response headers that make the browser refuse what the pages never do (inline scripts,
framing, sniffing), and cookies that only travel over HTTPS outside development."""

from flask import Flask, abort, current_app, request, session
from flask_login.config import COOKIE_NAME
from werkzeug.datastructures import ResponseCacheControl
from werkzeug.http import parse_cache_control_header

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

    fixed = [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        # Verification codes live in URLs: never send a path to another site.
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
        *([("Strict-Transport-Security", "max-age=31536000")] if production else []),
    ]

    @app.after_request
    def headers(response):
        present = {name.lower() for name, _value in response.headers}  # a view's own win
        for name, value in fixed:
            if name.lower() not in present:
                response.headers.add(name, value)
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
    # Parsed once and written back once (response.cache_control rewrites the header at each edit).
    control = parse_cache_control_header(response.headers.get("Cache-Control"),
                                         cls=ResponseCacheControl)
    if html and control.public:
        response.vary.add("Cookie")  # a public page's anonymous copy is not a signed-in one's
    if _signed_in() and (html or not control.public):
        control.public = False
        control.max_age = None
        control.no_cache = None
        control.private = True
        control.no_store = True
        response.headers["Cache-Control"] = control.to_header()
