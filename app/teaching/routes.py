from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template,
                   request, stream_with_context, url_for)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.assessment.services import competence_profile
from app import jobs
from app.auth.access import may_manage, teacher_required
from app.caching import cached_page
from app.catalog import get_catalog
from app.certificates.services import qr_png, qr_svg
from app.extensions import db
from app.urls import UrlPattern, local_target

from . import services
from .forms import KIND_LABELS, AddMemberForm, AssignmentForm, ClassForm, JoinForm, RosterForm
from .models import Classroom, Invitation

bp = Blueprint("teaching", __name__, template_folder="templates")
bp.add_app_template_global(UrlPattern, "url_pattern")  # a grid's row links, one url_for()


def _own_class_or_403(class_id: int) -> Classroom:
    """A teacher sees and changes only their own classes (admins: every class)."""
    classroom = db.get_or_404(Classroom, class_id)
    if not may_manage(current_user, classroom.teacher_id):
        abort(403)
    return classroom


def _join_url(classroom: Classroom) -> str:
    return f"{current_app.config['BASE_URL']}/join/{classroom.join_code}"


def _labels() -> dict[str, str]:
    """State names translated once per page, not once per cell of a 200 × 20 grid."""
    return {state: str(label) for state, label in services.STATE_LABELS.items()}


def _today() -> date:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


@bp.route("/teaching/", methods=["GET", "POST"])
@teacher_required
def index():
    form = ClassForm()
    if form.validate_on_submit():
        try:
            classroom = services.create_class(current_user.id, form.name.data, form.kind.data)
        except services.TeachingError as exc:
            form.kind.errors.append(str(exc.message))
        else:
            flash(_("Đã tạo lớp. Đưa mã lớp %(code)s cho học viên để họ tham gia.",
                    code=classroom.join_code), "success")
            return redirect(url_for("teaching.classroom", class_id=classroom.id))
    return render_template("teaching/index.html", form=form, kinds=KIND_LABELS,
                           classes=services.classes_of(current_user.id)), 400 if form.errors else 200


def _class_page(classroom: Classroom, status: int = 200, grid: services.Grid | None = None,
                page_context: dict | None = None, **forms):
    catalog = get_catalog()
    assignment_form = forms.pop("assignment_form", None) or AssignmentForm(formdata=None)
    assignment_form.fill_choices(catalog)
    return render_template(
        "teaching/classroom.html", classroom=classroom, kinds=KIND_LABELS,
        grid=grid or services.class_grid(classroom, catalog, _today()),
        rename_form=forms.pop("rename_form", None) or ClassForm(obj=classroom, formdata=None),
        member_form=forms.pop("member_form", None) or AddMemberForm(formdata=None),
        roster_form=forms.pop("roster_form", None) or RosterForm(formdata=None),
        assignment_form=assignment_form, join_url=_join_url(classroom),
        join_qr=qr_svg(_join_url(classroom)), labels=_labels(),
        has_certificates=services.has_certificates(classroom.id),
        roster_problems=forms.pop("roster_problems", None), **(page_context or {})), status


@bp.get("/teaching/classes/<int:class_id>")
@teacher_required
def classroom(class_id: int):
    classroom = _own_class_or_403(class_id)
    grid = services.class_grid(classroom, get_catalog(), _today())
    # The page as rendered from this grid, until the grid (or the class) changes.
    return cached_page("class_pages", (classroom.id, grid.stamp), services.class_key(classroom.id),
                       lambda **context: _class_page(classroom, grid=grid,
                                                     page_context=context)[0])


@bp.post("/teaching/classes/<int:class_id>/rename")
@teacher_required
def rename(class_id: int):
    classroom = _own_class_or_403(class_id)
    form = ClassForm()
    if form.validate_on_submit():
        try:
            services.rename_class(classroom, form.name.data, form.kind.data)
        except services.TeachingError as exc:
            form.kind.errors.append(str(exc.message))
        else:
            flash(_("Đã lưu tên lớp."), "success")
            return redirect(url_for("teaching.classroom", class_id=classroom.id))
    return _class_page(classroom, 400, rename_form=form)


@bp.post("/teaching/classes/<int:class_id>/archive")
@teacher_required
def archive(class_id: int):
    classroom = _own_class_or_403(class_id)
    archived = request.form.get("archived") == "1"
    services.set_archived(classroom, archived)
    flash(_("Đã đóng lớp: học viên không tham gia thêm được.") if archived
          else _("Đã mở lại lớp."), "success")
    return redirect(url_for("teaching.classroom", class_id=classroom.id))


