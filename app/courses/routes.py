from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.caching import cached_page
from app.catalog import get_catalog

from . import services
from .completion import commit_step

bp = Blueprint("courses", __name__, template_folder="templates", url_prefix="/courses")


def _course_or_404(slug: str):
    course = get_catalog().course(slug)
    if course is None:
        abort(404)
    return course


@bp.get("/")
def index():
    return redirect(url_for("main.home"))


@bp.get("/<course_slug>")
def course(course_slug: str):
    course = _course_or_404(course_slug)
    user_id = current_user.id if current_user.is_authenticated else None
    status = services.course_status(user_id, course)
    return render_template("courses/course.html", course=course, status=status,
                           catalog=get_catalog())


@bp.get("/<course_slug>/offline.html")
def offline(course_slug: str):
    """The whole course as one HTML file to keep on the phone and read with no network."""
    course = _course_or_404(course_slug)
    css = current_app.extensions["assets"].text("site.css")  # already in memory
    base_url = current_app.config["BASE_URL"]
    html = render_template("courses/offline.html", course=course, css=css, base_url=base_url,
                           modules=[(m, services.offline_html(m, base_url)) for m in course.modules])
    response = current_app.make_response(html)
    response.headers["Content-Disposition"] = f'attachment; filename="{course.slug}.html"'
    return response


@bp.get("/<course_slug>/<module_slug>")
def module(course_slug: str, module_slug: str):
    course = _course_or_404(course_slug)
    module = course.module(module_slug)
    if module is None:
        abort(404)
    progress = None
    # Kept ahead for offline reading (app/static/offline.js) is not a visit: record none.
    if current_user.is_authenticated and not request.headers.get("X-Offline-Prefetch"):
        progress = services.visit(current_user.id, module)
    index = module.position - 1
    previous = course.modules[index - 1] if index > 0 else None
    following = course.modules[index + 1] if index + 1 < len(course.modules) else None
    read = bool(progress and progress.read_at)
    catalog = get_catalog()
    # The same page for everyone in the same language, display mode, role and read state.
    return cached_page(
        "module_pages", (id(catalog), course.slug, module.slug, read), "catalog",
        lambda **context: render_template(
            "courses/module.html", course=course, module=module, progress=progress,
            previous=previous, following=following, catalog=catalog, **context))


@bp.post("/<course_slug>/<module_slug>/read")
@login_required
def mark_read(course_slug: str, module_slug: str):
    course = _course_or_404(course_slug)
    module = course.module(module_slug)
    if module is None:
        abort(404)
    completed = services.mark_read(current_user.id, module, get_catalog())
    if completed is not None and completed.issued:
        flash(_("Chúc mừng! Bạn đã hoàn thành khóa học và nhận chứng chỉ."), "success")
        return redirect(url_for("certificates.show", code=completed.code))
    if module.check is not None and not services.course_status(
            current_user.id, course).modules[module.position - 1].check_passed:
        flash(_("Đã ghi nhận bạn đọc xong bài. Giờ hãy làm bài kiểm tra ngắn."), "success")
        return redirect(url_for("assessment.take", course_slug=course.slug, module_slug=module.slug))
    flash(_("Đã ghi nhận bạn đọc xong bài."), "success")
    return redirect(url_for("courses.course", course_slug=course.slug))


@bp.post("/<course_slug>/certificate")
@login_required
def claim_certificate(course_slug: str):
    course = _course_or_404(course_slug)
    completed = commit_step(current_user.id, get_catalog(), course=course)  # nothing new to record
    if completed is None:
        flash(_("Bạn chưa hoàn thành khóa học: hãy đọc hết các bài và đạt mọi bài kiểm tra."),
              "warning")
        return redirect(url_for("courses.course", course_slug=course.slug))
    return redirect(url_for("certificates.show", code=completed.code))
