"""Classes, rosters, assignments and the progress grid, without HTTP."""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.assessment.models import Attempt
from app.assessment.services import percent_of
from app.auth.models import User
from app.auth.services import AccountError, parse_login
from app.catalog import Catalog
from app.certificates.models import Certificate
from app.courses.models import ModuleProgress
from app.csvutil import read_records
from app.csvutil import safe_cell as _safe_cell
from app.extensions import db
from app.models import utcnow
from app.text import name_key

from .models import ASSIGNMENT_KINDS, CLASS_KINDS, Assignment, Classroom, Membership

# No 0/O or 1/I/L: a join code is read aloud and typed on small phones.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# An alphabet for one-time passwords, not a password.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # nosec B105
MAX_ROSTER_BYTES = 512 * 1024
MAX_ROSTER_ROWS = 2000
_ROSTER_HEADER = {"họ và tên", "ho va ten", "name", "họ tên"}


class TeachingError(Exception):
    status = 400

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def new_join_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(7))


def one_time_password() -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(10))


# -- classes ---------------------------------------------------------------------------

def classes_of(teacher_id: int) -> list[Classroom]:
    return list(db.session.scalars(sa.select(Classroom).where(Classroom.teacher_id == teacher_id)
                                   .order_by(Classroom.archived_at.is_not(None), Classroom.name)))


def create_class(teacher_id: int, name: str, kind: str) -> Classroom:
    if kind not in CLASS_KINDS:
        raise TeachingError(_l("Loại lớp không hợp lệ."))
    for _attempt in range(5):  # a clash of 7-character codes is rare; try again if it happens
        classroom = Classroom(teacher_id=teacher_id, name=" ".join(name.split()), kind=kind,
                              join_code=new_join_code())
        db.session.add(classroom)
        try:
            db.session.commit()
            return classroom
        except IntegrityError:
            db.session.rollback()
    raise TeachingError(_l("Không tạo được mã lớp, hãy thử lại."))


def rename_class(classroom: Classroom, name: str, kind: str) -> None:
    if kind not in CLASS_KINDS:
        raise TeachingError(_l("Loại lớp không hợp lệ."))
    classroom.name = " ".join(name.split())
    classroom.kind = kind
    db.session.commit()


def set_archived(classroom: Classroom, archived: bool) -> None:
    classroom.archived_at = utcnow() if archived else None
    db.session.commit()


def class_by_code(code: str) -> Classroom | None:
    code = "".join((code or "").split()).upper()
    if not code or len(code) > 12:
        return None
    return db.session.scalar(sa.select(Classroom).where(Classroom.join_code == code))


def join(classroom: Classroom, user_id: int) -> bool:
    """Add the learner to the class; False if already a member."""
    if classroom.archived_at is not None:
        raise TeachingError(_l("Lớp này đã đóng, không nhận thêm học viên."))
    try:
        with db.session.begin_nested():
            db.session.add(Membership(classroom_id=classroom.id, user_id=user_id))
    except IntegrityError:
        return False
    db.session.commit()
    return True


def remove_member(classroom: Classroom, user_id: int) -> None:
    db.session.execute(sa.delete(Membership).where(
        Membership.classroom_id == classroom.id, Membership.user_id == user_id))
    db.session.commit()


def members(classroom_id: int) -> list[User]:
    users = db.session.scalars(sa.select(User).join(Membership, Membership.user_id == User.id)
                               .where(Membership.classroom_id == classroom_id))
    return sorted(users, key=lambda u: (name_key(u.full_name), u.id))


def add_member_by_login(classroom: Classroom, login: str) -> User:
    try:
        kind, value = parse_login(login)
    except AccountError as exc:
        raise TeachingError(exc.message) from None
    column = User.email if kind == "email" else User.phone
    user = db.session.scalar(sa.select(User).where(column == value))
    if user is None:
        raise TeachingError(_l("Chưa có tài khoản nào với email hoặc số điện thoại này. "
                               "Hãy nhập danh sách lớp để tạo tài khoản."))
    join(classroom, user.id)
    return user


# -- roster import -----------------------------------------------------------------------

@dataclass
class RosterRow:
    line: int
    full_name: str
    kind: str  # "email" | "phone"
    login: str
    group_slug: str


