"""Where a form may send the visitor back to (app/urls.py), after tests that make apps of
their own: the shared rate limiter must still be the session's."""

from app.urls import local_target


def test_local_targets_only(app):
    with app.test_request_context():
        assert local_target("/courses/x") == "/courses/x"
        for bad in ("//evil.example", "/\\\\evil.example", "https://evil.example", "/a\\r\\nb", None):
            assert local_target(bad) == "/", bad
        assert local_target("/courses/x", prefix="/reports/") == "/"


def test_the_limiter_is_the_sessions_again_after_a_test_made_its_own_app(app, client, make_user,
                                                                         auth):
    make_user(login="gioi-han@example.vn")
    for _ in range(5):
        assert auth.login("gioi-han@example.vn", "sai").status_code == 400
    assert auth.login("gioi-han@example.vn", "sai").status_code == 429
