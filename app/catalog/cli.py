"""`flask content …`: works without loading the app, so it can diagnose content that stops it."""

import os
import sys
from pathlib import Path

import click

from .loader import ContentError, load_catalog


def _content_dir() -> Path:
    from app.config import ROOT
    return Path(os.environ.get("CONTENT_DIR", ROOT / "content"))


@click.group("content", help="Kiểm tra nội dung khóa học (content/).")
def content_cli():
    pass


@content_cli.command("check", help="Kiểm tra toàn bộ nội dung; in mọi lỗi dạng tệp:dòng.")
@click.option("--dir", "content_dir", type=click.Path(path_type=Path), default=None,
              help="Thư mục nội dung (mặc định: CONTENT_DIR hoặc content/).")
def check(content_dir: Path | None):
    try:
        catalog = load_catalog(content_dir or _content_dir())
    except ContentError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    n_modules = sum(len(c.modules) for c in catalog.courses.values())
    click.echo(f"Nội dung hợp lệ: {len(catalog.courses)} khóa học, {n_modules} bài học, "
               f"{len(catalog.questions)} câu hỏi.")
