"""Bad days in production: the database goes away and comes back; a broken content edit."""

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from app import create_app
from app.extensions import db

ROOT = Path(__file__).resolve().parents[2]
PG_HOST, PG_PORT = "127.0.0.1", 5432


def _pg_answers() -> bool:
    try:
        socket.create_connection((PG_HOST, PG_PORT), timeout=1).close()
        return True
    except OSError:
        return False


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


def test_database_outage_gives_a_friendly_503_and_recovers_by_itself(app):
    if not _pg_answers():
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but PostgreSQL does not answer on 127.0.0.1:5432")
        pytest.skip("needs PostgreSQL on 127.0.0.1:5432 (the fault is injected between app and server)")
    proxy = Proxy()
    faulty = create_app({
        "TESTING": True, "SECRET_KEY": "x",
        "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://postgres@127.0.0.1:{proxy.port}/test",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "connect_args": {"connect_timeout": 2}},
    })
    client = faulty.test_client()
    try:
        assert client.get("/healthz").status_code == 200
        assert client.get("/verify/khong-co-ma").status_code == 404  # a page that queries
        proxy.cut()
        response = client.get("/verify/khong-co-ma")
        assert response.status_code == 503
        html = response.get_data(as_text=True)
        assert "Hệ thống đang bận" in html and "chưa được lưu" in html
        assert response.headers["Retry-After"] == "30"
        assert client.get("/healthz").status_code == 503
        proxy.restore()
        assert client.get("/verify/khong-co-ma").status_code == 404  # back, with no restart
        assert client.get("/healthz").status_code == 200
    finally:
        proxy.close()
        with faulty.app_context():
            db.engine.dispose()


def test_broken_content_edit_keeps_the_last_good_catalog(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "CONTENT_DIR": str(content),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/c.sqlite3",
                      "CONTENT_RELOAD_SECONDS": 0})
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
    with app.app_context():
        db.engine.dispose()
