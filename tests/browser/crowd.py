"""Demo data that fills every table: a learner in every commune of the province, a class of
40 learners with 10 assignments, units, denominators, an ambassador's citizens, a certificate.

Used by the 360-px walk over every page (test_every_page.py) and by hand to look at the pages
(`python -m tests.browser.crowd /tmp/crowd.sqlite3` prints the logins).
"""

from __future__ import annotations

import time

import sqlalchemy as sa

from app.ambassadors.services import register_citizen, start_session
from app.assessment.models import Attempt
from app.assessment.services import open_attempt, submit
from app.auth.models import User
from app.auth.services import register
from app.catalog.question_types import QUESTION_TYPES
from app.certificates.services import certificates_of
from app.courses.models import ModuleProgress
from app.courses.services import mark_read
from app.extensions import db
from app.jobs import QUEUED, RUNNING, Job
from app.localities import communes
from app.reports.models import CommuneDenominator, UnitDenominator
from app.reports.refresher import start_refresh
from app.reports.snapshot import refresh
from app.teaching.models import Membership
from app.teaching.services import add_assignment, create_class, start_certificates_zip
from app.units.models import Unit

PASSWORD = "mat-khau-du-dai-1"  # nosec B105 — made-up accounts, as tests/conftest.py's
PROVINCE = 38
STAFF = {"learner": "hocvien@crowd.vn", "teacher": "giaovien@crowd.vn",
         "ambassador": "daisu@crowd.vn", "leader": "lanhdao@crowd.vn", "admin": "quantri@crowd.vn"}
# Long real-looking names: the ones that push columns away on a phone.
NAMES = ("Nguyễn Thị Phương Thảo", "Lê Hoàng Bảo Ngọc", "Trần Văn Khánh", "Phạm Thị Mỹ Duyên",
         "Hoàng Minh Quân", "Tôn Nữ Thị Hồng Nhung", "Đặng Văn Đức", "Bùi Thị Thanh Hương")


def _answers(attempt, catalog) -> dict[str, list[str]]:
    form = {}
    for item in attempt.drawn:
        q = catalog.questions[item["id"]]
        kind = QUESTION_TYPES[q.type]
        form.update(kind.form_fields(f"q-{q.id}", item["order"], kind.right_answer(q)))
    return form


def _finish_course(user_id: int, course, catalog) -> None:
    """Read every module and pass every check, as the pages would: a real certificate."""
    for module in course.modules:
        mark_read(user_id, module, catalog)
        db.session.commit()
        if module.check is not None:
            attempt = open_attempt(user_id, module.check)
            submit(user_id, attempt.id, _answers(attempt, catalog), catalog)


