"""Content edits reach a running site without a restart, and a broken edit never takes it down.

Every CONTENT_RELOAD_SECONDS (0: never), the first request after the interval looks at the
content files' modification times; when they changed, the catalog is loaded anew. If the new
content has problems, the last good catalog keeps serving and the problems go to the log.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from flask import Flask

from .loader import ContentError, load_catalog


class CatalogReloader:
    def __init__(self, app: Flask):
        self.app = app
        self.root = Path(app.config["CONTENT_DIR"])
        self.interval = float(app.config.get("CONTENT_RELOAD_SECONDS", 0))
        self.lock = threading.Lock()
        self.checked_at = time.monotonic()
        self.stamp = self._stamp()
        self.last_problems: list[str] = []

    def _stamp(self) -> tuple:
        files = sorted(p for p in self.root.rglob("*") if p.is_file() and p.suffix in (".md", ".yaml"))
        return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)

    def due(self) -> bool:
        return self.interval > 0 and time.monotonic() - self.checked_at >= self.interval

    def reload(self, force: bool = False) -> bool:
        """Load the content again if it changed (or if forced); True when a new catalog serves."""
        if not self.lock.acquire(blocking=False):
            return False  # another thread is at it
        try:
            self.checked_at = time.monotonic()
            stamp = self._stamp()
            if stamp == self.stamp and not force:
                return False
            self.stamp = stamp
            try:
                catalog = load_catalog(self.root, self.app.config["PROVINCE_CODE"])
            except ContentError as exc:
                self.last_problems = [str(p) for p in exc.problems]
                self.app.logger.error("content reload refused, the last good catalog keeps "
                                      "serving:\n%s", exc)
                return False
            self.app.extensions["catalog"] = catalog
            if "caches" in self.app.extensions:  # pages rendered from the old one go
                self.app.extensions["caches"].bump("catalog")
            self.last_problems = []
            self.app.logger.info("content reloaded: %d courses", len(catalog.courses))
            return True
        finally:
            self.lock.release()


def init_app(app: Flask) -> None:
    reloader = CatalogReloader(app)
    app.extensions["catalog_reloader"] = reloader

    @app.before_request
    def _maybe_reload():
        if reloader.due():
            reloader.reload()
