"""/metrics in Prometheus's text format, for the operator's monitoring, never for the public.

Counters and histograms live in this module (one set per process). Under gunicorn with
PROMETHEUS_MULTIPROC_DIR set (deploy/systemd/hocvuso-web.service), prometheus-client keeps
them in files there and the page sums every worker's; gunicorn.conf.py empties the folder at
start and marks dead workers. Facts that belong to the whole site rather than a process (the
snapshot's age, the job queues) are read when the page is asked for, by functions a higher
package hands in with `add_reading` (app/ops/health.py), so this module imports no app package.

Only addresses in METRICS_ALLOW (default: loopback) get the page; anyone else gets a 404.
Behind nginx with PROXY_COUNT set, the address is the client's (ProxyFix ran first).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import time
from collections.abc import Callable

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge,
                               Histogram, generate_latest, multiprocess)
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter("hocvuso_http_requests_total", "Requests answered, by endpoint and status.",
                   ["endpoint", "method", "status"])
LATENCY = Histogram("hocvuso_http_request_duration_seconds", "Time to answer a request.",
                    ["endpoint"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
POOL_IN_USE = Gauge("hocvuso_db_pool_connections_in_use",
                    "Database connections checked out of the pool (summed over processes).",
                    multiprocess_mode="livesum")
POOL_OPEN = Gauge("hocvuso_db_pool_connections_open",
                  "Database connections the pool holds open (summed over processes).",
                  multiprocess_mode="livesum")
CACHE = Counter("hocvuso_cache_lookups_total", "Cache lookups, by cache and result (hit/miss).",
                ["cache", "result"])
LIMITER_FALLBACKS = Counter("hocvuso_rate_limit_fallbacks_total",
                            "Times the rate limiter lost Redis and counted in process memory.")
LIMITER_IN_MEMORY = Gauge("hocvuso_rate_limit_in_memory",
                          "1 while a process counts rate limits in its memory (Redis away).",
                          multiprocess_mode="livemax")

DEFAULT_ALLOW = "127.0.0.0/8,::1/128"


def count_cache(cache: str, hit: bool) -> None:
    """For any cache in the app: one lookup, found (hit) or rebuilt (miss)."""
    CACHE.labels(cache, "hit" if hit else "miss").inc()


def add_reading(app: Flask, name: str, documentation: str,
                read: Callable[[], float | dict[tuple[str, ...], float] | None],
                labels: tuple[str, ...] = ()) -> None:
    """A gauge read when /metrics is asked for, inside the app context: `read` returns a
    number, a {label values: number} dict for `labels`, or None when the fact is unknown."""
    app.extensions.setdefault("metrics_readings", []).append((name, documentation, labels, read))


class _Readings:
    """The readings handed in by `add_reading`, as a prometheus-client collector."""

    def __init__(self, readings):
        self.readings = readings

    def collect(self):
        for name, documentation, labels, read in self.readings:
            try:
                value = read()
            except Exception:  # noqa: BLE001 - a broken reading must not hide every other metric
                current_app.logger.exception("metrics: reading %s failed", name)
                db = current_app.extensions.get("sqlalchemy")
                if db is not None:
                    db.session.rollback()  # the next reading starts from a clean session
                continue
            family = GaugeMetricFamily(name, documentation, labels=list(labels))
            if isinstance(value, dict):
                for label_values, number in value.items():
                    family.add_metric(list(label_values), number)
            elif value is not None:
                family.add_metric([], value)
            yield family


def _allowed_networks(app: Flask) -> list:
    text = app.config.get("METRICS_ALLOW") or DEFAULT_ALLOW
    try:
        return [ipaddress.ip_network(part.strip(), strict=False)
                for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise RuntimeError(f"METRICS_ALLOW is not a list of addresses or networks: {error}") from error


def _address_allowed(networks) -> bool:
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in networks)


def _pool_gauges() -> None:
    db = current_app.extensions.get("sqlalchemy")
    pool = getattr(getattr(db, "engine", None), "pool", None) if db is not None else None
    checkedout = getattr(pool, "checkedout", None)
    if checkedout is None:
        return  # SQLite's pool in tests, or no engine yet
    POOL_IN_USE.set(checkedout())
    POOL_OPEN.set(checkedout() + pool.checkedin())


def metrics_page():
    if not _address_allowed(current_app.extensions["metrics_allow"]):
        abort(404)  # the page is not there for the public: no hint that it exists
    _pool_gauges()
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (REQUESTS, LATENCY, POOL_IN_USE, POOL_OPEN, CACHE, LIMITER_FALLBACKS,
                          LIMITER_IN_MEMORY):
            registry.register(collector)
    registry.register(_Readings(current_app.extensions.get("metrics_readings", [])))
    response = Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


class _CountFallbacks(logging.Handler):
    """Flask-Limiter announces the switch to memory only in its log: count those lines."""

    def emit(self, record):
        if "falling back to in-memory" in record.getMessage():
            LIMITER_FALLBACKS.inc()


def init_app(app: Flask) -> None:
    app.extensions["metrics_allow"] = _allowed_networks(app)
    app.add_url_rule("/metrics", "metrics", metrics_page)
    limiter_log = logging.getLogger("flask-limiter")
    if not any(isinstance(h, _CountFallbacks) for h in limiter_log.handlers):
        limiter_log.addHandler(_CountFallbacks())

    def _start_clock():
        g.metrics_started = time.perf_counter()

    # First of all: a request refused by an earlier hook (CSRF, a rate limit) is counted too.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_clock)

    @app.after_request
    def _count(response):
        started = g.pop("metrics_started", None)
        if started is not None:
            endpoint = request.endpoint or "none"  # a 404 has no endpoint: one series for all
            REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
            LATENCY.labels(endpoint).observe(time.perf_counter() - started)
            dead = any(getattr(limiter, "_storage_dead", False)
                       for limiter in app.extensions.get("limiter", ()))
            LIMITER_IN_MEMORY.set(1 if dead else 0)
            _pool_gauges()
        return response
