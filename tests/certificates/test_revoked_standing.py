"""A revoked confirmation is shown as revoked everywhere (home, /confirmation), with the
reason, and the retake is offered where the rules allow: passing again earns a new one, while
the revoked one still verifies as revoked."""

import html
from dataclasses import replace
from types import MappingProxyType
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.auth.models import User
from app.certificates import services
from app.certificates.models import Certificate
from app.extensions import db

from ..assessment.test_confirmation import take_confirmation

CONFIRMED = "Bạn đã được xác nhận đạt phổ cập kỹ năng số."
REVOKED = "Giấy xác nhận đạt phổ cập kỹ năng số của bạn đã bị thu hồi ngày"
REASON = "Người khác làm bài hộ"


def _revoke(app, admin_id) -> Certificate:
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate).where(
            Certificate.kind == "confirmation"))
        services.revoke(certificate, REASON, admin_id)
        db.session.expunge(certificate)
        return certificate


def _text(client, url) -> str:
    return html.unescape(client.get(url).get_data(as_text=True))


def test_home_and_confirmation_say_revoked_with_the_reason_and_offer_the_retake(
        app, client, make_user, auth):
    admin = make_user(role="admin", login="quan.tri@example.vn")
    make_user(group="nguoi-dan", login="thu.hoi@example.vn")
    auth.login("thu.hoi@example.vn")
    take_confirmation(app, client, right=True)
    for url in ("/", "/confirmation"):
        assert CONFIRMED in _text(client, url)
    revoked = _revoke(app, admin)
    local = revoked.revoked_at.astimezone(ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"]))
    day = f"{local.day}/{local.month}/{local.year}"  # the site's date format
    for url in ("/", "/confirmation"):
        page = _text(client, url)
        assert CONFIRMED not in page, url
        assert f"{REVOKED} {day}" in page and f"Lý do: {REASON}" in page, url
        assert 'href="/confirmation/take">Làm lại bài xác nhận</a>' in page, url
        assert f'href="/certificates/{revoked.code}">Xem giấy đã thu hồi' in page, url
    assert "đã thu hồi" in _text(client, "/certificates/")  # what that page already said

    _attempt, result = take_confirmation(app, client, right=True)  # the retake, offered
    with app.app_context():
        held = db.session.scalars(sa.select(Certificate).where(Certificate.kind == "confirmation")
                                  .order_by(Certificate.id)).all()
        assert [c.revoked for c in held] == [True, False]  # a new one beside the revoked one
        new_code = held[1].code
    for url in ("/", "/confirmation"):
        page = _text(client, url)
        assert CONFIRMED in page and REVOKED not in page and new_code in page, url
    assert "thu hồi" in _text(client, f"/verify/{revoked.code}").lower()  # still verifiable


def test_no_retake_button_while_the_required_courses_are_missing(app, client, make_user, auth,
                                                                 monkeypatch):
    admin = make_user(role="admin", login="quan.tri@example.vn")
    user_id = make_user(group="nguoi-dan", login="thieu.khoa@example.vn")
    auth.login("thieu.khoa@example.vn")
    take_confirmation(app, client, right=True)
    _revoke(app, admin)
    # The content now asks for a course first (as content/assessments/*.yaml may).
    catalog = app.extensions["catalog"]
    strict = replace(catalog.assessment_for("nguoi-dan"), requires=("cong-dan-so",))
    monkeypatch.setitem(app.extensions, "catalog", replace(
        catalog, assessments=MappingProxyType({**catalog.assessments, strict.slug: strict})))
    page = _text(client, "/confirmation")
    assert REVOKED in page and "Trước khi làm bài, hãy hoàn thành:" in page
    assert "Làm lại bài xác nhận" not in page
    page = _text(client, "/")
    assert REVOKED in page and "Làm lại bài xác nhận" not in page
    assert "Bạn làm được bài xác nhận sau khi học xong" in page
    with app.app_context():
        assert db.session.get(User, user_id) is not None
