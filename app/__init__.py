"""Học vụ số: the application factory."""

from __future__ import annotations

import logging
import os
import secrets

import sqlalchemy as sa
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from . import assets, caching, errors, i18n, jobs, logs, metrics, security, transactions
from .ambassadors import models as _ambassador_models  # noqa: F401  (register tables)
from .ambassadors.routes import bp as ambassadors_bp
from .assessment import models as _assessment_models  # noqa: F401
from .assessment.cli import assessment_cli
from .assessment.routes import bp as assessment_bp
from .audit import models as _audit_models  # noqa: F401
from .auth import access
from .auth import models as _auth_models  # noqa: F401
from .auth.cli import users_cli
from .auth.routes import bp as auth_bp
from .catalog import load_catalog
from .catalog import reload as catalog_reload
from .certificates import models as _certificate_models  # noqa: F401
from .certificates.cli import credentials_cli
from .certificates.routes import bp as certificates_bp
from .config import Config
from .courses import models as _course_models  # noqa: F401
from .courses.routes import bp as courses_bp
from .demo import demo_cli
from .extensions import compress, csrf, db, limiter, login_manager, migrate
from .main.routes import bp as main_bp
from .offline import models as _offline_models  # noqa: F401
from .offline.routes import bp as offline_bp
from .privacy.routes import bp as privacy_bp
from .reports import models as _report_models  # noqa: F401
from .ops import health as ops_health
from .ops.cli import ops_cli
from .reports.cli import reports_cli
from .reports.refresher import init_app as start_snapshot_refresher
from .reports.routes import bp as reports_bp
from .teaching import models as _teaching_models  # noqa: F401
from .teaching.routes import bp as teaching_bp
from .units import models as _unit_models  # noqa: F401


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(Config)
    if test_config:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    _secret_key(app)

    # Refuse to start on broken content: ContentError lists every problem as path:line.
    app.extensions["catalog"] = load_catalog(app.config["CONTENT_DIR"],
                                             app.config["PROVINCE_CODE"])
    catalog_reload.init_app(app)  # later edits: reloaded, and a broken one never serves

    _engine_options(app)
    db.init_app(app)
    caching.init_app(app)  # the signed-in user, pages, grids (app/caching.py)
    # render_as_batch: SQLite cannot ALTER most things, so Alembic rebuilds the table there.
    migrate.init_app(app, db, directory=os.path.join(app.root_path, os.pardir, "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    compress.init_app(app)
    limiter.init_app(app)
    _rate_limit_warnings(app)
    _limits_checked_where_declared(app)
    assets.init_app(app)
    _behind_proxies(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    logs.init_app(app)  # request ids, LOG_FORMAT=json, phones and emails masked
    metrics.init_app(app)  # /metrics for METRICS_ALLOW only
    ops_health.init_app(app)  # its site-wide readings: snapshot age, job queues
    errors.init_app(app)
    security.init_app(app)
    access.init_app(app)  # templates ask `current_user is allowed('teacher')`
    _sqlite_pragmas(app)
    _reads_without_transactions(app)

    _bounded_ids(app)
    for bp in (main_bp, auth_bp, courses_bp, assessment_bp, certificates_bp, teaching_bp,
               reports_bp, ambassadors_bp, privacy_bp, offline_bp):
        app.register_blueprint(bp)

    # Every app command is added here; only `flask content` is an entry point (pyproject.toml).
    for command in (demo_cli, assessment_cli, credentials_cli, users_cli, reports_cli, ops_cli,
                    jobs.jobs_cli):
        app.cli.add_command(command)
    start_snapshot_refresher(app)  # only where REPORTS_REFRESH_SECONDS is set (`make run`)
    return app


def _secret_key(app: Flask) -> None:
    """Development gets a key kept in the instance folder; anywhere else it must be set."""
    if app.config.get("SECRET_KEY"):
        return
    if app.config.get("SECRET_KEY_FILE"):  # production: a 0600 file (docs/deploy.md), restorable
        with open(app.config["SECRET_KEY_FILE"]) as f:
            app.config["SECRET_KEY"] = f.read().strip()
        return
    if app.config["ENV_NAME"] != "development" and not app.testing:
        raise RuntimeError("SECRET_KEY must be set outside development (APP_ENV).")
    path = os.path.join(app.instance_path, "secret_key")
    if not os.path.exists(path):
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
            f.write(secrets.token_hex(32))
    with open(path) as f:
        app.config["SECRET_KEY"] = f.read().strip()


def _engine_options(app: Flask) -> None:
    """PostgreSQL: give up connecting after a few seconds (a dropped network would otherwise
    hold a worker thread for minutes); the visitor gets the 503 page with Retry-After."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options["connect_args"] = {"connect_timeout": 5, **options.get("connect_args", {})}
        options.setdefault("isolation_level", "AUTOCOMMIT")  # app/transactions.py opens them
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _reads_without_transactions(app: Flask) -> None:
    """PostgreSQL: a page that only reads sends no BEGIN/ROLLBACK (app/transactions.py)."""
    if app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("isolation_level") != "AUTOCOMMIT":
        return
    with app.app_context():
        transactions.init_engine(db.engine)


def _bounded_ids(app: Flask) -> None:
    """<int:…> in URLs stops at the database's integer range: /attempts/99999999999 is a 404,
    not an 'integer out of range' error from PostgreSQL."""
    class DatabaseId(IntegerConverter):
        def to_python(self, value: str) -> int:
            number = super().to_python(value)
            # No row has id 0: an id past the range finds nothing, and the view says 404.
            return number if number <= 2**31 - 1 else 0

    app.url_map.converters["int"] = DatabaseId


def _rate_limit_warnings(app: Flask) -> None:
    """Flask-Limiter says "storage unreachable - falling back to in-memory storage" once when
    Redis goes away, but to a logger of its own with a NullHandler: nobody would see that the
    per-account limit just became per process. Send it where the app's own warnings go."""
    class ToAppLog(logging.Handler):
        def emit(self, record):
            logging.getLogger(app.import_name).handle(record)

    limiter_log = logging.getLogger("flask-limiter")
    if not any(type(h).__name__ == "ToAppLog" for h in limiter_log.handlers):
        limiter_log.addHandler(ToAppLog())
        limiter_log.propagate = False  # the app's logger passes it on: once, not twice


def _limits_checked_where_declared(app: Flask) -> None:
    """Flask-Limiter looks for limits that cover the whole app (default, application-wide,
    per blueprint, meta) in a hook before every request: 0.1 ms each. The platform declares
    none of those, only limits on the views that need them (sign-in, password reset, an
    ambassador's presence), which their own decorators check; the hook found nothing to do on
    any request. It stays while any app-wide limit is configured (RATELIMIT_DEFAULT …)."""
    manager = limiter.limit_manager  # no setting for this in Flask-Limiter 4.1: its own attributes
    if (manager.default_limits or manager.application_limits or limiter._meta_limits
            or manager._blueprint_limits):
        return
    app.before_request_funcs[None].remove(limiter._check_request_limit)


def _behind_proxies(app: Flask) -> None:
    """Behind a load balancer, the client's address (for rate limits) is in X-Forwarded-For."""
    count = app.config["PROXY_COUNT"]
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def _sqlite_pragmas(app: Flask) -> None:
    """SQLite: enforce foreign keys, and let writers wait instead of failing at once."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return

    with app.app_context():
        engine = db.engine

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
