"""Each group's learner sees their own programme first and can reach the confirmation
certificate "Xác nhận đạt phổ cập kỹ năng số" through the test client."""

import re

import pytest
import sqlalchemy as sa

from app.assessment.models import Attempt
from app.certificates.models import Certificate
from app.extensions import db

from ..conftest import answers_for

OWN_COURSE = {"nguoi-dan": "Công dân số", "can-bo": "Chuyển đổi số trong cơ quan nhà nước",
              "hoc-sinh": "Học sinh số", "doanh-nghiep": "Người lao động số"}


def take_confirmation(app, client, right: bool):
    """Take the confirmation one question per page, answering every question right (or
    wrong), until it is decided; the attempt's id and the result page."""
    for _step in range(61):
        page = client.get("/confirmation/take").get_data(as_text=True)
        attempt_id = int(re.search(r'action="/attempts/(\d+)"', page).group(1))
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        asked = answers_for(app, attempt_id, right, last_only=True)
        response = client.post(f"/attempts/{attempt_id}", data={"csrf_token": token, **asked})
        assert response.status_code == 302
        if "/attempts/" in response.headers["Location"]:
            return attempt_id, client.get(response.headers["Location"]).get_data(as_text=True)
    raise AssertionError("the confirmation asked more than 60 questions")


@pytest.mark.parametrize("group", list(OWN_COURSE))
def test_each_group_reaches_its_confirmation(app, client, make_user, auth, group):
    catalog = app.extensions["catalog"]
    user_id = make_user(group=group, login=f"{group}@example.vn")
    auth.login(f"{group}@example.vn")
    home = client.get("/").get_data(as_text=True)
    mine, others = home.split("Các khóa học khác")
    assert "Kỹ năng số cơ bản" in mine and OWN_COURSE[group] in mine
    assert all(title not in mine for g, title in OWN_COURSE.items() if g != group)
    assert "Xem bài đánh giá xác nhận" in mine

    assessment = catalog.assessment_for(group)
    page = client.get("/confirmation").get_data(as_text=True)
    n = len(assessment.parts)
    assert assessment.title in page
    assert f"ít nhất {assessment.rule.required(n)} trên {n} năng lực" in page  # the rule, told first

    _failed, result = take_confirmation(app, client, right=False)
    assert "Chưa đạt" in result
    attempt_id, result = take_confirmation(app, client, right=True)
    assert "Đạt:" in result and "Xem giấy xác nhận" in result
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        # All right: the test stops as soon as enough competences are shown, in a few
        # questions each (one, mostly).
        assert len(attempt.scores) == assessment.rule.required(n)
        assert attempt.total <= len(attempt.scores) + 4
        asked = [s.competence for s in attempt.scores]
        assert set(assessment.rule.must_master) <= set(asked)
        certificate = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == user_id))
        assert certificate.kind == "confirmation" and certificate.course_slug == assessment.slug
        code = certificate.code
    verify = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "Xác nhận đạt phổ cập kỹ năng số" in verify
    assert catalog.groups[group].name in verify


def test_a_confirmation_is_distinct_from_course_certificates_and_issued_once(app, client, make_user, auth):
    make_user(group="nguoi-dan", login="once@example.vn")
    auth.login("once@example.vn")
    take_confirmation(app, client, right=True)
    page = client.get("/confirmation").get_data(as_text=True)
    assert "Bạn đã được xác nhận đạt phổ cập kỹ năng số." in page
    take_confirmation(app, client, right=True)  # taking it again issues nothing new
    with app.app_context():
        kinds = db.session.scalars(sa.select(Certificate.kind)).all()
    assert kinds == ["confirmation"]


def test_required_courses_come_first_when_the_rule_says_so(app, client, make_user, auth, monkeypatch):
    from dataclasses import replace
    from types import MappingProxyType

    catalog = app.extensions["catalog"]
    strict = replace(catalog.assessment_for("can-bo"), requires=("ky-nang-so-co-ban",))
    monkeypatch.setitem(app.extensions, "catalog", replace(
        catalog, assessments=MappingProxyType({**catalog.assessments, strict.slug: strict})))
    make_user(group="can-bo", login="strict@example.vn")
    auth.login("strict@example.vn")
    page = client.get("/confirmation").get_data(as_text=True)
    assert "Trước khi làm bài, hãy hoàn thành:" in page and "Bắt đầu làm bài" not in page
    response = client.get("/confirmation/take")
    assert response.status_code == 302 and response.headers["Location"].endswith("/confirmation")
