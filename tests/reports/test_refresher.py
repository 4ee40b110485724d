"""The embedded set-up refreshes the dashboard's snapshot by itself (REPORTS_REFRESH_SECONDS)."""

import time

from app.extensions import db
from app.reports import snapshot


def _wait_for(predicate, seconds: float = 20) -> bool:
    """Poll (never assert a duration): True once predicate() holds, False after `seconds`."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_off_unless_configured(app):
    assert "reports_refresher" not in app.extensions  # tests and production: no thread


def test_a_new_learner_appears_on_the_dashboard_without_a_restart(app, make_app, make_user):
    embedded = make_app(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                        PASSWORD_HASH_METHOD="scrypt:1024:8:1", REPORTS_REFRESH_SECONDS=0.1)
    refresher = embedded.extensions["reports_refresher"]
    try:
        def learners() -> int | None:
            with app.app_context():
                state = snapshot.last_refresh(38)
                found = state.learners if state else None
                db.session.remove()
                return found

        assert _wait_for(lambda: learners() == 0)  # the thread took a first snapshot
        make_user()  # a learner registers after the app started
        assert _wait_for(lambda: learners() == 1)
        assert refresher.runs >= 2
    finally:
        refresher.stop()
    assert not refresher.thread.is_alive()
