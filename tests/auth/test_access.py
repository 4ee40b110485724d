"""Who may do what (app/auth/access.py): roles, the template test, the right over an account."""

import pytest
from flask import render_template_string
from flask_login import AnonymousUserMixin

from app.ambassadors.models import AmbassadorAction
from app.auth.access import allowed, may_act_for, may_manage
from app.auth.models import ROLES, User
from app.extensions import db
from app.localities import communes
from app.teaching import services as teaching


@pytest.mark.parametrize("role", ROLES)
def test_an_admin_counts_for_every_role_and_others_for_their_own(role):
    assert User(role="admin").has_role(role)
    assert User(role=role).has_role(role)
    others = [r for r in ROLES if r != role]
    assert User(role=role).has_role(*others) is (role == "admin")


def test_the_template_test_asks_has_role_and_refuses_anonymous_visitors(app):
    page = "{% if user is allowed('teacher', 'leader') %}yes{% else %}no{% endif %}"
    with app.test_request_context():
        said = {role: render_template_string(page, user=User(role=role)) for role in ROLES}
        assert said == {"learner": "no", "teacher": "yes", "ambassador": "no", "leader": "yes",
                        "admin": "yes"}
        assert render_template_string(page, user=AnonymousUserMixin()) == "no"
    assert not allowed(AnonymousUserMixin(), "learner")


def test_a_things_owner_or_an_admin_may_manage_it():
    assert may_manage(User(id=1, role="teacher"), owner_id=1)
    assert not may_manage(User(id=2, role="teacher"), owner_id=1)
    assert may_manage(User(id=3, role="admin"), owner_id=1)


def test_the_right_over_another_persons_account(app_ctx, make_user):
    teacher, other_teacher = (db.session.get(User, make_user(role="teacher")) for _ in range(2))
    ambassador = db.session.get(User, make_user(role="ambassador"))
    admin = db.session.get(User, make_user(role="admin"))
    pupil, registered, stranger = (db.session.get(User, make_user()) for _ in range(3))
    teaching.join(teaching.create_class(teacher.id, "Lớp 8A", "school"), pupil.id)
    elsewhere = communes(38)[1][0]
    registered.commune_code = stranger.commune_code = elsewhere
    db.session.add(AmbassadorAction(ambassador_id=ambassador.id, citizen_id=registered.id,
                                    kind="register"))
    db.session.commit()

    assert may_act_for(teacher, pupil) and not may_act_for(other_teacher, pupil)
    assert not may_act_for(teacher, registered)
    assert may_act_for(ambassador, registered)  # registered by them, in another commune
    assert may_act_for(ambassador, pupil)  # a learner of the ambassador's own commune
    assert not may_act_for(ambassador, stranger)  # neither
    assert not may_act_for(ambassador, other_teacher)  # staff, not a citizen to help
    assert all(may_act_for(admin, person) for person in (pupil, registered, stranger, teacher))
    assert not may_act_for(pupil, registered)
    # A staff member in a teacher's class is beyond the teacher's reach (an admin's is not).
    teaching.join(teaching.create_class(teacher.id, "Lớp tập huấn", "agency"), other_teacher.id)
    assert not may_act_for(teacher, other_teacher) and may_act_for(admin, other_teacher)