@dataclass
class RosterResult:
    created: list[tuple[User, str]] = field(default_factory=list)  # (account, one-time password)
    existing: list[User] = field(default_factory=list)


def parse_roster(data: bytes, catalog: Catalog) -> tuple[list[RosterRow], list[tuple[int, str]]]:
    """Rows and (line, problem) pairs. Columns: name, email or phone, group (slug or name)."""
    records, problems = read_records(data, max_bytes=MAX_ROSTER_BYTES, max_rows=MAX_ROSTER_ROWS,
                                     header_words=_ROSTER_HEADER)
    if problems:
        return [], problems
    groups = {g.slug: g.slug for g in catalog.groups.values()}
    groups.update({g.name.casefold(): g.slug for g in catalog.groups.values()})
    rows, seen = [], {}
    for line, cells in records:
        if len(cells) != 3:
            problems.append((line, str(_l("Cần đúng 3 cột: họ tên, email hoặc số điện thoại, nhóm; "
                                          "dòng này có %(n)s.", n=len(cells)))))
            continue
        name, login, group = cells
        if not 2 <= len(name) <= 120:
            problems.append((line, str(_l("Họ tên dài từ 2 đến 120 ký tự."))))
            continue
        try:
            kind, value = parse_login(login)
        except AccountError as exc:
            problems.append((line, str(exc.message)))
            continue
        slug = groups.get(group.casefold())
        if slug is None:
            problems.append((line, str(_l("Nhóm không hợp lệ: '%(g)s' (dùng %(all)s).", g=group[:40],
                                          all=", ".join(catalog.groups)))))
            continue
        if value in seen:
            problems.append((line, str(_l("Trùng với dòng %(n)s.", n=seen[value]))))
            continue
        seen[value] = line
        rows.append(RosterRow(line, " ".join(name.split()), kind, value, slug))
    return rows, problems


def import_roster(classroom: Classroom, rows: list[RosterRow], teacher: User) -> RosterResult:
    """Create missing accounts (with one-time passwords) and enrol everyone, in one transaction."""
    result = RosterResult()
    emails = [r.login for r in rows if r.kind == "email"]
    phones = [r.login for r in rows if r.kind == "phone"]
    found = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(emails)))}
    found.update({u.phone: u for u in db.session.scalars(sa.select(User).where(User.phone.in_(phones)))})
    already = set(db.session.scalars(sa.select(Membership.user_id).where(
        Membership.classroom_id == classroom.id)))
    for row in rows:
        user = found.get(row.login)
        if user is None:
            password = one_time_password()
            user = User(full_name=row.full_name, group_slug=row.group_slug,
                        province_code=teacher.province_code, commune_code=teacher.commune_code,
                        must_change_password=True)
            setattr(user, row.kind, row.login)
            user.set_password(password)
            db.session.add(user)
            result.created.append((user, password))
        else:
            result.existing.append(user)
        if user.id is None or user.id not in already:
            db.session.flush()
            db.session.add(Membership(classroom_id=classroom.id, user_id=user.id))
            already.add(user.id)
    db.session.commit()
    return result


# -- assignments --------------------------------------------------------------------------

def assignments_of(classroom_id: int) -> list[Assignment]:
    return list(db.session.scalars(sa.select(Assignment).where(Assignment.classroom_id == classroom_id)
                                   .order_by(Assignment.due_on.is_(None), Assignment.due_on,
                                             Assignment.id)))


def add_assignment(classroom: Classroom, kind: str, target: str, due_on: date | None,
                   catalog: Catalog) -> Assignment:
    """`target` is "course" or "course/module"; kind check needs a module with a check."""
    if kind not in ASSIGNMENT_KINDS:
        raise TeachingError(_l("Loại bài giao không hợp lệ."))
    course_slug, _, module_slug = (target or "").partition("/")
    course = catalog.course(course_slug)
    module = course.module(module_slug) if course and module_slug else None
    if course is None or (kind != "course" and module is None) or (kind == "course" and module_slug):
        raise TeachingError(_l("Hãy chọn khóa học hoặc bài học trong danh sách."))
    if kind == "check" and module.check is None:
        raise TeachingError(_l("Bài học này không có bài kiểm tra."))
    assignment = Assignment(classroom_id=classroom.id, kind=kind, course_slug=course_slug,
                            module_slug=module_slug or None, due_on=due_on)
    db.session.add(assignment)
    db.session.commit()
    return assignment


