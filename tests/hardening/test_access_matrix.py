"""Every route in the URL map, tried as anonymous, learner, teacher (of another class),
ambassador and admin. A route missing from ACCESS fails the test: decide who may use it."""

import pytest
import sqlalchemy as sa

from app.assessment import services as assessment
from app.extensions import db
from app.teaching import services as teaching
from app.teaching.models import Invitation

from ..conftest import csrf_token

PUBLIC = "public"  # anyone, no account
ACCOUNT = "account"  # any signed-in person; anonymous visitors are sent to sign in
TEACHERS = "teachers"  # any teacher (their own list of classes) and admins
TEACHER = "teacher"  # the teacher of that class and admins
AMBASSADOR = "ambassador"  # digital ambassadors and admins
REPORTS = "reports"  # admins and leaders
ADMIN = "admin"
HELPERS = "helpers"  # teachers, ambassadors and admins: those who may reset someone's password
# Someone with a right over that person (auth.access.may_act_for): the class member tried lives
# in the ambassador's commune; the teacher tried is not her teacher. Refused ones get 404.
ACT_FOR = "act_for"

ACCESS = {
    "main.home": PUBLIC, "main.framework": PUBLIC, "main.healthz": PUBLIC, "main.set_language": PUBLIC,
    "main.toggle_display": PUBLIC, "static": PUBLIC, "assets": PUBLIC, "certificates.static": PUBLIC,
    "favicon": PUBLIC, "auth.login": PUBLIC, "auth.register": PUBLIC, "auth.communes_json": PUBLIC,
    "courses.index": PUBLIC, "courses.course": PUBLIC, "courses.module": PUBLIC, "courses.offline": PUBLIC,
    "certificates.verify_form": PUBLIC, "certificates.verify": PUBLIC, "certificates.verify_json": PUBLIC,
    "certificates.verify_pdf": PUBLIC, "certificates.check_credential": PUBLIC, "certificates.jwks": PUBLIC,
    "certificates.qr_png": PUBLIC, "certificates.verify_jsonld": PUBLIC,
    "certificates.status_list": PUBLIC, "certificates.did_document": PUBLIC, "reports.public": PUBLIC, "privacy.notice": PUBLIC,
    "main.glossary": PUBLIC, "main.help_page": PUBLIC,
    "offline.manifest": PUBLIC, "offline.service_worker": PUBLIC, "offline.page": PUBLIC,
    "offline.pack": ACCOUNT, "offline.check": ACCOUNT, "offline.sync": ACCOUNT,  # tests/offline
    "metrics": PUBLIC,  # no account, but only for METRICS_ALLOW's addresses: tests/test_metrics.py
    "auth.logout": ACCOUNT, "auth.profile": ACCOUNT, "auth.password": ACCOUNT,
    "privacy.export_json": ACCOUNT, "privacy.export_csv": ACCOUNT,
    "privacy.delete_account": ACCOUNT,  # a GET here: the POST needs the password, tested apart
    "courses.mark_read": ACCOUNT, "courses.claim_certificate": ACCOUNT, "assessment.take": ACCOUNT,
    "assessment.submit": ACCOUNT, "assessment.result": ACCOUNT, "assessment.profile": ACCOUNT,
    "assessment.confirmation": ACCOUNT, "assessment.take_confirmation": ACCOUNT,
    "certificates.mine": ACCOUNT, "certificates.show": ACCOUNT, "teaching.join": ACCOUNT,
    "teaching.join_link": ACCOUNT, "teaching.assigned": ACCOUNT, "reports.my_unit": ACCOUNT,
    "teaching.accept_invitation": ACCOUNT, "teaching.decline_invitation": ACCOUNT,  # 404 unless yours
    "teaching.index": TEACHERS, "teaching.classroom": TEACHER, "teaching.archive": TEACHER,
    "teaching.add_assignment": TEACHER, "teaching.remove_assignment": TEACHER,
    "teaching.start_certificates": TEACHER, "teaching.certificates_job": TEACHER,
    "teaching.certificates_zip": TEACHER, "teaching.join_qr": TEACHER, "teaching.learner": TEACHER,
    "teaching.add_member": TEACHER, "teaching.remove_member": TEACHER, "teaching.progress_csv": TEACHER,
    "teaching.rename": TEACHER, "teaching.import_roster": TEACHER,
    "teaching.roster_job": TEACHER,
    "ambassadors.index": AMBASSADOR, "ambassadors.register": AMBASSADOR,
    "ambassadors.start_session": AMBASSADOR, "ambassadors.start_session_for": AMBASSADOR,
    "ambassadors.new_sheet": AMBASSADOR, "ambassadors.session": AMBASSADOR,
    "ambassadors.submit": AMBASSADOR, "ambassadors.result": AMBASSADOR,
    "ambassadors.units_json": AMBASSADOR, "ambassadors.sheet_pdf": AMBASSADOR,
    "ambassadors.carrier_page": AMBASSADOR, "ambassadors.prepare_kit": AMBASSADOR,
    "ambassadors.prepare_kit_for": AMBASSADOR, "ambassadors.carrier_sync": AMBASSADOR,  # test_carrier
    "reports.province": REPORTS, "reports.ambassadors": REPORTS, "reports.ambassadors_csv": REPORTS,
    "reports.commune": REPORTS, "reports.commune_csv": REPORTS, "reports.province_csv": REPORTS,
    "reports.rankings": REPORTS, "reports.rankings_csv": REPORTS, "reports.unit": REPORTS,
    "reports.unit_csv": REPORTS,
    "reports.data": ADMIN, "reports.import_denominators": ADMIN, "reports.import_units": ADMIN,
    "reports.refresh": ADMIN, "reports.refresh_job": ADMIN, "auth.roles": ADMIN, "certificates.admin": ADMIN,
    "assessment.question_statistics": ADMIN,
    "auth.forgot": PUBLIC, "auth.reset": PUBLIC, "auth.find_person": HELPERS,
    "auth.assisted_reset": ACT_FOR,
}

