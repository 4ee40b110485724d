"""A class's certificate ZIP is made by a job (app/jobs.py): in a thread without Redis, on RQ
with it. The page shows the PDFs made so far and refreshes itself (no JavaScript needed); the
ZIP it then links is real PDFs, for the class's teacher and admins only."""

import io
import re
import shutil
import subprocess
import unicodedata
import zipfile

import pytest
from pypdf import PdfReader

from app import jobs
from app.auth.services import register
from app.extensions import db
from app.localities import communes
from app.teaching import services

from ..conftest import TEST_PASSWORD, Auth, csrf_token, follow_job
from .test_teaching import _create_class, _enrol, _issue_course_certificates, _post


@pytest.fixture(autouse=True)
def _own_keys_and_pdf_cache(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "CREDENTIAL_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setitem(app.config, "CERTIFICATE_PDF_CACHE_DIR", str(tmp_path / "pdfs"))


@pytest.fixture
def teacher(make_user, auth):
    user_id = make_user(role="teacher", login="co.zip@example.vn", full_name="Cô Trần Thị Zip")
    auth.login("co.zip@example.vn")
    return user_id


def _text(pdf: bytes) -> str:
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in PdfReader(
        io.BytesIO(pdf)).pages))


def _zip_link(page: str) -> str:
    return re.search(r'href="(/teaching/classes/\d+/certificates/\w{32}\.zip)"', page).group(1)


def _check_zip(data: bytes, holders: list[str]) -> list[str]:
    """Every member a PDF that pypdf reads (and poppler renders): the texts, in order."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        texts = [_text(archive.read(name)) for name in archive.namelist()]
        if shutil.which("pdftoppm"):
            png = subprocess.run(["pdftoppm", "-png", "-r", "30", "-singlefile", "-"],
                                 input=archive.read(archive.namelist()[0]), capture_output=True,
                                 check=True).stdout
            assert png.startswith(b"\x89PNG")
    assert sorted(h for t in texts for h in holders if h in t) == sorted(holders)
    return texts


def test_the_zip_is_made_by_a_job_whose_page_links_real_pdfs(app, client, teacher):
    class_id = _create_class(client)
    learners = _enrol(app, class_id, 3)
    _issue_course_certificates(app, learners)
    started = _post(client, f"/teaching/classes/{class_id}/certificates")
    assert started.status_code == 303  # answered at once: the job makes the PDFs
    page = follow_job(client, started).get_data(as_text=True)
    assert "Đã tạo xong tệp ZIP: 3 chứng chỉ" in page
    response = client.get(_zip_link(page))
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Length"] == str(len(response.data))
    assert 'filename="lop-%d-chung-chi.zip"' % class_id in response.headers["Content-Disposition"]
    texts = _check_zip(response.data, ["Học viên 000", "Học viên 001", "Học viên 002"])
    assert all("CHỨNG NHẬN HOÀN THÀNH KHÓA HỌC" in t for t in texts)
    with app.app_context():
        job = db.session.get(jobs.Job, started.headers["Location"].rsplit("/", 1)[1])
        assert (job.state, job.done, job.total, job.payload) == (jobs.DONE, 3, 3, None)


def test_the_pdfs_are_in_the_language_of_who_asked(app, client, teacher):
    class_id = _create_class(client)
    _issue_course_certificates(app, _enrol(app, class_id, 1))
    client.post("/lang/en", data={"next": "/"})
    page = follow_job(client, _post(client, f"/teaching/classes/{class_id}/certificates"))
    [text] = _check_zip(client.get(_zip_link(page.get_data(as_text=True))).data, ["Học viên 000"])
    assert "CERTIFICATE OF COURSE COMPLETION" in text  # a thread has no request: the job's lang


def test_while_the_job_runs_its_page_refreshes_itself_without_javascript(app, client, teacher):
    class_id = _create_class(client)
    with app.app_context():  # a job half-way: 20 PDFs of 40 made
        job = jobs.Job(id="a" * 32, kind="certificates_zip", owner_id=teacher, state=jobs.RUNNING,
                       done=20, total=40, payload={"class_id": class_id, "lang": "vi"})
        db.session.add(job)
        db.session.commit()
    url = f"/teaching/classes/{class_id}/certificates/{'a' * 32}"
    page = client.get(url).get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "Đang tạo tệp PDF: 20 trên 40 (50%)." in page and 'value="50"' in page
    assert f'href="{url}">Tải lại</a>' in page and ".zip" not in page
    not_yet = client.get(url + ".zip")
    assert not_yet.status_code == 302 and not_yet.headers["Location"] == url


def test_only_the_class_teacher_and_admins_see_the_job_and_its_zip(app, client, teacher, make_user):
    class_id = _create_class(client)
    _issue_course_certificates(app, _enrol(app, class_id, 1))
    started = _post(client, f"/teaching/classes/{class_id}/certificates")
    page_url = follow_job(client, started).request.path
    zip_url = page_url + ".zip"
    job_id = page_url.rsplit("/", 1)[1]
    assert client.get(zip_url).status_code == 200

    make_user(role="teacher", login="gv.khac@example.vn")
    other = app.test_client()
    Auth(other).login("gv.khac@example.vn")
    token = csrf_token(other, "/teaching/")
    own_class = other.post("/teaching/", data={"csrf_token": token, "name": "Lớp khác",
                                                "kind": "school"}).headers["Location"]
    for url in (page_url, zip_url):  # the owner's class: not hers
        assert other.get(url).status_code == 403, url
    for url in (f"{own_class}/certificates/{job_id}", f"{own_class}/certificates/{job_id}.zip"):
        assert other.get(url).status_code == 404, url  # her class, not its job

    make_user(role="admin", login="qt.zip@example.vn")
    admin = app.test_client()
    Auth(admin).login("qt.zip@example.vn")
    assert admin.get(page_url).status_code == 200
    assert admin.get(zip_url).data == client.get(zip_url).data


@pytest.mark.integration
def test_the_zip_job_runs_on_rq_and_the_web_serves_what_the_worker_made(rq_app):
    with rq_app.app_context():
        teacher = register(full_name="Cô Hàng Đợi", login="gv-zip-rq@example.vn",
                           password=TEST_PASSWORD, group_slug="nguoi-dan", province_code=38,
                           commune_code=communes(38)[0][0], role="teacher", consent=True)
        class_id = services.create_class(teacher.id, "Lớp RQ", "school").id
    _issue_course_certificates(rq_app, _enrol(rq_app, class_id, 2))
    client = rq_app.test_client()
    Auth(client).login("gv-zip-rq@example.vn")
    started = _post(client, f"/teaching/classes/{class_id}/certificates")
    waiting = client.get(started.headers["Location"]).get_data(as_text=True)
    assert 'http-equiv="refresh"' in waiting and "0 trên 2" in waiting  # queued: nothing ran here
    rq_app.burst()
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and "2 chứng chỉ" in page
    _check_zip(client.get(_zip_link(page)).data, ["Học viên 000", "Học viên 001"])
