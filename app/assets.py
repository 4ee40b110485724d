"""Static files under fingerprinted names (/assets/site.3f2a9c1b.css), cached for a year.

A new deploy changes the name of every file whose bytes changed, so browsers on slow links
keep everything else. Files are read once at start-up and served from memory, which also
lets flask-compress gzip them.
"""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path

from flask import Flask, Response, abort, current_app, redirect, url_for

YEAR = 365 * 24 * 3600


class Assets:
    def __init__(self, folder: str):
        self.files: dict[str, tuple[bytes, str]] = {}  # fingerprinted name → (bytes, mimetype)
        self.names: dict[str, str] = {}  # plain name → fingerprinted name
        root = Path(folder)
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            plain = path.relative_to(root).as_posix()
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()[:10]
            stem, dot, suffix = plain.rpartition(".")
            named = f"{stem}.{digest}.{suffix}" if dot else f"{plain}.{digest}"
            mimetype = mimetypes.guess_type(plain)[0] or "application/octet-stream"
            if mimetype.startswith("text/") or mimetype.endswith("javascript"):
                mimetype += "; charset=utf-8"
            self.files[named] = (data, mimetype)
            self.names[plain] = named

    def text(self, plain: str) -> str:
        return self.files[self.names[plain]][0].decode("utf-8")

    def url(self, plain: str) -> str:
        return url_for("assets", name=self.names[plain])


def serve(name: str) -> Response:
    found = current_app.extensions["assets"].files.get(name)
    if found is None:
        abort(404)
    data, mimetype = found
    response = Response(data, mimetype=mimetype)
    response.cache_control.public = True
    response.cache_control.max_age = YEAR
    response.cache_control.immutable = True
    return response


def init_app(app: Flask) -> None:
    assets = Assets(app.static_folder)
    app.extensions["assets"] = assets
    app.add_url_rule("/assets/<path:name>", "assets", serve)
    app.jinja_env.globals["asset"] = assets.url
    # Pages name their icon (base.html); this answers the browsers that ask /favicon.ico anyway.
    app.add_url_rule("/favicon.ico", "favicon", lambda: redirect(assets.url("favicon.svg"), 301))