def remove_assignment(classroom: Classroom, assignment_id: int) -> None:
    db.session.execute(sa.delete(Assignment).where(
        Assignment.id == assignment_id, Assignment.classroom_id == classroom.id))
    db.session.commit()


# -- progress ----------------------------------------------------------------------------

NOT_STARTED, IN_PROGRESS, DONE, PASSED, FAILED = "not_started", "in_progress", "done", "passed", "failed"


@dataclass(frozen=True)
class Cell:
    state: str
    score: int | None = None  # best percent, for checks and courses' progress
    overdue: bool = False


@dataclass(frozen=True)
class Item:
    assignment: Assignment
    title: str
    course_title: str


@dataclass
class Grid:
    items: list[Item]
    learners: list[User]
    cells: dict[tuple[int, int], Cell]  # (user id, assignment id) → cell

    def totals(self, assignment_id: int) -> dict[str, int]:
        counts = {NOT_STARTED: 0, IN_PROGRESS: 0, DONE: 0, PASSED: 0, FAILED: 0, "overdue": 0}
        for learner in self.learners:
            cell = self.cells[(learner.id, assignment_id)]
            counts[cell.state] += 1
            counts["overdue"] += cell.overdue
        return counts

    def finished(self, assignment_id: int) -> int:
        t = self.totals(assignment_id)
        return t[DONE] + t[PASSED]


def describe(assignment: Assignment, catalog: Catalog) -> Item:
    course = catalog.course(assignment.course_slug)
    module = course.module(assignment.module_slug) if course and assignment.module_slug else None
    if course is None or (assignment.module_slug and module is None):
        return Item(assignment, str(_l("(nội dung đã bị gỡ)")), assignment.course_slug)
    return Item(assignment, module.title if module else course.title, course.title)


def my_assignments(user_id: int, catalog: Catalog, today: date) -> list[tuple[Item, Classroom, Cell]]:
    """Everything given to the learner's (open) classes, with where they stand."""
    rows = db.session.execute(
        sa.select(Assignment, Classroom).join(Classroom, Classroom.id == Assignment.classroom_id)
        .join(Membership, Membership.classroom_id == Classroom.id)
        .where(Membership.user_id == user_id, Classroom.archived_at.is_(None))
        .order_by(Assignment.due_on.is_(None), Assignment.due_on, Assignment.id)).all()
    if not rows:
        return []
    grid = _cells([user_id], [a for a, _ in rows], catalog, today)
    return [(describe(a, catalog), c, grid[(user_id, a.id)]) for a, c in rows]


def class_grid(classroom: Classroom, catalog: Catalog, today: date) -> Grid:
    """Learners × assignments: a fixed number of queries whatever the class size."""
    learners = members(classroom.id)
    assignments = assignments_of(classroom.id)
    cells = _cells([u.id for u in learners], assignments, catalog, today)
    return Grid([describe(a, catalog) for a in assignments], learners, cells)


