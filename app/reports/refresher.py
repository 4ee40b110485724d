"""The embedded set-up (`make run`) keeps the dashboard fresh without cron: a daemon thread
refreshes the snapshot every REPORTS_REFRESH_SECONDS. Off (0) by default and in tests, and in
production, where `flask reports refresh` runs on a schedule (README) — several gunicorn
workers would otherwise each refresh on their own.
"""

from __future__ import annotations

import threading

from flask import Flask

from app.extensions import db

from . import snapshot


class SnapshotRefresher:
    def __init__(self, app: Flask, interval: float):
        self.app = app
        self.interval = interval
        self.stopped = threading.Event()
        self.runs = 0  # refreshes done, for the log and the test
        self.thread = threading.Thread(target=self._loop, name="reports-refresh", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout: float = 10) -> None:
        self.stopped.set()
        self.thread.join(timeout)

    def refresh_once(self) -> None:
        with self.app.app_context():
            try:
                result = snapshot.refresh(self.app.extensions["catalog"],
                                          self.app.config["PROVINCE_CODE"])
                self.runs += 1
                self.app.logger.info("dashboard snapshot refreshed: %d learners, %.3f s",
                                     result.learners, result.seconds)
            except Exception:  # a failed round (database away) must not end the thread
                db.session.rollback()
                self.app.logger.exception("dashboard snapshot refresh failed; next try in %s s",
                                          self.interval)
            finally:
                db.session.remove()

    def _loop(self) -> None:
        while not self.stopped.wait(self.interval):
            self.refresh_once()


def init_app(app: Flask) -> SnapshotRefresher | None:
    """Start the thread when REPORTS_REFRESH_SECONDS > 0 (the app factory calls this)."""
    interval = float(app.config.get("REPORTS_REFRESH_SECONDS") or 0)
    if interval <= 0:
        return None
    refresher = SnapshotRefresher(app, interval)
    app.extensions["reports_refresher"] = refresher
    refresher.start()
    return refresher
