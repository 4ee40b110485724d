"""`flask reports refresh`: rebuild the dashboard's snapshot, run on a schedule (cron)."""

import click
from flask import current_app
from flask.cli import with_appcontext

from app.catalog import get_catalog

from . import snapshot


@click.group("reports", help="Số liệu của bảng điều khiển.")
def reports_cli():
    pass


@reports_cli.command("refresh", help="Tính lại số liệu của bảng điều khiển (chạy định kỳ, ví dụ "
                                     "15 phút một lần).")
@click.option("--rebuild", is_flag=True,
              help="Tính lại trạng thái của mọi người học từ chứng chỉ (chậm hơn).")
@click.option("--province", type=int, default=None, help="Mã tỉnh (mặc định: PROVINCE_CODE).")
@with_appcontext
def refresh_command(rebuild: bool, province: int | None):
    result = snapshot.refresh(get_catalog(), province or current_app.config["PROVINCE_CODE"],
                              rebuild=rebuild)
    again = "mọi người học" if result.recomputed is None else f"{result.recomputed} người học"
    click.echo(f"Đã cập nhật số liệu: {result.learners} người học; tính lại trạng thái của "
               f"{again}; {result.seconds} giây.")