@bp.post("/teaching/classes/<int:class_id>/members")
@teacher_required
def add_member(class_id: int):
    classroom = _own_class_or_403(class_id)
    form = AddMemberForm()
    if form.validate_on_submit():
        try:
            services.invite_by_login(classroom, form.login.data, current_user.id)
        except services.TeachingError as exc:
            form.login.errors.append(str(exc.message))
        else:
            # The same words whoever the login belongs to, or none: nothing to learn from them.
            flash(_("Nếu có tài khoản với email hoặc số điện thoại này, người đó sẽ nhận được "
                    "lời mời vào lớp và chỉ xuất hiện trong lớp khi đã đồng ý. Nếu họ chưa có "
                    "tài khoản, hãy nhập danh sách lớp để tạo tài khoản."), "success")
            return redirect(url_for("teaching.classroom", class_id=classroom.id))
    return _class_page(classroom, 400, member_form=form)


@bp.post("/teaching/classes/<int:class_id>/members/<int:user_id>/remove")
@teacher_required
def remove_member(class_id: int, user_id: int):
    classroom = _own_class_or_403(class_id)
    services.remove_member(classroom, user_id)
    flash(_("Đã đưa học viên ra khỏi lớp. Kết quả học của họ vẫn được giữ."), "success")
    return redirect(url_for("teaching.classroom", class_id=classroom.id))


@bp.post("/teaching/classes/<int:class_id>/roster")
@teacher_required
def import_roster(class_id: int):
    classroom = _own_class_or_403(class_id)
    form = RosterForm()
    if not form.validate_on_submit():
        return _class_page(classroom, 400, roster_form=form)
    rows, problems = services.parse_roster(form.roster.data.read(services.MAX_ROSTER_BYTES + 1),
                                           get_catalog())
    if problems:
        return _class_page(classroom, 400, roster_form=form, roster_problems=problems)
    job = services.start_roster_import(classroom, rows, current_user)
    return redirect(url_for("teaching.roster_job", class_id=classroom.id, job_id=job.id), 303)


@bp.get("/teaching/classes/<int:class_id>/roster/<job_id>")
@teacher_required
def roster_job(class_id: int, job_id: str):
    """The import's progress (the page refreshes itself), then its one-time passwords, once."""
    classroom = _own_class_or_403(class_id)
    job = jobs.job_of(current_user.id, job_id, "roster_import") or abort(404)
    result = services.roster_result(job) if job.state == jobs.DONE else None
    if result is None:
        return render_template("teaching/job.html", classroom=classroom, job=job)
    page = render_template("teaching/passwords.html", classroom=classroom, result=result,
                           login_url=current_app.config["BASE_URL"] + url_for("auth.login"))
    services.forget_passwords(job)
    return page


@bp.post("/teaching/classes/<int:class_id>/assignments")
@teacher_required
def add_assignment(class_id: int):
    classroom = _own_class_or_403(class_id)
    catalog = get_catalog()
    form = AssignmentForm()
    form.fill_choices(catalog)
    if form.validate_on_submit():
        try:
            services.add_assignment(classroom, form.kind.data, form.target.data, form.due_on.data,
                                    catalog)
        except services.TeachingError as exc:
            form.target.errors.append(str(exc.message))
        else:
            flash(_("Đã giao bài cho lớp."), "success")
            return redirect(url_for("teaching.classroom", class_id=classroom.id))
    return _class_page(classroom, 400, assignment_form=form)


@bp.post("/teaching/classes/<int:class_id>/assignments/<int:assignment_id>/remove")
@teacher_required
def remove_assignment(class_id: int, assignment_id: int):
    classroom = _own_class_or_403(class_id)
    services.remove_assignment(classroom, assignment_id)
    flash(_("Đã bỏ bài giao."), "success")
    return redirect(url_for("teaching.classroom", class_id=classroom.id))


@bp.get("/teaching/classes/<int:class_id>/progress.csv")
@teacher_required
def progress_csv(class_id: int):
    classroom = _own_class_or_403(class_id)
    grid = services.class_grid(classroom, get_catalog(), _today())
    body = "\ufeff" + services.grid_csv(grid)  # the BOM makes Excel read the accents right
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="lop-{classroom.id}-tien-do.csv"'})


@bp.post("/teaching/classes/<int:class_id>/certificates")
@teacher_required
def start_certificates(class_id: int):
    """Every PDF of the class in one ZIP, made by a job: the answer is its page, at once."""
    classroom = _own_class_or_403(class_id)
    job = services.start_certificates_zip(classroom, str(get_locale()))
    if job is None:
        flash(_("Học viên của lớp chưa có chứng chỉ nào."), "info")
        return redirect(url_for("teaching.classroom", class_id=classroom.id))
    return redirect(url_for("teaching.certificates_job", class_id=classroom.id, job_id=job.id), 303)


