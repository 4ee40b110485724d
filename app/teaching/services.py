"""Classes, rosters, assignments and the progress grid, without HTTP."""

from __future__ import annotations

import csv
import io
import itertools
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from types import SimpleNamespace
from datetime import date

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from werkzeug.security import generate_password_hash

from app import jobs
from app.assessment.models import Attempt
from app.audit.services import record
from app.auth.access import relation
from app.auth.models import User
from app.auth.passwords import one_time_password
from app.auth.services import AccountError, parse_login
from app.catalog import Catalog
from app.certificates.models import Certificate
from app.certificates.pdf import certificates_zip
from app.columns import utcnow
from app.courses.models import ModuleProgress
from app.courses.services import progress_key
from app.csvutil import group_matcher, read_records
from app.csvutil import safe_cell as _safe_cell
from app.extensions import db
from app.percentages import percent, percent_sql
from app.text import clean_name, name_key

from .models import ASSIGNMENT_KINDS, CLASS_KINDS, Assignment, Classroom, Invitation, Membership

# No 0/O or 1/I/L: a join code is read aloud and typed on small phones.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# An alphabet for one-time passwords, not a password.
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


# -- classes ---------------------------------------------------------------------------

def classes_of(teacher_id: int) -> list[Classroom]:
    return list(db.session.scalars(sa.select(Classroom).where(Classroom.teacher_id == teacher_id)
                                   .order_by(Classroom.archived_at.is_not(None), Classroom.name)))


