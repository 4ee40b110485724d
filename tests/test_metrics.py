"""/metrics: Prometheus text for the operator's addresses only (METRICS_ALLOW, after ProxyFix)."""

from prometheus_client.parser import text_string_to_metric_families

from app import metrics


def _samples(text: str) -> dict:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_metrics_answer_loopback_with_requests_latency_and_readings(app, client):
    assert client.get("/healthz").status_code == 200
    metrics.count_cache("test-cache", hit=True)
    metrics.count_cache("test-cache", hit=False)
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert response.headers["Cache-Control"] == "no-store"
    samples = _samples(response.get_data(as_text=True))
    ok = (("endpoint", "main.healthz"), ("method", "GET"), ("status", "200"))
    assert samples[("hocvuso_http_requests_total", ok)] >= 1
    assert samples[("hocvuso_http_request_duration_seconds_count",
                    (("endpoint", "main.healthz"),))] >= 1
    assert samples[("hocvuso_cache_lookups_total", (("cache", "test-cache"), ("result", "hit")))] >= 1
    assert samples[("hocvuso_cache_lookups_total", (("cache", "test-cache"), ("result", "miss")))] >= 1
    assert ("hocvuso_rate_limit_fallbacks_total", ()) in samples
    assert samples[("hocvuso_rate_limit_in_memory", ())] == 0
    assert ("hocvuso_db_pool_connections_in_use", ()) in samples


def test_snapshot_age_is_read_when_asked(app, client, app_ctx):
    from app.catalog import get_catalog
    from app.reports import snapshot

    before = _samples(client.get("/metrics").get_data(as_text=True))
    assert ("hocvuso_report_snapshot_age_seconds", ()) not in before  # never refreshed: no value
    snapshot.refresh(get_catalog(), 38)
    samples = _samples(client.get("/metrics").get_data(as_text=True))
    assert 0 <= samples[("hocvuso_report_snapshot_age_seconds", ())] < 600


def test_metrics_are_not_there_for_another_address(client):
    for address in ("203.0.113.9", "10.0.0.7", "::ffff:8.8.8.8", "not-an-address"):
        response = client.get("/metrics", environ_base={"REMOTE_ADDR": address})
        assert response.status_code == 404, address
        assert "hocvuso_http" not in response.get_data(as_text=True)


def test_metrics_allow_names_the_monitoring_network(make_app):
    app = make_app(SQLALCHEMY_DATABASE_URI="sqlite://", METRICS_ALLOW="10.0.0.0/8, 192.0.2.5")
    client = app.test_client()
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.20.30.40"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.5"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.6"}).status_code == 404
    assert client.get("/metrics").status_code == 404  # loopback is no longer in the list


def test_behind_a_proxy_the_client_address_decides(make_app):
    app = make_app(SQLALCHEMY_DATABASE_URI="sqlite://", PROXY_COUNT=1)
    client = app.test_client()
    # nginx on loopback forwards a visitor from outside: the visitor's address is what counts.
    outside = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.4"}
    assert client.get("/metrics", environ_base=outside).status_code == 404
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 200


def test_job_queue_depth_and_failures_are_read_from_redis(make_app):
    """RQ's keys, as RQ writes them: a queue with two waiting jobs and one failed."""
    import redis

    from tests.conftest import require_service

    require_service("127.0.0.1", 6379, "Redis")
    url = "redis://127.0.0.1:6379/14"
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        client.sadd("rq:queues", "rq:queue:imports")
        client.rpush("rq:queue:imports", "job-1", "job-2")
        client.zadd("rq:failed:imports", {"job-0": 1})
        app = make_app(SQLALCHEMY_DATABASE_URI="sqlite://", REDIS_URL=url)
        samples = _samples(app.test_client().get("/metrics").get_data(as_text=True))
        assert samples[("hocvuso_rq_queue_depth", (("queue", "imports"),))] == 2
        assert samples[("hocvuso_rq_failed", (("queue", "imports"),))] == 1
    finally:
        client.flushdb()
        client.close()


def test_a_request_refused_before_the_view_is_counted(client):
    def refused():
        text = client.get("/metrics").get_data(as_text=True)
        return _samples(text).get(("hocvuso_http_requests_total",
                                   (("endpoint", "auth.login"), ("method", "POST"),
                                    ("status", "400"))), 0)

    before = refused()
    client.post("/auth/login", data={"login": "x", "password": "y"})  # no CSRF token
    assert refused() == before + 1
