"""One truth on the ambassador's page and the dashboard: the first is live and says so, the
second is the snapshot and says as of when; after a revocation they differ until the snapshot
catches up, then agree."""

import html
import re

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.certificates import services as certificates
from app.certificates.models import Certificate
from app.extensions import db
from app.localities import communes
from app.reports import snapshot

from ..conftest import Auth, answers_for, csrf_token

MOMENT = r"\d{1,2}/\d{1,2}/\d{4} \d{2}:\d{2}"  # the site's format (app/i18n.py: format_moment)


@pytest.fixture
def ambassador(make_user, auth):
    user_id = make_user(role="ambassador", login="dai.su@example.vn", full_name="Đại Sứ Hải")
    auth.login("dai.su@example.vn")
    return user_id


def _register(client) -> int:
    token = csrf_token(client, "/ambassador/register")
    client.post("/ambassador/register", data={
        "csrf_token": token, "full_name": "Bà Lò Thị Xuân", "phone": "", "group_slug": "nguoi-dan",
        "commune_code": communes(38)[0][0], "village": "", "unit_id": 0})
    return db.session.scalar(sa.select(User.id).where(User.full_name == "Bà Lò Thị Xuân"))


def _supervise_and_pass(app, client, citizen_id: int):
    """Open the supervised confirmation and answer it right until it is decided."""
    start = client.post(f"/ambassador/people/{citizen_id}/session",
                        data={"csrf_token": csrf_token(client, "/ambassador/")})
    match = re.search(r"/ambassador/session/(\d+)$", start.headers["Location"])
    assert match, start.headers["Location"]  # a session opened, not a refusal
    attempt_id = int(match.group(1))
    for _step in range(61):
        form = answers_for(app, attempt_id, right=True, last_only=True)
        form["csrf_token"] = csrf_token(client, f"/ambassador/session/{attempt_id}")
        response = client.post(f"/ambassador/session/{attempt_id}", data=form)
        if response.headers["Location"].endswith("/result"):
            return client.get(response.headers["Location"]).get_data(as_text=True)
    raise AssertionError("the supervised confirmation asked more than 60 questions")


def _live_confirmed(client) -> int:
    page = html.unescape(client.get("/ambassador/").get_data(as_text=True))
    assert re.search(rf"Số liệu trực tiếp, lúc {MOMENT}", page)
    return int(re.search(r'<p class="h3">(\d+)</p><p class="meta">người bạn giúp đã đạt xác nhận',
                         page).group(1))


def _dashboard_confirmed(leader) -> int:
    page = html.unescape(leader.get("/reports/ambassadors?period=all").get_data(as_text=True))
    assert re.search(rf"Số liệu tính lúc {MOMENT} \(.+ trước\), không phải trực tiếp", page)
    row = re.search(r'<th scope="row">Đại Sứ Hải.*?</th><td>[^<]*</td>\s*<td class="num">(\d+)</td>',
                    page, re.S)
    return int(row.group(1))


def test_live_and_as_of_say_so_and_agree_once_the_snapshot_catches_up(
        app, client, ambassador, make_user):
    admin = make_user(role="admin", login="lanh.dao@example.vn")
    leader = app.test_client()
    Auth(leader).login("lanh.dao@example.vn")
    with app.app_context():
        citizen_id = _register(client)
    _supervise_and_pass(app, client, citizen_id)
    with app.app_context():
        snapshot.refresh(app.extensions["catalog"], 38)
    assert _live_confirmed(client) == 1 == _dashboard_confirmed(leader)

    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate).where(Certificate.kind == "confirmation"))
        certificates.revoke(certificate, "Làm bài hộ", admin)
    assert _live_confirmed(client) == 0  # live: at once
    assert _dashboard_confirmed(leader) == 1  # as of the snapshot, which says when it was taken
    with app.app_context():
        snapshot.refresh(app.extensions["catalog"], 38)
    assert _live_confirmed(client) == 0 == _dashboard_confirmed(leader)

    # The revoked citizen may retake it, supervised again (the rules allow: no valid one).
    result = _supervise_and_pass(app, client, citizen_id)
    assert "Bà Lò Thị Xuân đã được xác nhận đạt phổ cập kỹ năng số." in result
    assert _live_confirmed(client) == 1
