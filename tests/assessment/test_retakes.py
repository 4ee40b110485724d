"""A retake of a module's check is new: none of the previous attempt's questions while the
pool allows, the fewest repeats when not, and the options in a new order."""

import random

import pytest

from app.assessment import services
from app.auth.models import User
from app.extensions import db

from ..conftest import answers_for


@pytest.fixture
def check(catalog):
    return catalog.course("ky-nang-so-co-ban").modules[0].check


def test_a_retake_shares_no_question_with_the_failed_attempt(app, make_user, check):
    user_id = make_user(login="lam-lai-bai@example.vn")
    catalog = app.extensions["catalog"]
    assert len(check.questions) >= 2 * check.draw
    with app.app_context():
        for _ in range(4):  # fail, retake, fail again…
            attempt = services.open_attempt(user_id, check)
            before = {d["id"] for d in attempt.drawn}
            form = answers_for(app, attempt.id, right=False)
            services.submit(user_id, attempt.id, form, catalog)
            again = services.open_attempt(user_id, check)
            assert not before & {d["id"] for d in again.drawn}
            db.session.delete(again)  # keep the next round's "previous attempt" the graded one
            db.session.commit()
        assert db.session.get(User, user_id)


def test_when_the_pool_is_small_the_fewest_questions_repeat(check):
    ids = [q.id for q in check.questions]
    avoid = frozenset(ids[2:])  # only two questions were not in the last attempt
    picked = check.pick(random.Random(1), avoid)
    assert len(picked) == check.draw
    assert {q.id for q in picked} >= set(ids[:2])
    assert sum(q.id in avoid for q in picked) == check.draw - 2


def test_options_come_in_a_new_order_for_each_attempt(check):
    question = next(q for q in check.questions if q.type == "single" and len(q.choices) >= 4)
    orders = {tuple(services._drawn_item(question)["order"]) for _ in range(20)}
    assert len(orders) > 1
