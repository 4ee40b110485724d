"""Admins revoke a certificate with a reason; the public page, JSON and audit log show it."""

import re

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.audit.services import events_for
from app.certificates import services
from app.extensions import db
from tests.conftest import csrf_token


def _revoke(client, code: str, reason: str):
    token = csrf_token(client, f"/admin/certificates?q={code}")
    return client.post("/admin/certificates", data={"csrf_token": token, "code": code,
                                                    "reason": reason})


@pytest.mark.parametrize("role", ["learner", "teacher", "ambassador"])
def test_only_admins_may_revoke(client, auth, make_user, issue_certificate, role):
    code = issue_certificate()
    make_user(role=role, login=f"{role}@example.vn")
    auth.login(f"{role}@example.vn")
    assert client.get("/admin/certificates").status_code == 403
    token = csrf_token(client, "/verify")  # any page's token: the role check comes first
    response = client.post("/admin/certificates", data={"csrf_token": token, "code": code,
                                                        "reason": "Thử thu hồi"})
    assert response.status_code == 403
    assert client.get(f"/verify/{code}.json").get_json()["status"] == "valid"


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/admin/certificates")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_admin_finds_by_serial_or_code_and_revokes_with_audit(app, client, auth, make_user,
                                                              issue_certificate):
    code = issue_certificate(full_name="Mai Văn Sơn")
    admin_id = make_user(role="admin", login="quantri@example.vn")
    auth.login("quantri@example.vn")
    with app.app_context():
        certificate = services.by_code(code)
        serial, certificate_id = certificate.serial, certificate.id
    for query in (serial, serial.lower(), code, f" https://hocvuso.example.vn/verify/{code} "):
        html = client.get("/admin/certificates", query_string={"q": query}).get_data(as_text=True)
        assert "Mai Văn Sơn" in html and "Thu hồi chứng chỉ này" in html, query
    wrong_year = re.sub(r"HVS-(\d{4})", lambda m: f"HVS-{int(m.group(1)) - 1}", serial)
    for query in (wrong_year, "HVS-2026-9999999", "HVS-2026-99999999999999", "khong-co"):
        response = client.get("/admin/certificates", query_string={"q": query})
        assert response.status_code == 404
        assert "Không có chứng chỉ nào" in response.get_data(as_text=True)

    response = _revoke(client, code, "  Cấp nhầm người: trùng tài khoản  ")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã thu hồi chứng chỉ" in page and "Cấp nhầm người: trùng tài khoản" in page

    with app.app_context():
        certificate = services.by_code(code)
        assert certificate.revoked
        assert certificate.revoked_reason == "Cấp nhầm người: trùng tài khoản"
        [event] = events_for("certificate", certificate_id)
        assert (event.actor_id, event.action) == (admin_id, "certificate.revoke")
        assert event.details == {"reason": "Cấp nhầm người: trùng tài khoản", "serial": serial}
        revoked_at = certificate.revoked_at

    html = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "ĐÃ THU HỒI" in html and "Cấp nhầm người" in html and "HỢP LỆ" not in html
    doc = client.get(f"/verify/{code}.json").get_json()
    assert doc["status"] == "revoked" and doc["reason"] == "Cấp nhầm người: trùng tài khoản"
    assert doc["revoked_at"] == revoked_at.strftime("%Y-%m-%dT%H:%M:%SZ")

    # Twice: a clear message, nothing changes, no second audit event.
    again = _revoke(client, code, "Lần nữa")
    assert again.status_code == 409
    assert "đã bị thu hồi từ trước" in again.get_data(as_text=True)
    with app.app_context():
        assert services.by_code(code).revoked_reason == "Cấp nhầm người: trùng tài khoản"
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 1


@pytest.mark.parametrize("reason,message", [
    ("", "Hãy ghi lý do thu hồi."),
    ("   ", "Hãy ghi lý do thu hồi."),
    ("x" * 501, "Lý do dài tối đa 500 ký tự."),
])
def test_a_reason_is_required_and_bounded(app, client, auth, make_user, issue_certificate,
                                          reason, message):
    code = issue_certificate()
    make_user(role="admin", login="quantri@example.vn")
    auth.login("quantri@example.vn")
    response = _revoke(client, code, reason)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with app.app_context():
        assert not services.by_code(code).revoked
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 0


def test_revoking_an_unknown_code_is_404(client, auth, make_user):
    make_user(role="admin", login="quantri@example.vn")
    auth.login("quantri@example.vn")
    assert _revoke(client, "khong-co-ma-nay", "Lý do").status_code == 404


def test_revoke_service_is_exactly_once(app, issue_certificate, make_user):
    code = issue_certificate()
    admin_id = make_user(role="admin", login="quantri@example.vn")
    with app.app_context():
        certificate = services.by_code(code)
        services.revoke(certificate, "Lý do một", admin_id)
        with pytest.raises(services.RevocationError) as raised:
            services.revoke(certificate, "Lý do hai", admin_id)
        assert raised.value.status == 409
        assert services.by_code(code).revoked_reason == "Lý do một"
