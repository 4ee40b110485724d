"""Reading progress, without HTTP."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.exc import IntegrityError

from app.catalog import Catalog, Course, Module, get_catalog
from app.columns import utcnow
from app.extensions import db
from app.percentages import percent

from .completion import Completion, commit_step, step_recorded
from .models import ModuleProgress


def progress_by_module(user_id: int, course_slug: str) -> dict[str, ModuleProgress]:
    rows = db.session.scalars(sa.select(ModuleProgress).where(
        ModuleProgress.user_id == user_id, ModuleProgress.course_slug == course_slug))
    return {p.module_slug: p for p in rows}


def _progress_row(user_id: int, module: Module) -> tuple[ModuleProgress, bool]:
    """The learner's row for the module, created on first visit (then True); safe when two
    tabs race."""
    where = (ModuleProgress.user_id == user_id, ModuleProgress.course_slug == module.course_slug,
             ModuleProgress.module_slug == module.slug)
    row = db.session.scalar(sa.select(ModuleProgress).where(*where))
    if row is not None:
        return row, False
    try:
        with db.session.begin_nested():
            row = ModuleProgress(user_id=user_id, course_slug=module.course_slug,
                                 module_slug=module.slug)
            db.session.add(row)
    except IntegrityError:
        return db.session.scalar(sa.select(ModuleProgress).where(*where)), False
    return row, True


def record_visit(user_id: int, module: Module) -> ModuleProgress:
    row, created = _progress_row(user_id, module)
    # Commit the first visit. (The savepoint had flushed the new row, so `session.new` no
    # longer listed it: PostgreSQL lost every first visit; SQLite kept them by chance.)
    if created:
        db.session.commit()
    return row


def progress_key(user_id: int) -> str:
    """A learner's progress (visits, reads, checks, certificates): bumped after every commit
    that changes it (the session hooks below), so what is cached from it (the read state of a
    page, a class's grid) is never stale."""
    return f"progress:{user_id}"


# Rows that are a learner's progress, by table: the layers above own most of them (attempts,
# scores, certificates), and every one carries the learner's user_id.
PROGRESS_TABLES = frozenset({"module_progress", "attempts", "competence_scores", "certificates"})


def _changed_progress(session) -> set:
    return session.info.setdefault("changed_progress", set())


@step_recorded.connect
def _note_step(_sender, user_id: int, **_kwargs):
    _changed_progress(db.session()).add(user_id)  # a certificate's Core INSERT included


@sa.event.listens_for(db.session, "after_flush")
def _note_progress(session, _context):
    changed = _changed_progress(session)
    for obj in (*session.new, *session.dirty, *session.deleted):
        if getattr(obj, "__tablename__", None) in PROGRESS_TABLES:
            changed.add(obj.user_id)


@sa.event.listens_for(db.session, "after_commit")
def _forget_progress(session):
    changed = session.info.pop("changed_progress", None)
    if changed and has_app_context() and "caches" in current_app.extensions:
        current_app.extensions["caches"].bump(*map(progress_key, changed))


@dataclass(frozen=True)
class Visit:
    read_at: datetime | None


def visit(user_id: int, module: Module) -> Visit:
    """record_visit(), from memory once the row exists: a learner's next visits cost no query."""
    return current_app.extensions["caches"].fetch(
        "visits", (user_id, module.course_slug, module.slug), progress_key(user_id),
        lambda: Visit(record_visit(user_id, module).read_at))


def mark_read(user_id: int, module: Module, catalog: Catalog | None = None) -> Completion | None:
    """Record that the learner read the module to the end, committed with what it completes
    (the course certificate, when this was the course's last step)."""
    row, _created = _progress_row(user_id, module)
    if row.read_at is None:
        row.read_at = utcnow()
    catalog = catalog or get_catalog()
    return commit_step(user_id, catalog, course=catalog.course(module.course_slug))


@dataclass(frozen=True)
class ModuleStatus:
    module: Module
    started: bool
    read: bool
    check_passed: bool
    best_percent: int | None  # best submitted attempt at the module's check


@dataclass(frozen=True)
class CourseStatus:
    course: Course
    modules: tuple[ModuleStatus, ...]

    @property
    def done_steps(self) -> int:
        return sum(m.read for m in self.modules) + sum(
            m.check_passed for m in self.modules if m.module.check)

    @property
    def total_steps(self) -> int:
        return len(self.modules) + sum(1 for m in self.modules if m.module.check)

    @property
    def percent(self) -> int:
        return percent(self.done_steps, self.total_steps) if self.total_steps else 0

    @property
    def complete(self) -> bool:
        return all(m.read and (m.check_passed or m.module.check is None) for m in self.modules)

    @property
    def next_module(self) -> Module | None:
        for m in self.modules:
            if not m.read or (m.module.check and not m.check_passed):
                return m.module
        return None


def _no_check_results(user_id: int, check_keys: list[str]) -> dict:
    return {}


# Each check's best result comes from assessment, the layer above, which hands its query in
# when it loads (set_check_results): courses shows results without importing upward.
_check_results = _no_check_results


def set_check_results(query) -> None:
    """`query(user_id, check_keys) -> {key: (best percent, passed once)}` (assessment's)."""
    global _check_results
    _check_results = query


def course_status(user_id: int | None, course: Course) -> CourseStatus:
    progress = progress_by_module(user_id, course.slug) if user_id else {}
    results = _check_results(user_id, [c.key for c in course.checks]) if user_id else {}
    return CourseStatus(course, tuple(
        ModuleStatus(
            module=m,
            started=m.slug in progress,
            read=m.slug in progress and progress[m.slug].read_at is not None,
            check_passed=bool(m.check and results.get(m.check.key, (None, False))[1]),
            best_percent=results.get(m.check.key, (None, False))[0] if m.check else None,
        )
        for m in course.modules
    ))


_HREF = re.compile(r'href="([^"#:]+)(#[^"]*)?"')


def offline_html(module: Module, base_url: str) -> str:
    """The module's HTML for the single-file offline copy: links to modules of the same
    course jump within the file; links to other courses go to the site."""

    def fix(match: re.Match) -> str:
        target, fragment = match.group(1), match.group(2) or ""
        if "/" not in target:
            return f'href="#{target}"'
        course_slug, module_slug = target.removeprefix("../").split("/", 1)
        return f'href="{base_url}/courses/{course_slug}/{module_slug}{fragment}"'

    return _HREF.sub(fix, module.html)
