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
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    CONTENT_DIR = os.environ.get("CONTENT_DIR", str(ROOT / "content"))
    PROVINCE_CODE = int(os.environ.get("PROVINCE_CODE", "38"))
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
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
    # Development is the default so that `make run` works with no settings at all.
    ENV_NAME = os.environ.get("APP_ENV", "development")
