"""`flask demo load`: demo accounts to click through, one per group and role (idempotent)."""

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.security import generate_password_hash

from app.assessment import services as assessment
from app.auth.models import User
from app.auth.services import parse_login, register
from app.catalog import Catalog
from app.certificates.services import find_certificate, verify_url
from app.courses.services import mark_read
from app.extensions import db
from app.localities import communes
from app.reports.models import CommuneDenominator, Unit, UnitDenominator
from app.reports.snapshot import refresh

# The demo accounts share this password; the README publishes it.
DEMO_PASSWORD = "hocvuso2026"  # nosec B105
# (login, full name, group, role)
DEMO_ACCOUNTS = (
    ("nguoidan@demo.hocvuso.vn", "Lê Thị Hoa", "nguoi-dan", "learner"),
    ("canbo@demo.hocvuso.vn", "Nguyễn Văn Bình", "can-bo", "learner"),
    ("hocsinh@demo.hocvuso.vn", "Trần Minh Châu", "hoc-sinh", "learner"),
    ("congnhan@demo.hocvuso.vn", "Phạm Thị Dung", "doanh-nghiep", "learner"),
    ("0912345678", "Hoàng Văn Em", "nguoi-dan", "learner"),
    ("giaovien@demo.hocvuso.vn", "Đỗ Thị Giang", "can-bo", "teacher"),
    ("daisuso@demo.hocvuso.vn", "Vũ Văn Hải", "nguoi-dan", "ambassador"),
    ("admin@demo.hocvuso.vn", "Quản trị viên", "can-bo", "admin"),
    ("lanhdao@demo.hocvuso.vn", "Lê Văn Lãnh", "can-bo", "leader"),
)
# The province dashboard's sample: units of the first commune, denominators of the first
# three communes, and a few learners in them (no certificates: those come from learning).
DEMO_UNITS = (("agency", "UBND xã (mẫu)"), ("school", "Trường THCS (mẫu)"),
              ("enterprise", "Công ty May Thanh Hóa (mẫu)"),
              ("womens_union", "Chi hội Phụ nữ thôn 1 (mẫu)"),
              ("community_team", "Tổ công nghệ số cộng đồng thôn 1 (mẫu)"))
DEMO_PEOPLE = {"nguoi-dan": 400, "can-bo": 60, "hoc-sinh": 250, "doanh-nghiep": 120}
DEMO_LEARNERS = 36
# The demo learner who has finished her group's first course: her certificate is a real one.
DEMO_GRADUATE = "nguoidan@demo.hocvuso.vn"


@click.group("demo", help="Dữ liệu mẫu để dùng thử.")
def demo_cli():
    pass


@demo_cli.command("load", help="Tạo các tài khoản mẫu (chạy lại không tạo trùng).")
@with_appcontext
def load():
    province = current_app.config["PROVINCE_CODE"]
    commune = communes(province)[0][0]
    created = 0
    for login, name, group, role in DEMO_ACCOUNTS:
        kind, value = parse_login(login)
        column = User.email if kind == "email" else User.phone
        if db.session.scalar(sa.select(User.id).where(column == value)) is None:
            register(full_name=name, login=login, password=DEMO_PASSWORD, group_slug=group,
                     province_code=province, commune_code=commune, role=role,
                     check_strength=False, consent=True)  # made-up people
            created += 1
    click.echo(f"Tài khoản mẫu: {created} mới, {len(DEMO_ACCOUNTS) - created} đã có. "
               f"Mật khẩu chung: {DEMO_PASSWORD}")
    url = _graduate(current_app.extensions["catalog"])
    if url:
        click.echo(f"Chứng chỉ mẫu của {DEMO_GRADUATE} (quét mã QR trên trang chứng chỉ hoặc "
                   f"mở địa chỉ này): {url}")
    _dashboard_sample(province)


def _graduate(catalog: Catalog) -> str | None:
    """DEMO_GRADUATE reads every module of her group's first course and passes its checks,
    through the same services as a learner's clicks: the certificate is issued and signed as
    any other. Idempotent; returns its verification URL (None if the content has no course)."""
    user = db.session.scalar(sa.select(User).where(User.email == DEMO_GRADUATE))
    group = catalog.groups.get(user.group_slug) if user else None
    course = catalog.course(group.programme[0]) if group and group.programme else None
    if course is None:
        return None
    held = find_certificate(user.id, course.slug)
    if held is None:
        for module in course.modules:
            if module.check:
                _pass(user.id, module.check, catalog)
            mark_read(user.id, module, catalog)
        held = find_certificate(user.id, course.slug)
    return verify_url(held.code) if held else None


def _pass(user_id: int, check, catalog: Catalog) -> None:
    """Answer the check's drawn questions with each question type's right answer."""
    attempt = assessment.open_attempt(user_id, check)
    form: dict[str, list[str]] = {}
    for shown in assessment.shown_questions(attempt, catalog):
        if shown is not None:
            form.update(shown.kind.form_fields(shown.field, shown.order,
                                               shown.kind.right_answer(shown.question)))
    assessment.submit(user_id, attempt.id, form, catalog)


def _dashboard_sample(province: int) -> None:
    """Units, denominators and sample learners so that the dashboard is not empty; idempotent."""
    places = [code for code, _name in communes(province)[:3]]
    units = {u.name: u for u in db.session.scalars(
        sa.select(Unit).where(Unit.commune_code == places[0]))}
    for kind, name in DEMO_UNITS:
        if name not in units:
            units[name] = Unit(province_code=province, commune_code=places[0], kind=kind, name=name)
            db.session.add(units[name])
    db.session.flush()
    for i, code in enumerate(places):
        for group, people in DEMO_PEOPLE.items():
            found = db.session.scalar(sa.select(CommuneDenominator).where(
                CommuneDenominator.commune_code == code, CommuneDenominator.group_slug == group))
            if found is None:
                db.session.add(CommuneDenominator(province_code=province, commune_code=code,
                                                  group_slug=group, people=people // (i + 1)))
    unit_groups = ("can-bo", "hoc-sinh", "doanh-nghiep", "nguoi-dan", "nguoi-dan")
    for unit, group in zip(units.values(), unit_groups):
        if db.session.scalar(sa.select(UnitDenominator.id)
                             .where(UnitDenominator.unit_id == unit.id)) is None:
            db.session.add(UnitDenominator(unit_id=unit.id, group_slug=group, people=30))
    have = set(db.session.scalars(
        sa.select(User.email).where(User.email.like("mau%@demo.hocvuso.vn"))))
    password_hash = None
    groups = list(DEMO_PEOPLE)
    unit_list = list(units.values())
    for n in range(1, DEMO_LEARNERS + 1):
        email = f"mau{n:02d}@demo.hocvuso.vn"
        if email in have:
            continue
        if password_hash is None:  # one hash for all of them: hashing is slow on purpose
            password_hash = generate_password_hash(DEMO_PASSWORD)
        unit = unit_list[n % len(unit_list)] if n % 3 == 0 else None
        db.session.add(User(full_name=f"Học viên mẫu {n:02d}", email=email,
                            group_slug=groups[n % 4], province_code=province,
                            commune_code=unit.commune_code if unit else places[n % 3],
                            unit_id=unit.id if unit else None, password_hash=password_hash))
    db.session.commit()
    result = refresh(current_app.extensions["catalog"], province)
    click.echo(f"Bảng điều khiển mẫu: {len(units)} đơn vị, mẫu số của {len(places)} xã, "
               f"{result.learners} người học trong tỉnh.")
