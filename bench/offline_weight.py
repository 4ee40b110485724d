"""The weight of working offline (issue 16): the service worker and its scripts as a phone
downloads them (gzip), and what each course takes in the phone's cache once it was opened.

    .venv/bin/python bench/offline_weight.py

Budgets: worker and scripts under 15 KB compressed; a course's cache under 1 MB (the bytes
the Cache API keeps: the pages uncompressed, as the phone stores them).
"""

from __future__ import annotations

import gzip
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.auth.services import register  # noqa: E402
from app.localities import communes  # noqa: E402
from app.offline.services import COURSE_BUDGET  # noqa: E402

SCRIPT_BUDGET = 15 * 1024
PASSWORD = "mat-khau-do-nang-1"


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))  # flask-compress's default level


def main() -> int:
    folder = tempfile.mkdtemp(prefix="offline-weight-")
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade(directory=str(Path(app.root_path).parent / "migrations"))
        register(full_name="Người Đo", login="do-nang@example.vn", password=PASSWORD,
                 group_slug="nguoi-dan", province_code=38, commune_code=communes(38)[0][0],
                 role="learner", consent=True)
    client = app.test_client()
    client.post("/auth/login", data={"login": "do-nang@example.vn", "password": PASSWORD})

    worker = client.get("/sw.js").data
    scripts = {"/sw.js": worker}
    for url in re.findall(r'/assets/(?:queue|offline)\.[0-9a-f]+\.js', client.get("/").get_data(as_text=True)):
        scripts[url] = client.get(url).data
    carrier = "/assets/" + app.extensions["assets"].names["carrier.js"]  # the ambassador's pages
    scripts[carrier] = client.get(carrier).data
    total = 0
    print("Service worker and its scripts (gzip):")
    for url, data in scripts.items():
        total += gz(data)
        print(f"  {url:40} {len(data):7,} B raw  {gz(data):6,} B gzip")
    print(f"  total {total:,} B gzip (budget {SCRIPT_BUDGET:,} B): {'ok' if total < SCRIPT_BUDGET else 'OVER'}")

    worst = 0
    print("A course's offline cache (pages kept by the phone, bytes as stored):")
    for slug in app.extensions["catalog"].courses:
        urls = client.get(f"/offline/courses/{slug}.json").get_json()["urls"]
        pages = [client.get(u, headers={"X-Offline-Prefetch": "1"}) for u in urls]
        assert all(p.status_code == 200 for p in pages), slug
        size = sum(len(p.data) for p in pages)
        worst = max(worst, size)
        print(f"  {slug:40} {len(urls):3} pages {size:9,} B")
    print(f"  largest {worst:,} B (budget {COURSE_BUDGET:,} B): {'ok' if worst < COURSE_BUDGET else 'OVER'}")
    return 0 if total < SCRIPT_BUDGET and worst < COURSE_BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
