"""`flask users grant-role`: give an account a role from the server (the first admin, too)."""

import click
from flask.cli import with_appcontext

from .models import ROLES
from .services import AccountError, grant_role

users_cli = click.Group("users", help="Quản lý tài khoản.")


@users_cli.command("grant-role", help="Cấp vai trò: flask users grant-role EMAIL_HOẶC_SĐT teacher")
@click.argument("login")
@click.argument("role", type=click.Choice(ROLES))
@with_appcontext
def grant_role_command(login: str, role: str):
    try:
        user = grant_role(login, role)
    except AccountError as exc:
        raise click.ClickException(str(exc.message)) from None
    click.echo(f"{user.full_name} ({user.login}): {user.role}")