def _cells(user_ids: list[int], assignments: list[Assignment], catalog: Catalog,
           today: date) -> dict[tuple[int, int], Cell]:
    if not user_ids or not assignments:
        return {}
    course_slugs = {a.course_slug for a in assignments}
    # 1. reading progress in the assigned courses
    progress: dict[tuple[int, str, str], bool] = {}
    for uid, course_slug, module_slug, read_at in db.session.execute(
            sa.select(ModuleProgress.user_id, ModuleProgress.course_slug, ModuleProgress.module_slug,
                      ModuleProgress.read_at)
            .where(ModuleProgress.user_id.in_(user_ids), ModuleProgress.course_slug.in_(course_slugs))):
        progress[(uid, course_slug, module_slug)] = read_at is not None
    # 2. best result per check
    check_keys = set()
    for a in assignments:
        course = catalog.course(a.course_slug)
        if course is None:
            continue
        modules = [course.module(a.module_slug)] if a.module_slug else list(course.modules)
        check_keys.update(m.check.key for m in modules if m is not None and m.check)
    results: dict[tuple[int, str], tuple[int, bool]] = {}
    if check_keys:
        for uid, key, best, passed in db.session.execute(
                sa.select(Attempt.user_id, Attempt.check_key,
                          sa.func.max(percent_of(Attempt.correct, Attempt.total)),
                          sa.func.max(sa.case((Attempt.passed.is_(True), 1), else_=0)))
                .where(Attempt.user_id.in_(user_ids), Attempt.check_key.in_(check_keys),
                       Attempt.submitted_at.is_not(None), Attempt.total > 0)
                .group_by(Attempt.user_id, Attempt.check_key)):
            results[(uid, key)] = (best, bool(passed))
    # 3. course certificates = courses completed
    completed = {(uid, slug) for uid, slug in db.session.execute(
        sa.select(Certificate.user_id, Certificate.course_slug).where(
            Certificate.user_id.in_(user_ids), Certificate.kind == "course",
            Certificate.course_slug.in_(course_slugs)))}

    cells = {}
    for a in assignments:
        course = catalog.course(a.course_slug)
        module = course.module(a.module_slug) if course and a.module_slug else None
        for uid in user_ids:
            cell = _cell(uid, a, course, module, progress, results, completed)
            overdue = a.due_on is not None and a.due_on < today and cell.state not in (DONE, PASSED)
            cells[(uid, a.id)] = Cell(cell.state, cell.score, overdue)
    return cells


def _cell(uid, a, course, module, progress, results, completed) -> Cell:
    if course is None or (a.module_slug and module is None):
        return Cell(NOT_STARTED)
    if a.kind == "course":
        if (uid, course.slug) in completed:
            return Cell(DONE, 100)
        steps = sum(progress.get((uid, course.slug, m.slug), False) for m in course.modules) + sum(
            results.get((uid, m.check.key), (0, False))[1] for m in course.modules if m.check)
        total = len(course.modules) + sum(1 for m in course.modules if m.check)
        started = steps or any((uid, course.slug, m.slug) in progress for m in course.modules) or any(
            (uid, m.check.key) in results for m in course.modules if m.check)
        return Cell(IN_PROGRESS if started else NOT_STARTED, round(100 * steps / total) if total else 0)
    if a.kind == "module":
        read = progress.get((uid, course.slug, module.slug))
        if read:
            return Cell(DONE)
        return Cell(IN_PROGRESS if read is not None else NOT_STARTED)
    best = results.get((uid, module.check.key))
    if best is None:
        seen = (uid, course.slug, module.slug) in progress
        return Cell(IN_PROGRESS if seen else NOT_STARTED)
    return Cell(PASSED if best[1] else FAILED, best[0])


STATE_LABELS = {
    NOT_STARTED: _l("Chưa bắt đầu"), IN_PROGRESS: _l("Đang học"), DONE: _l("Xong"),
    PASSED: _l("Đạt"), FAILED: _l("Chưa đạt"),
}


def grid_csv(grid: Grid) -> str:
    """The grid as CSV, the same numbers as the screen: a state and a number per item."""
    out = io.StringIO()
    writer = csv.writer(out)
    header = [str(_l("Học viên")), str(_l("Đăng nhập"))]
    for item in grid.items:
        header += [f"{item.title} — {_l('trạng thái')}", f"{item.title} — {_l('điểm (%)')}",
                   f"{item.title} — {_l('quá hạn')}"]
    writer.writerow([_safe_cell(h) for h in header])
    for learner in grid.learners:
        row = [learner.full_name, learner.login]
        for item in grid.items:
            cell = grid.cells[(learner.id, item.assignment.id)]
            row += [str(STATE_LABELS[cell.state]), "" if cell.score is None else cell.score,
                    1 if cell.overdue else 0]
        writer.writerow([_safe_cell(v) for v in row])
    writer.writerow([])
    totals = [str(_l("Tổng số xong/đạt")), ""]
    for item in grid.items:
        totals += [grid.finished(item.assignment.id), "", grid.totals(item.assignment.id)["overdue"]]
    writer.writerow([_safe_cell(v) for v in totals])
    return out.getvalue()


def class_certificates(classroom_id: int) -> list[Certificate]:
    """Every certificate held by the class's members (courses and confirmations)."""
    return list(db.session.scalars(
        sa.select(Certificate).join(Membership, Membership.user_id == Certificate.user_id)
        .where(Membership.classroom_id == classroom_id).order_by(Certificate.id)))
