"""The offline app's routes: manifest, service worker (at the root, so its scope is the whole
site), the offline page, a course's pack, a check to take offline, and the phone's sending."""

from __future__ import annotations

import hashlib
import json

from flask import (Blueprint, Response, abort, current_app, jsonify, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.catalog import get_catalog
from app.catalog.types import Check
from app.extensions import csrf

from . import services

bp = Blueprint("offline", __name__, template_folder="templates")

SW_SOURCES = ("queue.js", "sw.js")  # the worker's own scripts, in app/static


@bp.get("/manifest.webmanifest")
def manifest():
    asset = current_app.jinja_env.globals["asset"]
    body = {
        "name": _("Học vụ số"), "short_name": _("Học vụ số"),
        "description": _("Học kỹ năng số, cả khi không có mạng."),
        "lang": "vi", "start_url": "/", "scope": "/", "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#0b5394",
        "icons": [{"src": asset(f"icons/icon-{n}.png"), "sizes": f"{n}x{n}", "type": "image/png",
                   "purpose": "any"} for n in (192, 512)],
    }
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


def worker_source() -> str:
    """The service worker: its settings (fingerprinted asset URLs, pages kept from the start,
    its Vietnamese fallback) then its code. Any change gives new bytes: browsers update it."""
    assets = current_app.extensions["assets"]
    settings = {
        "queue": assets.url("queue.js"),
        "offline": url_for("offline.page"),
        "pages": [url_for("offline.page"), url_for("main.glossary"), url_for("main.help_page")],
        "assets": [assets.url("site.css"), assets.url("queue.js"), assets.url("offline.js"),
                   assets.url("carrier.js")],
        # The ambassador's page that runs kits without a signal (app/ambassadors/carrier.py).
        "keep": ["/courses/", "/offline/checks/", url_for("ambassadors.carrier_page"),
                 url_for("main.glossary"),
                 url_for("main.help_page"), url_for("main.framework")],
        "fallback": _("Không có mạng, và trang này chưa được lưu trên máy. "
                      "Hãy thử lại khi có sóng."),
    }
    code = assets.text("sw.js")
    version = hashlib.sha256((json.dumps(settings) + code).encode()).hexdigest()[:10]
    settings["version"] = version
    return f"const SETTINGS = {json.dumps(settings, ensure_ascii=False)};\n{code}"


@bp.get("/sw.js")
def service_worker():
    response = Response(worker_source(), mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.cache_control.no_cache = True  # the browser asks each time whether it changed
    return response


@bp.get("/offline")
def page():
    return render_template("offline/offline.html")


@bp.get("/offline/courses/<course_slug>.json")
@login_required
def pack(course_slug: str):
    course = get_catalog().course(course_slug)
    if course is None:
        abort(404)
    urls = [path for _kind, path in services.course_urls(course, signed_in=True)]
    urls += [url_for("main.glossary"), url_for("main.help_page")]
    return jsonify(budget=services.COURSE_BUDGET, urls=urls)


@bp.get("/offline/checks/<course_slug>/<module_slug>")
@login_required
def check(course_slug: str, module_slug: str):
    catalog = get_catalog()
    found = catalog.check(f"{course_slug}/{module_slug}")
    if not isinstance(found, Check):
        abort(404)
    course, module = services.module_of(found, catalog)
    issued = services.issue_draw(current_user.id, found, catalog)
    return render_template("offline/check.html", course=course, module=module, check=found,
                           issued=issued)


def same_origin_json() -> bool:
    """The sending is JSON only, which a page of another site cannot post without a CORS
    preflight this app never answers; a browser's Origin, when sent, must be ours."""
    origin = request.headers.get("Origin")
    return request.is_json and (origin is None or origin == request.host_url.rstrip("/"))


@bp.post("/offline/sync")
@csrf.exempt  # the service worker sends without a page, so without a form token: same_origin_json
@login_required
def sync():
    if not same_origin_json():
        return jsonify(status="refused", message=_("Yêu cầu không hợp lệ.")), 400
    item = request.get_json(silent=True)
    if not isinstance(item, dict):
        return jsonify(status="refused", message=_("Yêu cầu không hợp lệ.")), 400
    catalog = get_catalog()
    try:
        if item.get("kind") == "read":
            services.record_read(current_user.id, item.get("course"), item.get("module"), catalog)
            return jsonify(status="saved", message=_("Đã ghi nhận bạn đọc xong bài."))
        outcome = services.submit_answers(current_user.id, item.get("key"), item.get("token"),
                                          item.get("answers"), item.get("taken_at"), catalog)
    except services.Refused as exc:
        return jsonify(status="refused", message=str(exc.message)), 400
    attempt = outcome.attempt
    verdict = _("đạt") if attempt.passed else _("chưa đạt")
    return jsonify(status="duplicate" if outcome.duplicate else "graded",
                   percent=attempt.percent, passed=bool(attempt.passed),
                   result=url_for("assessment.result", attempt_id=attempt.id),
                   message=_("Đã chấm bài kiểm tra gửi sau: %(p)s%% (%(v)s).",
                             p=attempt.percent, v=verdict))


def clear_on_logout(response):
    """On a shared phone, the next person must not find this one's pages or waiting answers:
    signing out asks the browser to drop the caches and the offline storage."""
    if request.endpoint == "auth.logout" and request.method == "POST":
        response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


bp.after_app_request(clear_on_logout)