def create_class(teacher_id: int, name: str, kind: str) -> Classroom:
    if kind not in CLASS_KINDS:
        raise TeachingError(_l("Loại lớp không hợp lệ."))
    for _attempt in range(5):  # a clash of 7-character codes is rare; try again if it happens
        classroom = Classroom(teacher_id=teacher_id, name=clean_name(name), kind=kind,
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
    classroom.name = clean_name(name)
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
    joined = _enrol(classroom, user_id)
    db.session.commit()
    return joined


def _enrol(classroom: Classroom, user_id: int) -> bool:
    """The membership, uncommitted; an invitation to the class is used up by joining."""
    if classroom.archived_at is not None:
        raise TeachingError(_l("Lớp này đã đóng, không nhận thêm học viên."))
    db.session.execute(sa.delete(Invitation).where(
        Invitation.classroom_id == classroom.id, Invitation.user_id == user_id))
    try:
        with db.session.begin_nested():
            db.session.add(Membership(classroom_id=classroom.id, user_id=user_id))
    except IntegrityError:
        return False
    return True


def remove_member(classroom: Classroom, user_id: int) -> None:
    db.session.execute(sa.delete(Membership).where(
        Membership.classroom_id == classroom.id, Membership.user_id == user_id))
    forget_grid(classroom.id)
    db.session.commit()


def members(classroom_id: int) -> list[User]:
    users = db.session.scalars(sa.select(User).join(Membership, Membership.user_id == User.id)
                               .where(Membership.classroom_id == classroom_id))
    return sorted(users, key=lambda u: (name_key(u.full_name), u.id))


@relation("teaches")  # auth's may_act_for asks it: a teacher's right over their learners
def teaches(teacher_id: int, user_id: int) -> bool:
    """Whether the person is a member of one of this teacher's classes."""
    return db.session.scalar(sa.select(Membership.id)
                             .join(Classroom, Classroom.id == Membership.classroom_id)
                             .where(Classroom.teacher_id == teacher_id,
                                    Membership.user_id == user_id).limit(1)) is not None


# -- invitations -------------------------------------------------------------------------
# A teacher never enrols an existing account: the person is invited and consents. What the
# teacher is told never depends on whether the login has an account.

def invite_by_login(classroom: Classroom, login: str, teacher_id: int) -> None:
    """Invite the account behind `login` if there is one; returns nothing on purpose."""
    if classroom.archived_at is not None:
        raise TeachingError(_l("Lớp này đã đóng, không nhận thêm học viên."))
    try:
        kind, value = parse_login(login)
    except AccountError as exc:
        raise TeachingError(exc.message) from None
    column = User.email if kind == "email" else User.phone
    user_id = db.session.scalar(sa.select(User.id).where(column == value))
    if user_id is not None:
        _invite(classroom, user_id, teacher_id, _members_and_invited(classroom.id))
    db.session.commit()


def _members_and_invited(classroom_id: int) -> set[int]:
    members_ = db.session.scalars(sa.select(Membership.user_id).where(
        Membership.classroom_id == classroom_id))
    invited = db.session.scalars(sa.select(Invitation.user_id).where(
        Invitation.classroom_id == classroom_id))
    return set(members_) | set(invited)


def _invite(classroom: Classroom, user_id: int, teacher_id: int, known: set[int]) -> None:
    """Add an invitation (uncommitted) unless the person is already in or already invited."""
    if user_id in known:
        return
    known.add(user_id)
    try:
        with db.session.begin_nested():
            db.session.add(Invitation(classroom_id=classroom.id, user_id=user_id,
                                      invited_by=teacher_id))
    except IntegrityError:
        return  # another request invited them a moment ago: same outcome, no error to show
    record(teacher_id, "class.invite", "classroom", classroom.id, user_id=user_id)


@dataclass(frozen=True)
class PendingInvitation:
    invitation: Invitation
    classroom: Classroom
    teacher_name: str


def invitations_for(user_id: int) -> list[PendingInvitation]:
    """The learner's invitations, newest first, with what they need to decide."""
    teacher = aliased(User)
    rows = db.session.execute(
        sa.select(Invitation, Classroom, teacher.full_name)
        .join(Classroom, Classroom.id == Invitation.classroom_id)
        .join(teacher, teacher.id == Classroom.teacher_id)
        .where(Invitation.user_id == user_id)
        .order_by(Invitation.created_at.desc(), Invitation.id.desc()))
    return [PendingInvitation(i, c, name) for i, c, name in rows]


def accept_invitation(invitation: Invitation) -> Classroom:
    """Join the class the learner was invited to; a closed class refuses, as with its code."""
    classroom = db.session.get_one(Classroom, invitation.classroom_id)
    user_id, invited_by = invitation.user_id, invitation.invited_by
    _enrol(classroom, user_id)  # deletes the invitation too
    record(user_id, "class.invitation_accept", "classroom", classroom.id, invited_by=invited_by)
    db.session.commit()
    return classroom


def decline_invitation(invitation: Invitation) -> Classroom:
    classroom = db.session.get_one(Classroom, invitation.classroom_id)
    record(invitation.user_id, "class.invitation_decline", "classroom", classroom.id,
           invited_by=invitation.invited_by)
    db.session.delete(invitation)
    db.session.commit()
    return classroom


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
    # Rows whose login already had an account: invited, never named or told apart to the teacher.
    others: int = 0


def parse_roster(data: bytes, catalog: Catalog) -> tuple[list[RosterRow], list[tuple[int, str]]]:
    """Rows and (line, problem) pairs. Columns: name, email or phone, group (slug or name)."""
    records, problems = read_records(data, max_bytes=MAX_ROSTER_BYTES, max_rows=MAX_ROSTER_ROWS,
                                     header_words=_ROSTER_HEADER)
    if problems:
        return [], problems
    group_of = group_matcher(catalog.groups.values())
    rows, seen = [], {}
    for line, cells in records:
        if len(cells) != 3:
            problems.append((line, str(_l("Cần đúng 3 cột: họ tên, email hoặc số điện thoại, nhóm; "
                                          "dòng này có %(n)s.", n=len(cells)))))
            continue
        name, login, group = cells
        name = clean_name(name)
        if not 2 <= len(name) <= 120:
            problems.append((line, str(_l("Họ tên dài từ 2 đến 120 ký tự."))))
            continue
        try:
            kind, value = parse_login(login)
        except AccountError as exc:
            problems.append((line, str(exc.message)))
            continue
        slug = group_of(group)
        if slug is None:
            problems.append((line, str(_l("Nhóm không hợp lệ: '%(g)s' (dùng %(all)s).", g=group[:40],
                                          all=", ".join(catalog.groups)))))
            continue
        if value in seen:
            problems.append((line, str(_l("Trùng với dòng %(n)s.", n=seen[value]))))
            continue
        seen[value] = line
        rows.append(RosterRow(line, name, kind, value, slug))
    return rows, problems


def _one_time_credentials(count: int, on_progress: Callable[[int, int], None] | None):
    """`count` (password, hash) pairs. The hashing is the roster's whole cost, so it runs before
    the transaction opens, on two threads (hashlib's scrypt releases the GIL), at the one-time
    cost (config.py says why that is enough for a random password changed at first sign-in)."""
    method = current_app.config["ONE_TIME_PASSWORD_HASH_METHOD"]
    passwords = [one_time_password() for _ in range(count)]
    out = []
    if on_progress:
        on_progress(0, count)
    with ThreadPoolExecutor(max_workers=2) as pool:
        for done, hashed in enumerate(pool.map(
                lambda p: generate_password_hash(p, method=method), passwords), 1):
            out.append(hashed)
            if on_progress and (done % 25 == 0 or done == count):
                on_progress(done, count)
    return list(zip(passwords, out))


def import_roster(classroom: Classroom, rows: list[RosterRow], teacher: User,
                  on_progress: Callable[[int, int], None] | None = None) -> RosterResult:
    """Create missing accounts (with one-time passwords) and enrol them; invite the accounts
    that already existed. One transaction. `on_progress(done, total)`: passwords made so far."""
    result = RosterResult()
    emails = [r.login for r in rows if r.kind == "email"]
    phones = [r.login for r in rows if r.kind == "phone"]
    found = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(emails)))}
    found.update({u.phone: u for u in db.session.scalars(sa.select(User).where(User.phone.in_(phones)))})
    credentials = iter(_one_time_credentials(sum(r.login not in found for r in rows), on_progress))
    known = _members_and_invited(classroom.id)
    for row in rows:
        user = found.get(row.login)
        if user is not None:
            _invite(classroom, user.id, teacher.id, known)
            result.others += 1
            continue
        password, password_hash = next(credentials)
        user = User(full_name=row.full_name, group_slug=row.group_slug,
                    province_code=teacher.province_code, commune_code=teacher.commune_code,
                    must_change_password=True, password_hash=password_hash)
        setattr(user, row.kind, row.login)
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(classroom_id=classroom.id, user_id=user.id))
        result.created.append((user, password))
    db.session.commit()
    return result


