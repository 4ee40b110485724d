"""Each test gets its own signing-key folder and PDF cache, so keys made by one test (or by
`make run` in the instance folder) never leak into another."""

import pytest

from .test_certificates import _complete_course, _last_step


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

    def issue(full_name: str = "Trịnh Thị Ngọc Ánh", login: str | None = None) -> str:
        user_id = make_user(full_name=full_name, login=login)
        _complete_course(app, user_id)
        with app.app_context():
            certificate, issued = _last_step(app, user_id)
            assert issued
            return certificate.code

    return issue
