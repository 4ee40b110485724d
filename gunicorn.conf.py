"""gunicorn settings for `make serve` and production. Each can be overridden from the environment.

Sync-free threads: most of a request's time is spent waiting for the database or a slow
client, so a few processes with several threads each serve a small machine best.
"""

import gc
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("THREADS", "4"))
timeout = int(os.environ.get("TIMEOUT", "30"))  # a request taking longer than this is a bug
graceful_timeout = 20
keepalive = 5  # phones on slow links reuse the connection for the page's CSS and JS
max_requests = int(os.environ.get("MAX_REQUESTS", "5000"))  # recycle now and then (0: never)
max_requests_jitter = 500
preload_app = True  # load and render the catalog once; forked workers share those pages
# LOG_FORMAT=json: the app writes one JSON line per request itself (app/logs.py).
accesslog = None if os.environ.get("LOG_FORMAT") == "json" else os.environ.get("ACCESS_LOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# /metrics summed over workers (app/metrics.py): prometheus-client keeps each process's values in
# files here. Emptied now, before the app is loaded in the master; dead workers marked below.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _metrics_dir:
    os.makedirs(_metrics_dir, mode=0o700, exist_ok=True)
    for _name in os.listdir(_metrics_dir):
        if _name.endswith(".db"):
            os.remove(os.path.join(_metrics_dir, _name))


def child_exit(server, worker):
    if _metrics_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


# Copy-on-write: the master's objects stay shared with the workers only if nothing writes to
# them. A collection in a worker writes the GC header of every object it visits, so the master
# collects nothing while it loads (no freed holes between the catalog's objects), freezes them
# all just before each fork (the workers' collections skip them), and the worker collects again.
gc.disable()


def pre_fork(server, worker):
    if server.cfg.preload_app and not getattr(server, "warmed", False):  # before the first fork
        _warm(server.app.wsgi())
        server.warmed = True
    gc.freeze()


def _warm(app):
    """Build in the master what each worker would otherwise build at its first requests, in
    memory of its own (about 6 MiB a worker after the load of bench/load.py): every template
    compiled, the translations parsed, the ORM mappers configured."""
    import jinja2
    import sqlalchemy.orm
    from flask_babel import force_locale, get_translations

    for name in app.jinja_env.list_templates():
        try:
            app.jinja_env.get_template(name)
        except jinja2.TemplateError:  # not a page (a file served as it is): compiled by no one
            continue
    sqlalchemy.orm.configure_mappers()
    if "babel" in app.extensions:  # not in bench/ceiling.py's bare app
        with app.test_request_context("/"):
            for locale in app.config["LANGUAGES"]:
                with force_locale(locale):
                    get_translations()


def post_fork(server, worker):
    gc.enable()
    _few_malloc_arenas()
    # Connections opened in the master (none normally) must not be shared by forked workers.
    app = worker.app.wsgi()
    db = getattr(app, "extensions", {}).get("sqlalchemy")
    if db is not None:
        with app.app_context():
            db.engine.dispose(close=False)


def _few_malloc_arenas():
    """glibc gives each thread an arena of its own (up to 8 a core): with 4 threads a worker
    keeps four half-empty heaps of private memory. Two are enough for 4 threads mostly waiting."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if name:
        try:
            ctypes.CDLL(name).mallopt(-8, 2)  # M_ARENA_MAX
        except (OSError, AttributeError):  # not glibc: nothing to tune
            pass