def start_roster_import(classroom: Classroom, rows: list[RosterRow], teacher: User) -> jobs.Job:
    """import_roster() as a job: a school's 1,000 learners must not hold a web worker."""
    return jobs.start("roster_import", teacher.id, total=len(rows), payload={
        "class_id": classroom.id, "teacher_id": teacher.id, "rows": [asdict(r) for r in rows]})


@jobs.task("roster_import")
def _roster_job(job: jobs.Job) -> dict:
    payload = job.payload
    classroom = db.session.get(Classroom, payload["class_id"])
    teacher = db.session.get(User, payload["teacher_id"])
    rows = [RosterRow(**r) for r in payload["rows"]]
    result = import_roster(classroom, rows, teacher,
                           on_progress=lambda done, total: jobs.progress(job, done, total))
    return {"created": [[u.full_name, u.login, password] for u, password in result.created],
            "others": result.others}


def roster_result(job: jobs.Job) -> RosterResult | None:
    """The finished job's result for the one-time passwords page, or None once it was shown."""
    if not job.result or "created" not in job.result:
        return None
    return RosterResult(created=[(SimpleNamespace(full_name=name, login=login), password)
                                 for name, login, password in job.result["created"]],
                        others=job.result["others"])


def forget_passwords(job: jobs.Job) -> None:
    """The passwords page shows them once: afterwards only the counts stay (until the job goes)."""
    jobs.forget_result(job, {"count": len(job.result["created"]), "others": job.result["others"]})


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
    forget_grid(classroom.id)
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


_grid_stamps = itertools.count(1)


@dataclass
class Grid:
    items: list[Item]
    learners: list[Learner]
    cells: dict[tuple[int, int], Cell]  # (user id, assignment id) → cell
    stamp: int = field(default_factory=lambda: next(_grid_stamps))  # this build, for its page

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


@dataclass(frozen=True)
class Learner:
    """What the grid shows of a member: a plain row, not the account."""

    id: int
    full_name: str
    email: str | None
    phone: str | None

    @property
    def login(self) -> str:
        return self.email or self.phone or ""


def class_key(classroom_id: int) -> str:
    """A class's roster and assignments, for its cached grid (app/caching.py)."""
    return f"class:{classroom_id}"




def class_grid(classroom: Classroom, catalog: Catalog, today: date) -> Grid:
    """Learners × assignments, kept per class until its roster, its assignments or any member's
    progress changes (each bumps a generation after its commit); else a fixed number of
    queries whatever the class size."""
    caches = current_app.extensions["caches"]
    cache, generations = caches.cache("grids"), caches.generations
    key = (classroom.id, id(catalog), today)
    class_generation = generations.get(class_key(classroom.id))  # before any read: caching.py
    entry = cache.get(key, class_generation)
    if entry is not None:
        member_generations, grid = entry
        if generations.get_many([progress_key(u.id) for u in grid.learners]) == member_generations:
            return grid
    learners = [Learner(*row) for row in db.session.execute(
        sa.select(User.id, User.full_name, User.email, User.phone)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.classroom_id == classroom.id).order_by(User.full_name, User.id))]
    member_generations = generations.get_many([progress_key(u.id) for u in learners])
    assignments = assignments_of(classroom.id)
    cells = _cells([u.id for u in learners], assignments, catalog, today)
    grid = Grid([describe(a, catalog) for a in assignments], learners, cells)
    if None not in member_generations:
        cache.put(key, class_generation, (member_generations, grid))
    return grid


