"""`flask content …`: works without loading the app, so it can diagnose content that stops it."""

import os
import sys
from pathlib import Path

import click

from app.config import ROOT

from .english import english_gaps
from .loader import ContentError, load_catalog


def _content_dir() -> Path:
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
    for warning in catalog.warnings:  # printed, not refused: the content still serves
        click.echo(f"Cảnh báo: {warning}")
    gaps = english_gaps(catalog)  # the English mode shows these names: all must be there
    if gaps:
        click.echo("Thiếu tiếng Anh cho chế độ English:\n" + "\n".join(gaps), err=True)
        sys.exit(1)
    n_modules = sum(len(c.modules) for c in catalog.courses.values())
    click.echo(f"Nội dung hợp lệ: {len(catalog.courses)} khóa học, {n_modules} bài học, "
               f"{len(catalog.questions)} câu hỏi.")


@content_cli.command("report", help="Ma trận năng lực × nhóm: số bài học/số câu hỏi; đánh dấu chỗ thiếu.")
@click.option("--dir", "content_dir", type=click.Path(path_type=Path), default=None)
def report(content_dir: Path | None):
    from .coverage import bank_counts, gaps, programme_matrix

    try:
        catalog = load_catalog(content_dir or _content_dir())
    except ContentError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    matrix = programme_matrix(catalog)
    groups = list(catalog.groups)
    counts = bank_counts(catalog)
    click.echo("Mỗi ô: bài học dạy / câu hỏi trong các bài kiểm tra của chương trình nhóm; "
               "'!' là chỗ thiếu.")
    click.echo(f"{'năng lực':<9}" + "".join(f"{g:>15}" for g in groups) + f"{'ngân hàng':>11}"
               + "  xác nhận")
    confirmations = {g: catalog.assessment_for(g) for g in groups}
    for code in catalog.framework.competences:
        cells = []
        for g in groups:
            cell = matrix[g][code]
            mark = "" if cell.taught and cell.assessed else "!"
            cells.append(f"{mark}{len(cell.modules)}/{cell.questions}".rjust(15))
        asked = "".join(
            ("x" if a and any(p.competence == code for p in a.parts) else ".") for a in confirmations.values())
        click.echo(f"{code:<9}" + "".join(cells) + f"{counts[code]:>11}  {asked}")
    click.echo("")
    for course in catalog.courses.values():
        click.echo(f"{course.slug}: {len(course.modules)} bài học, "
                   f"{sum(len(c.questions) for c in course.checks)} câu hỏi "
                   f"(nhóm: {', '.join(course.groups)})")
    for a in catalog.assessments.values():
        click.echo(f"xác nhận {a.slug}: {len(a.parts)} năng lực, đạt khi có ít nhất "
                   f"{a.rule.required(len(a.parts))} (gồm {', '.join(a.rule.must_master)}), "
                   f"tối đa {a.rule.ask_at_most} câu mỗi năng lực, {a.rule.max_questions} câu cả bài; "
                   f"câu hỏi từ {', '.join(a.courses)}")
    click.echo(f"Tổng: {len(catalog.questions)} câu hỏi; ít nhất {min(counts.values())} câu mỗi năng lực.")
    holes = gaps(catalog)
    for group, code, why in holes:
        click.echo(f"THIẾU {group} {code}: {why}")
    if not holes:
        click.echo("Không có chỗ thiếu: mọi nhóm được dạy và kiểm tra đủ 24 năng lực.")
