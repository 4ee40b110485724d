"""`flask credentials`: the keys that sign certificates' credentials."""

import click
from flask.cli import with_appcontext

from . import keys


@click.group("credentials", help="Khóa ký chứng chỉ số (Ed25519).")
def credentials_cli():
    pass


@credentials_cli.command("generate-key", help="Tạo khóa ký mới; khóa mới nhất ký, khóa cũ vẫn "
                                              "được công bố để xác minh chứng chỉ đã cấp.")
@with_appcontext
def generate_key():
    key = keys.generate_key(keys.keys_dir())
    click.echo(f"New signing key {key.kid}: {key.path} (0600). It signs from now on; keep it "
               "out of git, back it up, and deploy it to every host.")


@credentials_cli.command("list-keys",
                         help="Liệt kê các khóa: khóa nào đang ký, khóa nào chỉ để xác minh.")
@with_appcontext
def list_keys():
    directory = keys.keys_dir()
    found = keys.load_keys(directory)
    if not found:
        click.echo(f"No keys in {directory}: run `flask credentials generate-key`.")
        return
    signing = [k for k in found if k.can_sign][-1:]
    for key in found:
        role = "signs" if key in signing else ("verifies" if not key.can_sign else
                                                "verifies (older private key)")
        click.echo(f"{key.kid}  {key.created_at:%Y-%m-%d %H:%M}Z  {role}  {key.path}")