def _changed(session, name: str) -> set:
    return session.info.setdefault(name, set())


@sa.event.listens_for(db.session, "after_flush")
def _note_grid_changes(session, _context):
    # A member's progress bumps progress_key (app/courses/services.py); here, the rest.
    classes = _changed(session, "changed_classes")
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, (Membership, Assignment)):
            classes.add(obj.classroom_id)
        elif isinstance(obj, Classroom):
            classes.add(obj.id)
        elif isinstance(obj, User):  # a name the grid shows
            _changed(session, "changed_names").add(obj.id)


@sa.event.listens_for(db.session, "after_commit")
def _forget_grids(session):
    classes = session.info.pop("changed_classes", set())
    names = session.info.pop("changed_names", set())
    if (classes or names) and has_app_context() and "caches" in current_app.extensions:
        current_app.extensions["caches"].bump(*map(class_key, classes), *map(progress_key, names))


def forget_grid(classroom_id: int) -> None:
    """After a change written around the session (a Core DELETE of members or assignments)."""
    _changed(db.session(), "changed_classes").add(classroom_id)


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
                          sa.func.max(percent_sql(Attempt.correct, Attempt.total)),
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
        return _course_cell(uid, course, progress, results, completed)
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


def _course_cell(uid, course, progress, results, completed) -> Cell:
    if (uid, course.slug) in completed:
        return Cell(DONE, 100)
    checks = [m.check for m in course.modules if m.check]
    steps = sum(progress.get((uid, course.slug, m.slug), False) for m in course.modules) + sum(
        results.get((uid, c.key), (0, False))[1] for c in checks)
    total = len(course.modules) + len(checks)
    started = steps or any((uid, course.slug, m.slug) in progress for m in course.modules) or any(
        (uid, c.key) in results for c in checks)
    return Cell(IN_PROGRESS if started else NOT_STARTED, percent(steps, total) if total else 0)


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


def has_certificates(classroom_id: int) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(
        Membership.classroom_id == classroom_id, Membership.user_id == Certificate.user_id)))


def _class_certificates(classroom_id: int) -> sa.Select:
    return (sa.select(Certificate).join(Membership, Membership.user_id == Certificate.user_id)
            .where(Membership.classroom_id == classroom_id))


def class_certificates(classroom_id: int) -> list[Certificate]:
    """Every certificate held by the class's members (courses and confirmations)."""
    return list(db.session.scalars(_class_certificates(classroom_id).order_by(Certificate.id)))


def start_certificates_zip(classroom: Classroom, lang: str) -> jobs.Job | None:
    """The class's certificate ZIP as a job (about 0.2 s a PDF: a school's hundreds take
    minutes), in the language of whoever asked; None when no member holds a certificate yet.
    The class's teacher owns the job, whoever started it (the teacher, or an admin)."""
    count = db.session.scalar(sa.select(sa.func.count()).select_from(
        _class_certificates(classroom.id).subquery()))
    if not count:
        return None
    return jobs.start("certificates_zip", classroom.teacher_id, total=count,
                      payload={"class_id": classroom.id, "lang": lang})


@jobs.task("certificates_zip")
def _certificates_zip_job(job: jobs.Job) -> dict:
    class_id = job.payload["class_id"]

    def report(done: int, total: int) -> None:
        if done % 10 == 0 or done == total:  # a row update per 10 PDFs is plenty for the bar
            jobs.progress(job, done, total)

    with force_locale(job.payload["lang"]):
        certificates = class_certificates(class_id)
        job.file = certificates_zip(certificates, on_progress=report)
    return {"class_id": class_id, "count": len(certificates)}


def certificates_job(classroom: Classroom, job_id: str) -> jobs.Job | None:
    """A certificate ZIP job of this class (its teacher owns it), or None."""
    job = jobs.job_of(classroom.teacher_id, job_id, "certificates_zip")
    if job is None:
        return None
    # A failed job keeps neither payload nor result: being the class teacher's is then enough.
    class_id = (job.payload or job.result or {}).get("class_id", classroom.id)
    return job if class_id == classroom.id else None