# Who may pass each kind of gate (the teacher is never the owner of the class tried).
ALLOWED = {
    PUBLIC: {"anonymous", "learner", "teacher", "ambassador", "admin"},
    ACCOUNT: {"learner", "teacher", "ambassador", "admin"},
    TEACHERS: {"teacher", "admin"},
    TEACHER: {"admin"},
    AMBASSADOR: {"ambassador", "admin"},
    REPORTS: {"admin"},
    ADMIN: {"admin"},
    HELPERS: {"teacher", "ambassador", "admin"},
    ACT_FOR: {"ambassador", "admin"},
}


@pytest.fixture
def world(app, make_user):
    """A class owned by a teacher nobody here signs in as, with a member, an assignment, an
    attempt of hers, an invitation to someone else; and one account for each role tried."""
    catalog = app.extensions["catalog"]
    owner = make_user(role="teacher", login="chu-lop@example.vn")
    member = make_user(login="hv-lop@example.vn")
    make_user(login="duoc-moi@example.vn")
    with app.app_context():
        classroom = teaching.create_class(owner, "Lớp kiểm tra quyền", "school")
        teaching.join(classroom, member)
        teaching.invite_by_login(classroom, "duoc-moi@example.vn", owner)
        assignment = teaching.add_assignment(classroom, "course", "ky-nang-so-co-ban", None, catalog)
        attempt = assessment.open_attempt(member, catalog.course("ky-nang-so-co-ban").modules[0].check)
        ids = {"class_id": classroom.id, "user_id": member, "assignment_id": assignment.id,
               "attempt_id": attempt.id, "code": classroom.join_code,
               "invitation_id": db.session.scalar(sa.select(Invitation.id))}
    for role in ("learner", "teacher", "ambassador", "admin"):
        make_user(role=role, login=f"{role}-matrix@example.vn")
    from app.localities import communes

    ids.update(course_slug="ky-nang-so-co-ban", module_slug=catalog.course("ky-nang-so-co-ban").modules[0].slug,
               province_code=38, commune_code=communes(38)[0][0], unit_id=1, name="site.css",
               filename="site.css", job_id="0" * 32)
    return ids


def test_every_route_has_an_access_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(endpoints - set(ACCESS)) == [], "new routes: add them to ACCESS"
    assert sorted(set(ACCESS) - endpoints) == [], "ACCESS names routes that no longer exist"


@pytest.mark.parametrize("role", ["anonymous", "learner", "teacher", "ambassador", "admin"])
def test_access_matrix(app, world, role):
    client = app.test_client()
    if role != "anonymous":
        from ..conftest import Auth

        Auth(client).login(f"{role}-matrix@example.vn")
    token = csrf_token(client, "/auth/login") if role == "anonymous" else csrf_token(client, "/me/competences")
    wrong = []
    for rule in app.url_map.iter_rules():
        gate = ACCESS[rule.endpoint]
        if gate == PUBLIC or rule.endpoint in ("auth.logout",):
            continue  # public pages are covered by their own tests; logout would end this session
        values = {arg: world[arg] for arg in rule.arguments}
        url = app.url_map.bind("localhost").build(rule.endpoint, values)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
        refused_login = response.status_code == 302 and "/auth/login" in response.headers.get("Location", "")
        refused = (response.status_code == 403 or refused_login
                   or (gate == ACT_FOR and response.status_code == 404))
        expected_allowed = role in ALLOWED[gate]
        if response.status_code >= 500 or refused == expected_allowed:
            wrong.append((rule.endpoint, method, response.status_code))
        if role == "anonymous" and gate != PUBLIC and not refused_login:
            wrong.append((rule.endpoint, "anonymous not sent to sign in", response.status_code))
    assert wrong == []
