"""A small province whose figures are worked out by hand in the tests.

Group nguoi-dan (programme: ky-nang-so-co-ban + cong-dan-so; confirmation "nguoi-dan"):
  commune A (denominator 20): a1–a8
    a1 trained and confirmed in 2025 (registered 2025)
    a2 trained Feb 2026 (last course), confirmed Mar 2026 (registered 2025)
    a3 trained and confirmed 2026; a4 trained 2026, not confirmed
    a5 confirmed 2026 but only one course (not trained); a6 one course; a8 nothing
    a7 both courses but one certificate revoked: not trained
  commune B (denominator 10): b1 (registered 2025; confirmed 23:59 local on 31 Dec 2025,
    trained 01:00 local on 1 Jan 2026), b2, b3 (nothing)
  commune C (no denominator): c4, c5 (nothing)
  commune D (denominator 5): d1 confirmed 2026
Group can-bo (programme: ky-nang-so-co-ban + chuyen-doi-so-cong-vu), commune A, denominator 4:
  k1 trained 2026; k2 holds the nguoi-dan courses (not trained as can-bo); k3 nothing
Units in A: U1 (a1, a2, k1; denominators nguoi-dan 4, can-bo 2), U2 (a3; nguoi-dan 1);
unit U3 in B (nobody, no denominator).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from app.auth.models import User
from app.certificates.models import Certificate
from app.extensions import db
from app.localities import communes
from app.reports import snapshot
from app.reports.models import CommuneDenominator, Unit, UnitDenominator

ND = ("ky-nang-so-co-ban", "cong-dan-so")
CB = ("ky-nang-so-co-ban", "chuyen-doi-so-cong-vu")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@dataclass
class Province:
    A: int
    B: int
    C: int
    D: int
    users: dict[str, int]
    units: dict[str, int]


def _user(name: str, group: str, commune: int, created: datetime, unit=None) -> User:
    user = User(full_name=name, email=f"{name}@tinh.example.vn", password_hash="x",
                group_slug=group, province_code=38, commune_code=commune, created_at=created,
                unit_id=unit.id if unit else None)
    db.session.add(user)
    db.session.flush()
    return user


def certificate(user_id: int, slug: str, issued: datetime, kind: str = "course",
                revoked: datetime | None = None) -> None:
    db.session.add(Certificate(code=secrets.token_urlsafe(16), user_id=user_id, kind=kind,
                               course_slug=slug, holder_name="x", title="x", competences=[],
                               issued_at=issued, revoked_at=revoked))


@pytest.fixture
def province(app) -> Province:
    codes = [code for code, _ in communes(38)]
    A, B, C, D = codes[10], codes[20], codes[30], codes[40]
    y25, y26 = utc(2025, 5, 10), utc(2026, 1, 15)
    with app.app_context():
        units = {"U1": Unit(province_code=38, commune_code=A, kind="school", name="Trường Một"),
                 "U2": Unit(province_code=38, commune_code=A, kind="community_team",
                            name="=Tổ công nghệ số thôn Hai"),  # a formula in a spreadsheet
                 "U3": Unit(province_code=38, commune_code=B, kind="agency", name="UBND xã Ba")}
        db.session.add_all(units.values())
        db.session.flush()
        u = {}
        u["a1"] = _user("a1", "nguoi-dan", A, y25, units["U1"])
        u["a2"] = _user("a2", "nguoi-dan", A, y25, units["U1"])
        for name in ("a3",):
            u[name] = _user(name, "nguoi-dan", A, y26, units["U2"])
        for name in ("a4", "a5", "a6", "a7", "a8"):
            u[name] = _user(name, "nguoi-dan", A, y26)
        u["b1"] = _user("b1", "nguoi-dan", B, utc(2025, 3, 1))
        for name in ("b2", "b3"):
            u[name] = _user(name, "nguoi-dan", B, y26)
        for name in ("c4", "c5"):
            u[name] = _user(name, "nguoi-dan", C, y26)
        u["d1"] = _user("d1", "nguoi-dan", D, y26)
        u["k1"] = _user("k1", "can-bo", A, y26, units["U1"])
        u["k2"] = _user("k2", "can-bo", A, y26)
        u["k3"] = _user("k3", "can-bo", A, y26)
        ids = {k: v.id for k, v in u.items()}

        for slug in ND:
            certificate(ids["a1"], slug, utc(2025, 9, 1))
        certificate(ids["a1"], "nguoi-dan", utc(2025, 10, 1), "confirmation")
        certificate(ids["a2"], ND[0], utc(2025, 11, 30))
        certificate(ids["a2"], ND[1], utc(2026, 2, 1))
        certificate(ids["a2"], "nguoi-dan", utc(2026, 3, 1), "confirmation")
        for who in ("a3", "a4"):
            for slug in ND:
                certificate(ids[who], slug, utc(2026, 4, 2))
        certificate(ids["a3"], "nguoi-dan", utc(2026, 4, 3), "confirmation")
        certificate(ids["a5"], ND[0], utc(2026, 4, 2))
        certificate(ids["a5"], "nguoi-dan", utc(2026, 4, 3), "confirmation")
        certificate(ids["a6"], ND[0], utc(2026, 4, 2))
        certificate(ids["a7"], ND[0], utc(2026, 4, 2))
        certificate(ids["a7"], ND[1], utc(2026, 4, 2), revoked=utc(2026, 5, 1))
        # Vietnam is UTC+7: 16:59 UTC on 31 Dec is 23:59 there, 18:00 UTC is already 1 January.
        certificate(ids["b1"], "nguoi-dan", utc(2025, 12, 31, 16, 59), "confirmation")
        certificate(ids["b1"], ND[0], utc(2025, 6, 1))
        certificate(ids["b1"], ND[1], utc(2025, 12, 31, 18, 0))
        certificate(ids["d1"], "nguoi-dan", utc(2026, 6, 1), "confirmation")
        for slug in CB:
            certificate(ids["k1"], slug, utc(2026, 5, 5))
        for slug in ND:
            certificate(ids["k2"], slug, utc(2026, 5, 5))

        for code, group, people in ((A, "nguoi-dan", 20), (B, "nguoi-dan", 10), (D, "nguoi-dan", 5),
                                    (A, "can-bo", 4)):
            db.session.add(CommuneDenominator(province_code=38, commune_code=code, group_slug=group,
                                              people=people))
        for unit, group, people in (("U1", "nguoi-dan", 4), ("U1", "can-bo", 2), ("U2", "nguoi-dan", 1)):
            db.session.add(UnitDenominator(unit_id=units[unit].id, group_slug=group, people=people))
        db.session.commit()
        return Province(A, B, C, D, ids, {k: v.id for k, v in units.items()})


@pytest.fixture
def refreshed(app, province):
    with app.app_context():
        snapshot.refresh(app.extensions["catalog"], 38)
    return province


@pytest.fixture
def admin(make_user, auth):
    # a pupil's group, which has no denominator: the admin's account changes no percentage here
    make_user(role="admin", login="qt@tinh.example.vn", full_name="Quản Trị", group="hoc-sinh")
    auth.login("qt@tinh.example.vn")
