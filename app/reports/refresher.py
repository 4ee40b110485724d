"""The dashboard's snapshot refresh as a job (the dashboard's "update now"), and on a timer.

The embedded set-up (`make run`) keeps the dashboard fresh without cron: a daemon thread
refreshes the snapshot every REPORTS_REFRESH_SECONDS. With REDIS_URL that thread only queues
the refresh job, so the RQ worker does the work, not the web processes. Off (0) by default and
in tests; production runs `flask reports refresh` on a systemd timer instead (docs/deploy.md).
"""

from __future__ import annotations

import threading
from datetime import timedelta

from flask import Flask

from app import jobs
from app.catalog import get_catalog
from app.columns import utcnow
from app.extensions import db

from . import snapshot

KIND = "reports_refresh"
TIMER = 0  # the owner of a job the timer queued: nobody (any admin sees a refresh job)


def start_refresh(province_code: int, owner_id: int) -> jobs.Job:
    """The refresh as a job, one at a time: while one is queued or running, asking again
    answers with that one. (Two started at once are still safe: refresh() locks the province.)"""
    return jobs.unfinished(KIND) or jobs.start(KIND, owner_id, {"province_code": province_code})


@jobs.task(KIND)
def _refresh_job(job: jobs.Job) -> dict:
    result = snapshot.refresh(get_catalog(), job.payload["province_code"])
    return {"learners": result.learners, "recomputed": result.recomputed,
            "seconds": result.seconds}


class SnapshotRefresher:
    def __init__(self, app: Flask, interval: float):
        self.app = app
        self.interval = interval
        self.stopped = threading.Event()
        self.runs = 0  # rounds done (refreshed, or queued on RQ), for the log and the test
        self.thread = threading.Thread(target=self._loop, name="reports-refresh", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout: float = 10) -> None:
        self.stopped.set()
        self.thread.join(timeout)

    def refresh_once(self) -> None:
        with self.app.app_context():
            try:
                if self.app.config.get("REDIS_URL"):
                    self._queue_refresh()
                else:
                    result = snapshot.refresh(self.app.extensions["catalog"],
                                              self.app.config["PROVINCE_CODE"])
                    self.app.logger.info("dashboard snapshot refreshed: %d learners, %.3f s",
                                         result.learners, result.seconds)
                self.runs += 1
            except Exception:  # a failed round (database away) must not end the thread
                db.session.rollback()
                self.app.logger.exception("dashboard snapshot refresh failed; next try in %s s",
                                          self.interval)
            finally:
                db.session.remove()

    def _queue_refresh(self) -> None:
        """Every gunicorn worker runs this thread: a refresh younger than half the interval
        (another worker's) is enough for all of them."""
        province = self.app.config["PROVINCE_CODE"]
        last = snapshot.last_refresh(province)
        if last is None or utcnow() - last.refreshed_at >= timedelta(seconds=self.interval / 2):
            start_refresh(province, TIMER)

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
