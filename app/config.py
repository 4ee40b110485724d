"""Configuration, read from the environment with working defaults for development."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "sqlite:///hocvuso.sqlite3")
    # Hosting platforms still hand out the old scheme; SQLAlchemy 2 only knows postgresql://.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    # werkzeug's scrypt at its default cost; the tests use a cheaper one (tests/conftest.py)
    # so that the quick loop is not spent hashing hundreds of made-up passwords.
    PASSWORD_HASH_METHOD = "scrypt"
    # A roster's one-time passwords: 10 random characters of 31 (49 bits), replaced at the first
    # sign-in by one hashed at the full cost. At 1/8 of scrypt's default work (N=4096, 4 MiB a
    # guess) a stolen hash still takes decades of GPU time, and 1,000 learners take seconds, not
    # the 3-5 minutes of the full cost on these 2 cores.
    ONE_TIME_PASSWORD_HASH_METHOD = "scrypt:4096:8:1"
    SQLALCHEMY_DATABASE_URI = _database_url()
    # No pre-ping round trip on every request: a connection that died is detected on use,
    # the pool is invalidated, the request gets the 503 page and the next one reconnects.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": False, "pool_recycle": 1800}
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    CONTENT_DIR = os.environ.get("CONTENT_DIR", str(ROOT / "content"))
    PROVINCE_CODE = int(os.environ.get("PROVINCE_CODE", "38"))
    # How often a running process looks for edited content (0: only at start-up).
    CONTENT_RELOAD_SECONDS = float(os.environ.get("CONTENT_RELOAD_SECONDS", "30"))
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    # Cookies only over HTTPS: on everywhere but development, unless COOKIE_SECURE=0 (plain-HTTP
    # loopback set-ups such as the two-process test and the load benchmark).
    COOKIE_SECURE = os.environ.get("COOKIE_SECURE", "")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_MIN_SIZE = 500
    # Not streamed responses (static files): flask-compress 1.25 never closes their file
    # (ResourceWarning); pages, the bulk of the bytes, are compressed.
    COMPRESS_STREAMS = False
    COMPRESS_MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript",
                          "application/json", "image/svg+xml"]
    SEND_FILE_MAX_AGE_DEFAULT = 3600
    WTF_CSRF_TIME_LIMIT = None  # a learner on a slow link may keep a form open for hours
    # Shared state across processes and hosts: rate limits live in Redis when it is configured.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # Redis down: limit per process, never a 500
    # A Redis that stopped answering must cost a request a second at most, not a hang.
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_KEY_PREFIX = "hocvuso"
    # Reverse proxies in front of the app (load balancer, nginx): trust that many X-Forwarded-*.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    # The largest request body (the 2 MiB data CSV plus its form); nginx's client_max_body_size
    # in deploy/nginx/hocvuso.conf says the same (tests/ops/test_nginx.py compares them).
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024
    # Who may read /metrics: addresses or networks, comma-separated (after ProxyFix).
    METRICS_ALLOW = os.environ.get("METRICS_ALLOW", "127.0.0.0/8,::1/128")
    # "json": one JSON object per log line and one line per request; "text": Flask's lines.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    # Where the secret key is kept when SECRET_KEY is not in the environment (a 0600 file).
    SECRET_KEY_FILE = os.environ.get("SECRET_KEY_FILE", "")
    # Ed25519 keys that sign the certificates' credentials (default: instance/credential_keys).
    CREDENTIAL_KEYS_DIR = os.environ.get("CREDENTIAL_KEYS_DIR", "")
    # "EdDSA" (understood by every JOSE verifier) or "Ed25519" (RFC 9864's new name); both verify.
    CREDENTIAL_JWS_ALG = os.environ.get("CREDENTIAL_JWS_ALG", "EdDSA")
    # Rebuildable cache of certificate PDFs (default: instance/certificate_pdfs).
    CERTIFICATE_PDF_CACHE_DIR = os.environ.get("CERTIFICATE_PDF_CACHE_DIR", "")
    # Seconds between dashboard snapshot refreshes by a thread of the app itself (0: off). Only
    # for the embedded set-up (`make run` sets it); production runs `flask reports refresh`.
    REPORTS_REFRESH_SECONDS = float(os.environ.get("REPORTS_REFRESH_SECONDS", "0"))
    # Development is the default so that `make run` works with no settings at all.
    ENV_NAME = os.environ.get("APP_ENV", "development")
    # Outgoing mail (the password reset link): an SMTP server; with no MAIL_SERVER the message
    # is written to the log instead (development). MAIL_USE_TLS: STARTTLS before signing in.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "1") not in ("0", "false", "False", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Học vụ số <khong-tra-loi@hocvuso.vn>")
