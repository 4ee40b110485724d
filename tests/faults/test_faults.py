"""Bad days in production: the database goes away and comes back; a broken content edit."""

import logging
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from app.config import Config
from tests.conftest import TEST_PASSWORD, Auth

ROOT = Path(__file__).resolve().parents[2]
PG_HOST, PG_PORT = "127.0.0.1", 5432


class Proxy:
    """A TCP relay in front of PostgreSQL that can be cut and restored, like a network fault."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.listener.listen(16)
        self.up = True
        self.links: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection((PG_HOST, PG_PORT))
            self.links += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def cut(self):
        self.up = False
        for s in self.links:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        self.links.clear()

    def restore(self):
        self.up = True

    def close(self):
        self.cut()
        self.listener.close()


def _app_behind(proxy: Proxy, database: str, make_app):
    """The app as production runs it (same engine options: no pre-ping), through the relay."""
    options = dict(Config.SQLALCHEMY_ENGINE_OPTIONS)
    return make_app(SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://postgres@{PG_HOST}:{proxy.port}/{database}",
                    SQLALCHEMY_ENGINE_OPTIONS=options)


@pytest.fixture
def proxy():
    relay = Proxy()
    yield relay
    relay.close()


@pytest.mark.integration
def test_database_outage_gives_a_friendly_503_and_recovers_by_itself(postgres_database, proxy,
                                                                      make_app):
    faulty = _app_behind(proxy, postgres_database, make_app)
    client = faulty.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/verify/khong-co-ma").status_code == 404  # a page that queries
    proxy.cut()
    response = client.get("/verify/khong-co-ma")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "Hệ thống đang bận" in html and "chưa được lưu" in html
    assert response.headers["Retry-After"] == "30"
    health = client.get("/healthz")
    assert health.status_code == 503 and health.headers["Retry-After"] == "30"
    proxy.restore()
    assert client.get("/verify/khong-co-ma").status_code == 404  # back, with no restart
    assert client.get("/healthz").status_code == 200


@pytest.mark.integration
def test_outage_while_signed_in_gives_the_503_page_and_one_log_line_a_request(
        postgres_database, proxy, make_app, caplog):
    from app.auth.services import register
    from app.localities import communes

    faulty = _app_behind(proxy, postgres_database, make_app)
    with faulty.app_context():
        register(full_name="Lê Văn Tám", login="tam@example.vn", password=TEST_PASSWORD,
                 group_slug="nguoi-dan", province_code=38, commune_code=communes(38)[0][0],
                 consent=True)
    client = faulty.test_client()
    assert Auth(client).login("tam@example.vn").status_code == 302
    assert "Lê Văn Tám" in client.get("/").get_data(as_text=True)

    proxy.cut()
    caplog.clear()
    # Pages that read the database (the profile form needs only the cached signed-in user).
    urls = ["/", "/courses/ky-nang-so-co-ban", "/me/competences", "/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 503, url
        assert response.headers["Retry-After"] == "30"
        assert "Hệ thống đang bận" in response.get_data(as_text=True)
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(problems) == len(urls), [r.getMessage() for r in problems]
    assert not any(r.exc_info for r in problems)  # no traceback cascade

    proxy.restore()
    assert "Lê Văn Tám" in client.get("/").get_data(as_text=True)  # still signed in, no restart


def test_broken_content_edit_keeps_the_last_good_catalog(tmp_path, make_app):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    app = make_app(CONTENT_DIR=str(content), SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/c.sqlite3",
                   CONTENT_RELOAD_SECONDS=0)
    reloader = app.extensions["catalog_reloader"]
    good = app.extensions["catalog"]
    module = content / "courses/ky-nang-so-co-ban/modules/01-dien-thoai-thong-minh.md"
    text = module.read_text(encoding="utf-8")

    module.write_text(text.replace('competences: ["5.1"', 'competences: ["9.9"'), encoding="utf-8")
    time.sleep(0.01)
    assert reloader.reload() is False
    assert app.extensions["catalog"] is good  # still serving
    assert any("01-dien-thoai-thong-minh.md:" in p and "9.9" in p for p in reloader.last_problems)
    client = app.test_client()
    assert client.get("/courses/ky-nang-so-co-ban/01-dien-thoai-thong-minh").status_code == 200

    module.write_text(text.replace("## ", "## Mới: ", 1), encoding="utf-8")
    assert reloader.reload() is True
    assert app.extensions["catalog"] is not good
    page = client.get("/courses/ky-nang-so-co-ban/01-dien-thoai-thong-minh").get_data(as_text=True)
    assert "Mới: " in page


@pytest.mark.integration
def test_the_database_going_away_after_the_page_is_no_error_at_its_end(
        postgres_database, proxy, make_app, caplog):
    """Seen under load: a page served, then PostgreSQL stops before the request ends; the
    session's closing ROLLBACK fails. The visitor already has the page: one warning, no 500."""
    import sqlalchemy as sa

    from app.extensions import db

    faulty = _app_behind(proxy, postgres_database, make_app)
    with faulty.test_request_context("/"):
        # A transaction is open on the connection (a read alone opens none: app/transactions.py).
        db.session.execute(sa.text("SELECT id FROM users FOR UPDATE"))
        proxy.cut()
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == ["database unavailable at the end of a request: OperationalError"]
    proxy.restore()
    assert faulty.test_client().get("/healthz").status_code == 200
