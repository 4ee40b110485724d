"""Long jobs off the request path: a roster import, a class's certificate ZIP, the dashboard's
snapshot refresh.

A request stores a Job row (its input included) and answers at once with a page that shows the
job's progress and refreshes itself until the result is there. The job runs on RQ when REDIS_URL
is set (`flask jobs worker`, which `make serve` starts beside gunicorn), else in a thread of the
process that started it (the embedded setup: one machine, no Redis). Progress and result live in
the database, so whichever worker answers the next refresh sees them.

A task is a function registered with @task("name"): task(job) -> result (JSON-able); it may call
progress(job, done, total) and set job.file (bytes to download, stored with the result). The Job
row is committed before the job is queued.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.orm import Mapped, mapped_column

from app.columns import UTCDateTime, utcnow
from app.extensions import db

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
KEEP = timedelta(days=1)  # finished or not, a job's row (its input, its result) goes after a day
TIMEOUT = timedelta(hours=1)  # RQ stops a job after this; an older unfinished one was lost
log = logging.getLogger(__name__)


class Job(db.Model):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)  # unguessable: in the URL
    kind: Mapped[str] = mapped_column(sa.String(40))
    # Who may see it (no foreign key: a job is gone within a day, and holds nothing of its owner).
    owner_id: Mapped[int] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(sa.String(10), default=QUEUED)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    payload: Mapped[dict | None] = mapped_column(sa.JSON)
    result: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A file the job made (a class's certificate ZIP): in the database, not instance/, so any
    # web process on any machine serves what a worker anywhere built; it goes with the row.
    # Deferred: the job's page, refreshed every 2 s, never reads it.
    file: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED)

    @property
    def percent(self) -> int:
        return 100 if self.state == DONE else (100 * self.done // self.total if self.total else 0)


_tasks: dict[str, Callable[[Job], dict]] = {}


def task(name: str):
    """Register `function(job) -> result` as the task `name`."""

    def register(function):
        _tasks[name] = function
        return function

    return register


def start(kind: str, owner_id: int, payload: dict, total: int = 0) -> Job:
    """Store a job and queue it (RQ, or a thread); the caller answers with its page at once."""
    if kind not in _tasks:
        raise KeyError(kind)
    db.session.execute(sa.delete(Job).where(Job.created_at < utcnow() - KEEP))
    job = Job(id=secrets.token_hex(16), kind=kind, owner_id=owner_id, payload=payload,
              total=total)
    db.session.add(job)
    db.session.commit()
    url = current_app.config.get("REDIS_URL")
    if url:
        _queue(url).enqueue("app.jobs.run", job.id, job_timeout=int(TIMEOUT.total_seconds()),
                            result_ttl=0)
    else:
        app = current_app._get_current_object()
        threading.Thread(target=_run_in_thread, args=(app, job.id), daemon=True,
                         name=f"job-{kind}").start()
    return job


def _queue(url: str):
    import redis  # only where a queue is used
    from rq import Queue

    return Queue("hocvuso", connection=redis.Redis.from_url(url))


def _run_in_thread(app, job_id: str) -> None:
    with app.app_context():
        try:
            run(job_id)
        except Exception:  # the database away, or the row gone: a thread has only the log to tell
            log.exception("job %s could not be run or recorded", job_id)


def progress(job: Job, done: int, total: int | None = None) -> None:
    """Record how far the job is, visible at once (its own short transaction, on the side)."""
    values = {"done": done} if total is None else {"done": done, "total": total}
    with db.engine.begin() as connection:
        connection.execute(sa.update(Job).where(Job.id == job.id).values(**values))


def run(job_id: str) -> None:
    """Run a stored job here (an RQ worker, or a thread): its task, then its result or failure."""
    try:
        job = db.session.get(Job, job_id)
        if job is None or job.state != QUEUED:
            return
        job.state = RUNNING
        db.session.commit()
        try:
            result = _tasks[job.kind](job)
        except Exception:  # any failure: the page says so; the log has the traceback
            log.exception("job %s (%s) failed", job.id, job.kind)
            db.session.rollback()
            job.state, job.result = FAILED, None
        else:
            job.state, job.result = DONE, result
        job.payload, job.finished_at = None, utcnow()
        db.session.commit()
    finally:
        db.session.remove()


def job_of(owner_id: int | None, job_id: str, kind: str) -> Job | None:
    """The job `job_id` of this kind, if `owner_id` owns it (None: whoever started it)."""
    job = db.session.get(Job, job_id)
    if job is None or job.kind != kind or owner_id is not None and job.owner_id != owner_id:
        return None
    return job


def unfinished(kind: str) -> Job | None:
    """The newest job of this kind still queued or running (younger than TIMEOUT: an older one
    died with its process and will never finish)."""
    return db.session.scalar(
        sa.select(Job).where(Job.kind == kind, Job.state.in_((QUEUED, RUNNING)),
                             Job.created_at > utcnow() - TIMEOUT)
        .order_by(Job.created_at.desc()).limit(1))


def file_size(job: Job) -> int:
    return db.session.scalar(sa.select(sa.func.length(Job.file)).where(Job.id == job.id)) or 0


def file_chunks(job: Job, length: int, size: int = 1 << 20) -> Iterator[bytes]:
    """The job's file (`length` bytes: file_size()) a slice at a time (a school's ZIP is tens
    of MB): a web worker streams it without holding it whole. Byte slices: substr() of a BLOB
    (SQLite) or bytea (PostgreSQL)."""
    for start in range(0, length, size):
        yield db.session.scalar(sa.select(sa.func.substr(Job.file, start + 1, size,
                                                         type_=sa.LargeBinary))
                                .where(Job.id == job.id))


def forget_result(job: Job, keep: dict | None = None) -> None:
    """Drop what a result must not keep once shown (one-time passwords): `keep` stays."""
    job.result = keep
    db.session.commit()


jobs_cli = AppGroup("jobs", help="Long jobs: the RQ worker.")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Run queued jobs (REDIS_URL). `make serve` starts one beside gunicorn."""
    import redis
    from rq import SimpleWorker

    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("REDIS_URL is not set: jobs run in the web process's threads.")
    connection = redis.Redis.from_url(url)
    # SimpleWorker: jobs run in this process, in this app context (no fork per job).
    SimpleWorker([_queue(url)], connection=connection).work(burst=burst)