def _certificates_job_or_404(class_id: int, job_id: str):
    classroom = _own_class_or_403(class_id)
    return classroom, services.certificates_job(classroom, job_id) or abort(404)


@bp.get("/teaching/classes/<int:class_id>/certificates/<job_id>")
@teacher_required
def certificates_job(class_id: int, job_id: str):
    """The ZIP's progress (PDFs made of how many; the page refreshes itself), then its link."""
    classroom, job = _certificates_job_or_404(class_id, job_id)
    return render_template("teaching/certificates_job.html", classroom=classroom, job=job)


@bp.get("/teaching/classes/<int:class_id>/certificates/<job_id>.zip")
@teacher_required
def certificates_zip(class_id: int, job_id: str):
    classroom, job = _certificates_job_or_404(class_id, job_id)
    if job.state != jobs.DONE:
        return redirect(url_for("teaching.certificates_job", class_id=class_id, job_id=job.id))
    length = jobs.file_size(job)
    return Response(stream_with_context(jobs.file_chunks(job, length)), mimetype="application/zip",
                    headers={"Content-Length": str(length), "Content-Disposition":
                             f'attachment; filename="lop-{classroom.id}-chung-chi.zip"'})


@bp.get("/teaching/classes/<int:class_id>/learners/<int:user_id>")
@teacher_required
def learner(class_id: int, user_id: int):
    classroom = _own_class_or_403(class_id)
    user = next((u for u in services.members(classroom.id) if u.id == user_id), None)
    if user is None:
        abort(404)
    catalog = get_catalog()
    return render_template("teaching/learner.html", classroom=classroom, learner=user,
                           catalog=catalog, profile=competence_profile(user.id, catalog.framework))


@bp.get("/teaching/classes/<int:class_id>/join-qr.png")
@teacher_required
def join_qr(class_id: int):
    classroom = _own_class_or_403(class_id)
    return Response(qr_png(_join_url(classroom)), mimetype="image/png")


# -- learners ------------------------------------------------------------------------------

@bp.route("/join", methods=["GET", "POST"])
@login_required
def join():
    form = JoinForm()
    if form.validate_on_submit():
        classroom = services.class_by_code(form.code.data)
        if classroom is None:
            form.code.errors.append(_("Không có lớp nào với mã này. Hãy kiểm tra lại với giáo viên."))
        else:
            return _join(classroom)
    return render_template("teaching/join.html", form=form, classroom=None), 400 if form.errors else 200


@bp.route("/join/<code>", methods=["GET", "POST"])
@login_required
def join_link(code: str):
    classroom = services.class_by_code(code)
    if classroom is None:
        abort(404)
    if request.method == "POST":
        return _join(classroom)
    return render_template("teaching/join.html", form=JoinForm(formdata=None), classroom=classroom)


def _join(classroom: Classroom):
    try:
        joined = services.join(classroom, current_user.id)
    except services.TeachingError as exc:
        flash(str(exc.message), "warning")
        return redirect(url_for("teaching.join"))
    flash(_("Bạn đã tham gia lớp %(name)s.", name=classroom.name) if joined
          else _("Bạn đã ở trong lớp %(name)s rồi.", name=classroom.name), "success")
    return redirect(url_for("teaching.assigned"))


@bp.get("/me/assignments")
@login_required
def assigned():
    return render_template("teaching/assigned.html", labels=_labels(), kinds=KIND_LABELS,
                           invitations=services.invitations_for(current_user.id),
                           rows=services.my_assignments(current_user.id, get_catalog(), _today()))


def _my_invitation_or_404(invitation_id: int) -> Invitation:
    """Only the invited person answers an invitation; to anyone else it does not exist."""
    return db.one_or_404(sa.select(Invitation).where(
        Invitation.id == invitation_id, Invitation.user_id == current_user.id))


@bp.post("/me/invitations/<int:invitation_id>/accept")
@login_required
def accept_invitation(invitation_id: int):
    invitation = _my_invitation_or_404(invitation_id)
    try:
        classroom = services.accept_invitation(invitation)
    except services.TeachingError as exc:
        flash(str(exc.message), "warning")
        return redirect(local_target(request.form.get("next")))
    flash(_("Bạn đã tham gia lớp %(name)s.", name=classroom.name), "success")
    return redirect(url_for("teaching.assigned"))


@bp.post("/me/invitations/<int:invitation_id>/decline")
@login_required
def decline_invitation(invitation_id: int):
    classroom = services.decline_invitation(_my_invitation_or_404(invitation_id))
    flash(_("Đã từ chối lời mời vào lớp %(name)s.", name=classroom.name), "success")
    return redirect(local_target(request.form.get("next")))
