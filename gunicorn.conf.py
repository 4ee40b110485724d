"""gunicorn settings for `make serve` and production. Each can be overridden from the environment.

Sync-free threads: most of a request's time is spent waiting for the database or a slow
client, so a few processes with several threads each serve a small machine best.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("THREADS", "4"))
timeout = int(os.environ.get("TIMEOUT", "30"))  # a request taking longer than this is a bug
graceful_timeout = 20
keepalive = 5  # phones on slow links reuse the connection for the page's CSS and JS
max_requests = 5000  # recycle workers now and then, bounding any slow leak
max_requests_jitter = 500
preload_app = True  # load and render the catalog once; forked workers share those pages
accesslog = os.environ.get("ACCESS_LOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):
    # Connections opened in the master (none normally) must not be shared by forked workers.
    app = worker.app.wsgi()
    db = getattr(app, "extensions", {}).get("sqlalchemy")
    if db is not None:
        with app.app_context():
            db.engine.dispose(close=False)
