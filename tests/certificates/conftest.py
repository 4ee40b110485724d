"""Each test gets its own signing-key folder and PDF cache, so keys made by one test (or by
`make run` in the instance folder) never leak into another."""

import pytest

from app.auth.models import User
from app.certificates import services
from app.extensions import db

from .test_certificates import COURSE, _complete_course


@pytest.fixture(autouse=True)
def _own_keys_and_pdf_cache(request, tmp_path, monkeypatch):
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        monkeypatch.setitem(app.config, "CREDENTIAL_KEYS_DIR", str(tmp_path / "keys"))
        monkeypatch.setitem(app.config, "CERTIFICATE_PDF_CACHE_DIR", str(tmp_path / "pdfs"))
    yield


@pytest.fixture
def issue_certificate(app, make_user):
    """Factory: a course certificate issued the real way (modules read, checks passed) -> code."""
    catalog = app.extensions["catalog"]

    def issue(full_name: str = "Trịnh Thị Ngọc Ánh", login: str | None = None) -> str:
        user_id = make_user(full_name=full_name, login=login)
        _complete_course(app, user_id)
        with app.app_context():
            certificate, issued = services.issue_if_complete(
                db.session.get(User, user_id), catalog.course(COURSE), catalog)
            assert issued
            return certificate.code

    return issue
