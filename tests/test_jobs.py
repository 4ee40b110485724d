"""Long jobs: on RQ when REDIS_URL is set (a worker runs them), else in a thread; the Job row
holds the progress and the result whichever process serves the page."""

import pytest
import sqlalchemy as sa

from app import jobs
from app.auth.models import User
from app.extensions import db
from app.teaching import services as teaching

from .conftest import TEST_PASSWORD, require_service


@pytest.mark.integration
def test_a_roster_import_queued_on_redis_is_run_by_the_worker(tmp_path, make_app):
    require_service("127.0.0.1", 6379, "Redis")
    import redis
    from flask_migrate import upgrade
    from rq import SimpleWorker

    from app.auth.services import register
    from app.localities import communes

    url = "redis://127.0.0.1:6379/13"
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/jobs.sqlite3", REDIS_URL=url,
                   PASSWORD_HASH_METHOD="scrypt:1024:8:1")
    with app.app_context():
        upgrade(revision="heads")
        teacher = register(full_name="Cô Lan", login="gv-rq@example.vn", password=TEST_PASSWORD,
                           group_slug="nguoi-dan", province_code=38,
                           commune_code=communes(38)[0][0], role="teacher", consent=True)
        classroom = teaching.create_class(teacher.id, "Lớp hàng đợi", "school")
        rows, problems = teaching.parse_roster("".join(
            f"Người Số {i},rq{i}@example.vn,nguoi-dan\n" for i in range(4)).encode(),
            app.extensions["catalog"])
        assert problems == []
        job = teaching.start_roster_import(classroom, rows, teacher)
        job_id = job.id
        assert db.session.get(jobs.Job, job_id).state == jobs.QUEUED  # nothing ran in-process
        connection = redis.Redis.from_url(url)
        try:
            SimpleWorker([jobs._queue(url)], connection=connection).work(burst=True)
        finally:
            connection.flushdb()
        db.session.expire_all()
        done = db.session.get(jobs.Job, job_id)
        assert done.state == jobs.DONE and (done.done, done.total) == (4, 4)
        assert len(done.result["created"]) == 4 and done.payload is None
        assert db.session.scalar(sa.select(sa.func.count(User.id)).where(
            User.email.like("rq%@example.vn"))) == 4
