"""The register form follows the chosen commune: its units are offered with and without
JavaScript, another commune's unit can be chosen, and a unit of a third commune is refused."""

import re

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from app.localities import communes
from app.units.models import Unit

from ..conftest import csrf_token

OWN, OTHER = communes(38)[0][0], communes(38)[1][0]


@pytest.fixture
def ambassador(make_user, auth):
    user_id = make_user(role="ambassador", login="dai.su@example.vn", full_name="Đại Sứ Hải")
    auth.login("dai.su@example.vn")
    return user_id


@pytest.fixture
def units(app):
    with app.app_context():
        found = {name: Unit(province_code=38, commune_code=code, kind="school", name=name)
                 for name, code in (("Trường Nhà", OWN), ("Trường Bên Kia", OTHER))}
        db.session.add_all(found.values())
        db.session.commit()
        return {name: u.id for name, u in found.items()}


def _unit_options(page: str) -> list[str]:
    select = re.search(r'<select[^>]*id="unit_id".*?</select>', page, re.S).group(0)
    return re.findall(r"<option[^>]*>([^<]+)</option>", select)[1:]


def _register(client, **fields):
    token = csrf_token(client, "/ambassador/register")
    return client.post("/ambassador/register", data={
        "csrf_token": token, "full_name": "Bà Lò Thị Xuân", "phone": "", "group_slug": "nguoi-dan",
        "commune_code": OWN, "village": "", "unit_id": 0, **fields})


def test_without_javascript_a_get_with_commune_offers_its_units(client, ambassador, units):
    assert _unit_options(client.get("/ambassador/register").get_data(as_text=True)) == ["Trường Nhà"]
    page = client.get(f"/ambassador/register?commune={OTHER}").get_data(as_text=True)
    assert _unit_options(page) == ["Trường Bên Kia"]
    assert re.search(rf'<option selected value="{OTHER}">|<option value="{OTHER}" selected', page)
    # A commune of another province, or garbage, falls back to the ambassador's own.
    for bad in (communes(1)[0][0], "abc", "9" * 40):
        page = client.get(f"/ambassador/register?commune={bad}").get_data(as_text=True)
        assert _unit_options(page) == ["Trường Nhà"]


def test_the_show_units_button_keeps_what_was_typed(app, client, ambassador, units):
    response = _register(client, commune_code=OTHER, full_name="Ông Cầm Văn Ơn", show_units="1")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _unit_options(page) == ["Trường Bên Kia"] and 'value="Ông Cầm Văn Ơn"' in page
    with app.app_context():  # nobody registered yet
        assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.role == "learner")) == 0


def test_another_communes_unit_registers_and_a_foreign_unit_is_refused(app, client, ambassador, units):
    response = _register(client, commune_code=OTHER, unit_id=units["Trường Bên Kia"])
    assert response.status_code == 200 and "Phiếu đăng nhập" in response.get_data(as_text=True)
    with app.app_context():
        citizen = db.session.scalar(sa.select(User).where(User.full_name == "Bà Lò Thị Xuân"))
        assert (citizen.commune_code, citizen.unit_id) == (OTHER, units["Trường Bên Kia"])
    refused = _register(client, full_name="Ông Khác", commune_code=OTHER, unit_id=units["Trường Nhà"])
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Đơn vị này không thuộc xã, phường đã chọn." in page
    assert _unit_options(page) == ["Trường Bên Kia"]  # the list offered is the chosen commune's


def test_units_json_for_the_script(client, ambassador, units):
    response = client.get(f"/ambassador/communes/{OTHER}/units.json")
    assert response.status_code == 200
    assert response.get_json() == [{"id": units["Trường Bên Kia"], "name": "Trường Bên Kia"}]
    assert client.get(f"/ambassador/communes/{communes(1)[0][0]}/units.json").status_code == 404
