"""The class page on a phone: import errors first, one grid column at a time, the ZIP link only
when there is a certificate, and every id once (each label points at its own field)."""

import io
import re
from collections import Counter

from app.certificates.models import Certificate
from app.extensions import db
from app.teaching import services

from .test_teaching import _create_class, _post, teacher  # noqa: F401  (the fixture)


def _add(app, class_id, user_id):
    from app.teaching.models import Classroom

    with app.app_context():
        services.join(db.session.get(Classroom, class_id), user_id)


def test_roster_errors_come_first(client, teacher):
    class_id = _create_class(client)
    response = _post(client, f"/teaching/classes/{class_id}/roster",
                     {"roster": (io.BytesIO("Lê Văn A,a@b.vn,nong-dan\n".encode()), "x.csv")},
                     content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert page.index("Chưa nhập: tệp có 1 dòng cần sửa.") < page.index("Mời học viên tham gia")
    assert page.index('id="roster-problems"') < page.index('<h2 id="join-h"')


def test_no_duplicate_ids_and_each_label_has_its_field(app, client, teacher, make_user):
    class_id = _create_class(client)
    _add(app, class_id, make_user(login="hv@example.vn"))
    page = client.get(f"/teaching/classes/{class_id}").get_data(as_text=True)
    ids = Counter(re.findall(r'\sid="([^"]+)"', page))
    assert [i for i, n in ids.items() if n > 1] == []
    for target in re.findall(r'<label for="([^"]+)"', page):
        assert ids[target] == 1, target


def test_zip_link_only_with_a_certificate(app, client, teacher, make_user):
    class_id = _create_class(client)
    learner = make_user(login="hv@example.vn")
    _add(app, class_id, learner)
    _post(client, f"/teaching/classes/{class_id}/assignments",
          {"kind": "course", "target": "ky-nang-so-co-ban"})
    page = client.get(f"/teaching/classes/{class_id}").get_data(as_text=True)
    assert "Tải bảng tiến độ (CSV)" in page and "(ZIP)" not in page
    with app.app_context():
        db.session.add(Certificate(code="c" * 32, user_id=learner, course_slug="ky-nang-so-co-ban",
                                   holder_name="Nguyễn Thị Hằng", title="Kỹ năng số cơ bản",
                                   competences=[]))
        db.session.commit()
    assert "(ZIP)" in client.get(f"/teaching/classes/{class_id}").get_data(as_text=True)


def test_the_grid_one_assignment_at_a_time(app, client, teacher, make_user):
    class_id = _create_class(client)
    _add(app, class_id, make_user(login="hv@example.vn"))
    course = app.extensions["catalog"].course("ky-nang-so-co-ban")
    for module in course.modules[:3]:
        _post(client, f"/teaching/classes/{class_id}/assignments",
              {"kind": "module", "target": f"{course.slug}/{module.slug}"})
    with app.app_context():
        second = services.assignments_of(class_id)[1]
    full = client.get(f"/teaching/classes/{class_id}").get_data(as_text=True)
    assert "1 học viên × 3 bài giao" in full
    one = client.get(f"/teaching/classes/{class_id}?item={second.id}").get_data(as_text=True)
    assert "1 học viên × 1 bài giao" in one
    head = one.split("<thead>")[1].split("</thead>")[0]
    assert course.modules[1].title in head and course.modules[0].title not in head
    for junk in ("abc", "99999999999999999999", "-1"):  # anything else: every column
        assert "1 học viên × 3 bài giao" in client.get(
            f"/teaching/classes/{class_id}?item={junk}").get_data(as_text=True)
