"""The dashboard's "update now" is a job (app/reports/refresher.py): one at a time, in a thread
without Redis, on RQ with it; and with Redis the periodic refresher only queues it."""

import re
import secrets
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import jobs
from app.auth.services import register
from app.columns import utcnow
from app.extensions import db
from app.i18n import format_moment
from app.localities import communes
from app.reports import refresher, snapshot
from app.reports.models import ReportRefresh

from ..conftest import TEST_PASSWORD, Auth, csrf_token, follow_job


def _refreshed_hours_ago(app, hours: int) -> None:
    with app.app_context():
        db.session.execute(sa.update(ReportRefresh).values(
            refreshed_at=utcnow() - timedelta(hours=hours)))
        db.session.commit()


def _job(app, state: str, age: timedelta) -> str:
    with app.app_context():
        job = jobs.Job(id=secrets.token_hex(16), kind=refresher.KIND, owner_id=refresher.TIMER,
                       state=state, payload={"province_code": 38}, created_at=utcnow() - age)
        db.session.add(job)
        db.session.commit()
        return job.id


def test_the_update_button_runs_a_job_that_moves_the_dashboards_as_of(app, client, refreshed,
                                                                      admin):
    _refreshed_hours_ago(app, 3)
    before = client.get("/reports/").get_data(as_text=True)
    assert "(3 tiếng trước)" in before and "Cập nhật số liệu ngay" in before
    token = csrf_token(client, "/reports/")
    started = client.post("/reports/refresh", data={"csrf_token": token, "next": "/reports/"})
    assert started.status_code == 303 and "/reports/refresh/" in started.headers["Location"]
    done = follow_job(client, started).get_data(as_text=True)
    # conftest.py's 17 people and the admin, counted by the job
    assert re.search(r"Đã cập nhật số liệu: 18 người học, trong [\d,]+ giây", done)
    after = client.get("/reports/").get_data(as_text=True)
    with app.test_request_context():
        row = snapshot.last_refresh(38)
        assert utcnow() - row.refreshed_at < timedelta(minutes=1) and row.learners == 18
        shown = format_moment(row.refreshed_at)
    assert f"Số liệu tính lúc {shown}" in after and "3 tiếng trước" not in after


def test_one_refresh_at_a_time_and_its_page_refreshes_itself(app, client, refreshed, admin):
    running = _job(app, jobs.RUNNING, timedelta(seconds=5))
    token = csrf_token(client, "/reports/")
    again = client.post("/reports/refresh", data={"csrf_token": token, "next": "/reports/"})
    assert again.headers["Location"].startswith(f"/reports/refresh/{running}?")  # the one running
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in page  # no JavaScript needed
    assert "Đang tính lại số liệu của cả tỉnh" in page and ">Tải lại</a>" in page
    assert "Cập nhật số liệu ngay" not in page  # no second button on the job's own page
    with app.app_context():  # a refresh whose process died an hour ago blocks nothing
        db.session.execute(sa.update(jobs.Job).values(created_at=utcnow() - timedelta(hours=2)))
        db.session.commit()
    fresh = client.post("/reports/refresh", data={"csrf_token": token, "next": "/reports/"})
    assert running not in fresh.headers["Location"]
    assert "Đã cập nhật số liệu" in follow_job(client, fresh).get_data(as_text=True)


def _admin_on(rq_app):
    with rq_app.app_context():
        register(full_name="Quản Trị Hàng Đợi", login="qt-rq@tinh.example.vn", password=TEST_PASSWORD,
                 group_slug="nguoi-dan", province_code=38, commune_code=communes(38)[0][0],
                 role="admin", consent=True)
    client = rq_app.test_client()
    Auth(client).login("qt-rq@tinh.example.vn")
    return client


def _queued(rq_app) -> int:
    import redis

    return redis.Redis.from_url(rq_app.config["REDIS_URL"]).llen("rq:queue:hocvuso")


@pytest.mark.integration
def test_on_rq_the_worker_refreshes_and_the_page_shows_it(rq_app):
    client = _admin_on(rq_app)
    token = csrf_token(client, "/reports/")
    started = client.post("/reports/refresh", data={"csrf_token": token, "next": "/reports/"})
    second = client.post("/reports/refresh", data={"csrf_token": token, "next": "/reports/"})
    assert second.headers["Location"] == started.headers["Location"] and _queued(rq_app) == 1
    waiting = client.get(started.headers["Location"]).get_data(as_text=True)
    assert 'http-equiv="refresh"' in waiting
    with rq_app.app_context():
        assert snapshot.last_refresh(38) is None  # the web process did not do the work
    rq_app.burst()
    done = client.get(started.headers["Location"]).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in done and "Đã cập nhật số liệu: 1 người học" in done
    assert "Số liệu tính lúc" in client.get("/reports/").get_data(as_text=True)


@pytest.mark.integration
def test_with_redis_the_timer_only_queues_the_refresh_for_the_worker(rq_app):
    timer = refresher.SnapshotRefresher(rq_app, interval=600)  # its rounds called by hand here
    timer.refresh_once()
    timer.refresh_once()  # another gunicorn worker's timer: the queued one is enough
    assert _queued(rq_app) == 1
    with rq_app.app_context():
        assert snapshot.last_refresh(38) is None
    rq_app.burst()
    with rq_app.app_context():
        assert snapshot.last_refresh(38) is not None
        db.session.remove()
    timer.refresh_once()  # the figures are fresh: nothing queued
    assert _queued(rq_app) == 0
    _refreshed_hours_ago(rq_app, 1)
    timer.refresh_once()
    assert _queued(rq_app) == 1 and timer.runs == 4
