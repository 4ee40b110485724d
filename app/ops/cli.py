"""`flask ops backup FILE` and `flask ops restore FILE` (docs/deploy.md, "Backups")."""

import os
import time

import click
from flask.cli import with_appcontext

from . import backup as backups


@click.group("ops", help="Vận hành: sao lưu và khôi phục.")
def ops_cli():
    pass


@ops_cli.command("backup", help="Sao lưu cơ sở dữ liệu, khoá ký chứng chỉ, khoá bí mật và commit "
                                "nội dung đang chạy vào một tệp (khoá được mã hoá bằng "
                                "BACKUP_PASSPHRASE).")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@click.option("--keys-in-clear", is_flag=True,
              help="Không mã hoá khoá (chỉ khi tệp sao lưu được giữ ở nơi an toàn).")
@with_appcontext
def backup_command(file: str, keys_in_clear: bool):
    started = time.perf_counter()
    try:
        outcome = backups.backup(file, keys_in_clear=keys_in_clear)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    manifest = outcome.manifest
    rows = sum(manifest["database"]["counts"].values())
    protection = "trong tệp, KHÔNG mã hoá" if keys_in_clear else "mã hoá bằng BACKUP_PASSPHRASE"
    click.echo(f"Đã sao lưu vào {file}: {os.path.getsize(file):,} byte, {rows:,} dòng, "
               f"{len(manifest['credential_keys'])} khoá ký ({protection}), nội dung "
               f"{manifest['content']['commit'] or 'không có git'}; "
               f"{time.perf_counter() - started:.1f} giây.")


@ops_cli.command("restore", help="Khôi phục một tệp sao lưu vào cơ sở dữ liệu trống "
                                 "(DATABASE_URL) và thư mục khoá (CREDENTIAL_KEYS_DIR).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True,
              help="Xoá và thay toàn bộ dữ liệu nếu cơ sở dữ liệu đích không trống.")
@with_appcontext
def restore_command(file: str, force: bool):
    started = time.perf_counter()
    try:
        outcome = backups.restore(file, force=force)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    manifest = outcome.manifest
    click.echo(f"Đã khôi phục {file} (tạo lúc {manifest['created_at']}): "
               f"{sum(manifest['database']['counts'].values()):,} dòng, số dòng từng bảng khớp; "
               f"{len(manifest['credential_keys'])} khoá ký; "
               f"{time.perf_counter() - started:.1f} giây.")
    for warning in outcome.warnings:
        click.echo(f"Lưu ý: {warning}", err=True)