def fill(app) -> dict:
    """Build the data in `app`'s database; returns the ids the pages need."""
    catalog = app.extensions["catalog"]
    places = [code for code, _name in communes(PROVINCE)]
    with app.app_context():
        ids = {role: register(full_name=f"{NAMES[i]} ({role})", login=login, password=PASSWORD,
                              group_slug="can-bo", province_code=PROVINCE,
                              commune_code=places[0], role=role, consent=True).id
               for i, (role, login) in enumerate(STAFF.items())}
        hashed = db.session.get(User, ids["learner"]).password_hash
        # Every commune has people to count, a denominator for each group and a learner.
        units = [Unit(province_code=PROVINCE, commune_code=places[i % 3], kind=kind,
                      name=f"{name} xã số {i + 1} (mẫu có tên rất dài để thử màn hình hẹp)")
                 for i, (kind, name) in enumerate([("agency", "UBND"), ("school", "Trường THCS"),
                                                   ("enterprise", "Công ty May"),
                                                   ("community_team", "Tổ công nghệ số")])]
        db.session.add_all(units)
        db.session.flush()
        for unit in units:
            db.session.add(UnitDenominator(unit_id=unit.id, group_slug="can-bo", people=25))
        for n, code in enumerate(places):
            for group in catalog.groups:
                db.session.add(CommuneDenominator(province_code=PROVINCE, commune_code=code,
                                                  group_slug=group, people=150 + n))
        groups = list(catalog.groups)
        people = [User(full_name=f"{NAMES[n % len(NAMES)]} {n + 1:03d}", email=f"hv{n:03d}@crowd.vn",
                       group_slug=groups[n % len(groups)], province_code=PROVINCE,
                       commune_code=places[n % len(places)], password_hash=hashed,
                       unit_id=units[n % len(units)].id if places[n % len(places)] ==
                       units[n % len(units)].commune_code else None)
                  for n in range(len(places))]
        db.session.add_all(people)
        db.session.commit()

        classroom = create_class(ids["teacher"], "Lớp Kỹ năng số — Tổ công nghệ số thôn Đông",
                                 "community")
        class_id = classroom.id
        learners = [p.id for p in people[:39]] + [ids["learner"]]
        db.session.add_all(Membership(classroom_id=class_id, user_id=u) for u in learners)
        db.session.commit()
        course = catalog.course("ky-nang-so-co-ban")
        targets = [("course", "ky-nang-so-co-ban")]
        for c in catalog.courses.values():
            for m in c.modules:
                targets.append(("check" if m.check else "module", f"{c.slug}/{m.slug}"))
        for kind, target in targets[:10]:
            add_assignment(db.session.get(type(classroom), class_id), kind, target, None, catalog)
        # Some progress: the first modules read by half the class.
        for i, uid in enumerate(learners[:20]):
            for module in course.modules[:1 + i % len(course.modules)]:
                db.session.add(ModuleProgress(user_id=uid, course_slug=course.slug,
                                              module_slug=module.slug, read_at=sa.func.now()))
        db.session.commit()
        _finish_course(ids["learner"], course, catalog)
        ambassador = db.session.get(User, ids["ambassador"])
        sheets = [register_citizen(ambassador, full_name=f"Bà {NAMES[n]}", phone=f"09123450{n:02d}",
                                   group_slug="nguoi-dan", commune_code=places[0],
                                   village="Thôn Đông", unit_id=None, catalog=catalog)
                  for n in range(3)]
        db.session.commit()
        citizen = db.session.scalar(sa.select(User).where(User.phone == "0912345000"))
        session_id = start_session(ambassador, citizen, catalog).id
        refresh(catalog, PROVINCE)
        certificate = certificates_of(ids["learner"])[0].code
        # A member of the class to open from the grid, and the learner's own certificate.
        attempt_id = db.session.scalar(sa.select(Attempt.id).where(Attempt.user_id == ids["learner"]))
        # The class's certificate ZIP and a dashboard refresh, as jobs (threads here), finished.
        zip_job = start_certificates_zip(db.session.get(type(classroom), class_id), "vi").id
        refresh_job = start_refresh(PROVINCE, ids["admin"]).id
        _wait_for(zip_job, refresh_job)
        return {"ids": ids, "class_id": class_id, "member_id": learners[1], "sheets": len(sheets),
                "attempt_id": attempt_id, "session_id": session_id, "join_code": classroom.join_code,
                "certificate": certificate, "commune": places[0], "unit_id": units[0].id,
                "zip_job": zip_job, "refresh_job": refresh_job}


def _wait_for(*job_ids: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while db.session.scalar(sa.select(sa.func.count(Job.id)).where(
            Job.id.in_(job_ids), Job.state.in_((QUEUED, RUNNING)))):
        assert time.monotonic() < deadline, "the jobs did not finish"
        db.session.rollback()  # a new read: the threads' commits
        time.sleep(0.05)


if __name__ == "__main__":  # a database to look at the pages by hand
    import sys

    from flask_migrate import upgrade

    from app import create_app

    target = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{sys.argv[1]}",
                         "PASSWORD_HASH_METHOD": "scrypt:1024:8:1"})
    with target.app_context():
        upgrade(directory="migrations")
    print(fill(target), STAFF, PASSWORD)
