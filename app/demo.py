"""`flask demo load`: demo accounts to click through, one per group and role (idempotent)."""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.extensions import db

DEMO_PASSWORD = "hocvuso2026"
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
)


@click.group("demo", help="Dữ liệu mẫu để dùng thử.")
def demo_cli():
    pass


@demo_cli.command("load", help="Tạo các tài khoản mẫu (chạy lại không tạo trùng).")
@with_appcontext
def load():
    from flask import current_app

    from app.auth.models import User
    from app.auth.services import parse_login, register
    from app.localities import communes

    province = current_app.config["PROVINCE_CODE"]
    commune = communes(province)[0][0]
    created = 0
    for login, name, group, role in DEMO_ACCOUNTS:
        kind, value = parse_login(login)
        column = User.email if kind == "email" else User.phone
        if db.session.scalar(sa.select(User.id).where(column == value)) is None:
            register(full_name=name, login=login, password=DEMO_PASSWORD, group_slug=group,
                     province_code=province, commune_code=commune, role=role)
            created += 1
    click.echo(f"Tài khoản mẫu: {created} mới, {len(DEMO_ACCOUNTS) - created} đã có. "
               f"Mật khẩu chung: {DEMO_PASSWORD}")


users_cli = click.Group("users", help="Quản lý tài khoản.")


@users_cli.command("grant-role", help="Cấp vai trò: flask users grant-role EMAIL_HOẶC_SĐT teacher")
@click.argument("login")
@click.argument("role", type=click.Choice(["learner", "teacher", "ambassador", "admin"]))
@with_appcontext
def grant_role_command(login: str, role: str):
    from app.auth.services import AccountError, grant_role

    try:
        user = grant_role(login, role)
    except AccountError as exc:
        raise click.ClickException(str(exc.message)) from None
    click.echo(f"{user.full_name} ({user.login}): {user.role}")
