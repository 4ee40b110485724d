"""A person's rights under the Personal Data Protection Law (Luật Bảo vệ dữ liệu cá nhân 2025),
without HTTP: everything the platform holds about them, to download, and deleting the account.

Deletion anonymises the row rather than removing it: issued certificates keep their snapshot
(holder_name) and keep verifying, and the province's counts, which read group, province and
commune from users, stay what they were.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.ambassadors.models import AmbassadorAction
from app.assessment.models import Answer, Attempt, CompetenceScore
from app.audit.models import AuditEvent
from app.audit.services import record
from app.auth.models import User
from app.auth.services import AccountError
from app.certificates.models import Certificate
from app.certificates.services import verify_url
from app.columns import utcnow
from app.courses.models import ModuleProgress
from app.csvutil import safe_cell
from app.extensions import db
from app.offline.models import OfflineSubmission
from app.reports.models import AmbassadorCount, LearnerStatus
from app.teaching.models import Classroom, Invitation, Membership

FORMATS = ("json", "csv")
# Never leave the server, whoever asks: a hash to guess passwords from, a session's key.
SECRET_COLUMNS = frozenset({"password_hash", "session_nonce"})
# Of an attempt the person only supervised (an ambassador): the citizen's answers stay out.
_SUPERVISED_COLUMNS = ("id", "user_id", "check_key", "started_at", "submitted_at", "passed",
                       "supervisor_id")
DELETED_NAME = "Tài khoản đã xoá"  # stored, not translated: it is what the row now says


def deleted_login(user_id: int) -> str:
    """The login a deleted account keeps (email or phone must be set): parse_login refuses the
    reserved top-level domain .invalid, so nobody can sign in with it or register it."""
    return f"deleted-{user_id}@invalid"


# -- the export ----------------------------------------------------------------------------------

def _rows(table: sa.Table, where, columns: tuple[str, ...] | None = None) -> list[dict]:
    chosen = [c for c in table.columns
              if c.name not in SECRET_COLUMNS and (columns is None or c.name in columns)]
    query = sa.select(*chosen).where(where).order_by(*table.primary_key.columns)
    return [dict(row._mapping) for row in db.session.execute(query)]


def personal_data(user: User) -> dict[str, list[dict]]:
    """Every row that refers to the person, by table: every table with a foreign key to
    users.id, and the parts of their attempts (tests/auth/test_personal_data.py fails when a
    new one is missing here)."""
    uid = str(user.id)
    mine = sa.and_(AuditEvent.subject_type == "user", AuditEvent.subject_id == uid)
    attempts = _rows(Attempt.__table__, Attempt.user_id == user.id) + _rows(
        Attempt.__table__, sa.and_(Attempt.supervisor_id == user.id, Attempt.user_id != user.id),
        _SUPERVISED_COLUMNS)
    certificates = _rows(Certificate.__table__, Certificate.user_id == user.id)
    for row in certificates:  # what is printed on it, besides what is stored
        row["serial"] = db.session.get_one(Certificate, row["id"]).serial
        row["verify_url"] = verify_url(row["code"])
    return {
        "users": _rows(User.__table__, User.id == user.id),
        "module_progress": _rows(ModuleProgress.__table__, ModuleProgress.user_id == user.id),
        "attempts": sorted(attempts, key=lambda row: row["id"]),
        "attempt_answers": _rows(Answer.__table__, Answer.attempt_id.in_(
            sa.select(Attempt.id).where(Attempt.user_id == user.id))),
        "competence_scores": _rows(CompetenceScore.__table__, CompetenceScore.user_id == user.id),
        "offline_submissions": _rows(OfflineSubmission.__table__,
                                     OfflineSubmission.user_id == user.id),
        "certificates": certificates,
        "learner_status": _rows(LearnerStatus.__table__, LearnerStatus.user_id == user.id),
        "classrooms": _rows(Classroom.__table__, Classroom.teacher_id == user.id),
        "memberships": _rows(Membership.__table__, Membership.user_id == user.id),
        "class_invitations": _rows(Invitation.__table__, sa.or_(
            Invitation.user_id == user.id, Invitation.invited_by == user.id)),
        "ambassador_actions": _rows(AmbassadorAction.__table__, sa.or_(
            AmbassadorAction.ambassador_id == user.id, AmbassadorAction.citizen_id == user.id)),
        "report_ambassador_counts": _rows(AmbassadorCount.__table__,
                                          AmbassadorCount.ambassador_id == user.id),
        # What others did about the person, in full; what the person did to others, without
        # the details (a citizen's phone number an ambassador typed is the citizen's).
        "audit_events": sorted(
            _rows(AuditEvent.__table__, mine)
            + _rows(AuditEvent.__table__, sa.and_(AuditEvent.actor_id == user.id, sa.not_(mine)),
                    ("id", "actor_id", "action", "subject_type", "subject_id", "created_at")),
            key=lambda row: row["id"]),
    }


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def to_json(data: dict[str, list[dict]]) -> str:
    tables = {name: [{k: _plain(v) for k, v in row.items()} for row in rows]
              for name, rows in data.items()}
    return json.dumps({"exported_at": utcnow().isoformat(), "tables": tables},
                      ensure_ascii=False, indent=2) + "\n"


def to_csv(data: dict[str, list[dict]]) -> str:
    """One file: a line per value (table, row number, column, value), so tables of different
    shapes fit; every cell made safe for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "row", "column", "value"])
    for name, rows in data.items():
        for number, row in enumerate(rows, start=1):
            for column, value in row.items():
                if isinstance(value, (dict, list)):
                    value = json.dumps(value, ensure_ascii=False)
                value = "" if value is None else _plain(value)
                writer.writerow([safe_cell(v) for v in (name, number, column, value)])
    return out.getvalue()


def export(user: User, fmt: str) -> str:
    """The person's data as `fmt` (json or csv); the download is audited."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    record(user.id, "user.export", "user", user.id, format=fmt)
    db.session.flush()  # the file lists this download too
    data = personal_data(user)
    body = to_json(data) if fmt == "json" else to_csv(data)
    db.session.commit()
    return body


# -- deletion ------------------------------------------------------------------------------------

def delete_account(user: User, password: str) -> None:
    """Anonymise the account for good, in one commit; raises AccountError on a wrong password."""
    if user.deleted_at is not None or not user.check_password(password or ""):
        raise AccountError(_l("Mật khẩu hiện tại chưa đúng."), "password")
    db.session.execute(sa.delete(Membership).where(Membership.user_id == user.id))
    db.session.execute(sa.delete(Invitation).where(Invitation.user_id == user.id))
    # Events about the person keep ids, numbers and yes/no only: a typed login or name goes.
    for event in db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.subject_type == "user", AuditEvent.subject_id == str(user.id))):
        event.details = {k: v for k, v in (event.details or {}).items()
                         if v is None or isinstance(v, (bool, int, float))}
    user.full_name = DELETED_NAME
    user.email, user.phone, user.username = deleted_login(user.id), None, None
    user.village = user.unit_id = None
    user.password_hash = "!"  # not a hash of anything: check_password is always False
    user.must_change_password = False
    user.role = "learner"  # a deleted admin or teacher keeps no rights
    user.end_sessions()
    user.deleted_at = utcnow()
    # group_slug, province_code, commune_code and created_at stay: the province's counts.
    record(user.id, "user.delete", "user", user.id)
    db.session.commit()
