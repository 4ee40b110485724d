import io
import threading
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
import zxingcpp
from PIL import Image

from app.assessment import services as assessment
from app.auth.models import User
from app.certificates import services
from app.certificates.models import Certificate
from app.courses.completion import commit_step
from app.courses.services import mark_read
from app.extensions import db

COURSE = "ky-nang-so-co-ban"


def _complete_course(app, user_id: int) -> None:
    """Pass every check and read every module but the last: reading it is the step that
    completes the course and issues its certificate (_last_step)."""
    catalog = app.extensions["catalog"]
    course = catalog.course(COURSE)
    with app.app_context():
        for module in course.modules:
            if module is not course.modules[-1]:
                assert mark_read(user_id, module) is None
            if module.check:
                attempt = assessment.open_attempt(user_id, module.check)
                form = {sq.field: [str(c.position) for c in sq.choices if c.correct]
                        for sq in assessment.shown_questions(attempt, catalog)}
                assert assessment.submit(user_id, attempt.id, form, catalog).passed
        assert services.find_certificate(user_id, COURSE) is None


def _last_step(app, user_id: int) -> tuple[Certificate | None, bool]:
    """Read the course's last module, in the caller's app context: (the certificate, whether
    this step issued it)."""
    catalog = app.extensions["catalog"]
    completed = mark_read(user_id, catalog.course(COURSE).modules[-1], catalog)
    if completed is None:
        return None, False
    return services.by_code(completed.code), completed.issued


def _claim(app, user_id: int) -> tuple[Certificate | None, bool]:
    """The course page's "get my certificate" (nothing new recorded), in the caller's context."""
    catalog = app.extensions["catalog"]
    completed = commit_step(user_id, catalog, course=catalog.course(COURSE))
    if completed is None:
        return None, False
    return services.by_code(completed.code), completed.issued


def _completed_without_certificate(app, user_id: int) -> None:
    """Every step done but no certificate: what a crash between the two commits of earlier
    versions left behind, and what the claim button is for."""
    _complete_course(app, user_id)
    with app.app_context():
        _last_step(app, user_id)
        db.session.execute(sa.delete(Certificate).where(Certificate.user_id == user_id))
        db.session.commit()


@pytest.mark.parametrize("step", ["last module read", "claim"])
def test_certificate_is_issued_once_under_two_concurrent_completions(app, make_user, step):
    user_id = make_user()
    if step == "claim":
        _completed_without_certificate(app, user_id)
    else:
        _complete_course(app, user_id)
    complete_it = _claim if step == "claim" else _last_step
    barrier = threading.Barrier(2)
    results, errors = [], []

    def complete():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                certificate, issued = complete_it(app, user_id)
                results.append((certificate.id, certificate.code, issued))
                db.session.remove()
        except Exception as exc:  # surfaced below: a thread's exception would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=complete) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert len(results) == 2
    assert results[0][:2] == results[1][:2]  # both requests got the same certificate
    assert sorted(issued for *_, issued in results) == [False, True]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) == 1


def test_no_certificate_before_the_course_is_complete(app, make_user):
    user_id = make_user()
    catalog = app.extensions["catalog"]
    course = catalog.course(COURSE)
    with app.app_context():
        assert mark_read(user_id, course.modules[0]) is None
        assert _claim(app, user_id) == (None, False)


def test_certificate_is_a_snapshot_with_serial_code_and_competences(app, make_user):
    user_id = make_user(full_name="Trịnh Thị Ngọc Ánh")
    _complete_course(app, user_id)
    catalog = app.extensions["catalog"]
    course = catalog.course(COURSE)
    with app.app_context():
        user = db.session.get(User, user_id)
        certificate, issued = _last_step(app, user_id)
        assert issued
        assert len(certificate.code) == 32  # 24 random bytes = 192 bits
        assert certificate.serial == f"HVS-{certificate.issued_at.year}-{certificate.id:07d}"
        assert certificate.holder_name == "Trịnh Thị Ngọc Ánh"
        codes = [c["code"] for c in certificate.competences]
        assert set(codes) == {q.competence for m in course.modules for q in m.check.questions
                              if q.id in _passed_question_ids(user_id)}
        assert all(c["correct"] == c["total"] for c in certificate.competences)
        # Renaming the learner later does not change the issued certificate.
        user.full_name = "Tên Khác"
        db.session.commit()
        assert services.by_code(certificate.code).holder_name == "Trịnh Thị Ngọc Ánh"


def _passed_question_ids(user_id):
    from app.assessment.models import Attempt

    return {item["id"] for a in db.session.scalars(sa.select(Attempt).where(
        Attempt.user_id == user_id, Attempt.passed.is_(True))) for item in a.drawn}


def test_qr_code_decodes_to_the_verify_url(app, client, make_user):
    user_id = make_user()
    _complete_course(app, user_id)
    with app.app_context():
        certificate, _ = _last_step(app, user_id)
        code = certificate.code
    response = client.get(f"/certificates/{code}/qr.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.data)))
    assert [d.text for d in decoded] == [f"https://hocvuso.example.vn/verify/{code}"]
    assert decoded[0].format == zxingcpp.BarcodeFormat.QRCode


def test_qr_svg_on_the_certificate_page_is_a_full_qr_code(app):
    svg = services.qr_svg("https://hocvuso.example.vn/verify/x")
    assert svg.startswith("<svg") and "<path" in svg
    # micro=False: even a short payload gives a normal QR code (version ≥ 1, 21×21 modules)
    assert services.qr("https://a.vn/v/x").is_micro is False


def test_revoked_certificate_says_so_publicly(app, client, make_user):
    user_id = make_user(full_name="Mai Văn Sơn")
    _complete_course(app, user_id)
    with app.app_context():
        certificate, _ = _last_step(app, user_id)
        certificate.revoked_at = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)
        certificate.revoked_reason = "Cấp nhầm người"
        db.session.commit()
        code = certificate.code
    html = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "ĐÃ THU HỒI" in html and "Cấp nhầm người" in html and "HỢP LỆ" not in html


def test_verify_form_accepts_a_typed_code_or_a_pasted_link(client):
    assert client.get("/verify").status_code == 200
    response = client.get("/verify", query_string={"code": " https://x.vn/verify/AbC-123 "})
    assert response.status_code == 302 and response.headers["Location"].endswith("/verify/AbC-123")


def test_certificate_page_is_only_for_its_holder(app, client, make_user, auth):
    owner = make_user()
    make_user(login="nguoi-khac@example.vn")
    _complete_course(app, owner)
    with app.app_context():
        certificate, _ = _last_step(app, owner)
        code = certificate.code
    auth.login("nguoi-khac@example.vn")
    assert client.get(f"/certificates/{code}").status_code == 404
    assert client.get(f"/verify/{code}").status_code == 200
