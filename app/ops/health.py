"""Readings for /metrics that belong to the whole site, not to a process (app/metrics.py)."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from flask import Flask, current_app

from app import metrics
from app.extensions import db
from app.reports.snapshot import last_refresh


def snapshot_age() -> float | None:
    """Seconds since the dashboard's snapshot was rebuilt (None: never)."""
    row = last_refresh(current_app.config["PROVINCE_CODE"])
    if row is None:
        return None
    refreshed = row.refreshed_at
    if refreshed.tzinfo is None:  # SQLite hands back naive UTC
        refreshed = refreshed.replace(tzinfo=timezone.utc)
    return (datetime.now(timezone.utc) - refreshed).total_seconds()


def _rq(app: Flask):
    """RQ's own keys in Redis (rq:queues, rq:queue:<name>, rq:failed:<name>): the job worker's
    queues are read without importing rq, whichever queues the app's jobs use."""
    client = app.extensions.get("ops_redis")
    if client is None:
        import redis  # only with REDIS_URL

        client = redis.Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=1,
                                      socket_timeout=1)
        app.extensions["ops_redis"] = client
    names = sorted(k.decode().removeprefix("rq:queue:") for k in client.smembers("rq:queues"))
    pipe = client.pipeline(transaction=False)
    for name in names:
        pipe.llen(f"rq:queue:{name}")
        pipe.zcard(f"rq:failed:{name}")
    answers = pipe.execute()
    return names, answers[0::2], answers[1::2]


def queued_jobs() -> dict | None:
    if not current_app.config.get("REDIS_URL"):
        return None
    names, queued, _failed = _rq(current_app)
    return {(name,): n for name, n in zip(names, queued)}


def failed_jobs() -> dict | None:
    if not current_app.config.get("REDIS_URL"):
        return None
    names, _queued, failed = _rq(current_app)
    return {(name,): n for name, n in zip(names, failed)}


def jobs_by_state() -> dict | None:
    """Jobs of the last day by state (queued, running, done, failed): the jobs table
    (app/jobs.py) holds every job, on RQ or in a thread, so this works with or without Redis."""
    table = db.metadata.tables.get("jobs")
    if table is None:
        return None
    rows = db.session.execute(sa.select(table.c.state, sa.func.count()).group_by(table.c.state))
    return {(state,): n for state, n in rows}


def init_app(app: Flask) -> None:
    metrics.add_reading(app, "hocvuso_report_snapshot_age_seconds",
                        "Seconds since the dashboard snapshot was refreshed.", snapshot_age)
    metrics.add_reading(app, "hocvuso_jobs", "Jobs kept (one day) by state: queued, running, "
                        "done, failed.", jobs_by_state, labels=("state",))
    metrics.add_reading(app, "hocvuso_rq_queue_depth", "Jobs waiting in each RQ queue (Redis).",
                        queued_jobs, labels=("queue",))
    metrics.add_reading(app, "hocvuso_rq_failed", "Jobs in each RQ queue's failed registry.",
                        failed_jobs, labels=("queue",))
