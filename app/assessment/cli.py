"""`flask assessment …`: the confirmation's simulated examinees, and the item statistics."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.catalog.question_types import QUESTION_TYPES

from . import confirmation, item_stats

assessment_cli = AppGroup("assessment", help="Bài đánh giá: mô phỏng và thống kê câu hỏi.")


def _answer_for(question, right: bool, rng) -> list[int]:
    kind = QUESTION_TYPES[question.type]
    return kind.right_answer(question) if right else kind.random_answer(question, rng)


def _grade(question, picked: list[int]) -> bool:
    return QUESTION_TYPES[question.type].judge(question, picked)


def simulated(catalog, groups, examinees: int, seed: int) -> list[confirmation.SimulationResult]:
    """Each group's confirmation through the model of ../shared/ASSESSMENT.md."""
    return [confirmation.simulate(catalog.assessment_for(g), examinees, seed, _answer_for, _grade)
            for g in groups if catalog.assessment_for(g) is not None]


@assessment_cli.command("simulate")
@click.option("--group", "groups", multiple=True, help="Mã nhóm (mặc định: cả bốn nhóm).")
@click.option("--examinees", default=10_000, show_default=True, type=click.IntRange(1))
@click.option("--seed", default=2026, show_default=True, type=int)
def simulate_command(groups, examinees: int, seed: int):
    """Người làm bài mô phỏng: tỉ lệ đạt nhầm, trượt nhầm, độ dài bài, cho từng nhóm."""
    catalog = current_app.extensions["catalog"]
    unknown = [g for g in groups if g not in catalog.groups]
    if unknown:
        raise click.BadParameter(f"nhóm không tồn tại: {', '.join(unknown)}", param_hint="--group")
    for result in simulated(catalog, groups or list(catalog.groups), examinees, seed):
        click.echo(result.line())


@assessment_cli.command("item-stats")
@click.option("--all", "show_all", is_flag=True, help="In mọi câu hỏi, không chỉ câu bị gắn cờ.")
def item_stats_command(show_all: bool):
    """Thống kê câu hỏi từ các bài đã làm; in các câu cần xem lại, kèm tệp và dòng."""
    import time

    catalog = current_app.extensions["catalog"]
    started = time.perf_counter()
    found = item_stats.statistics(catalog)
    seconds = time.perf_counter() - started
    flagged = [s for s in found if s.flags]
    for s in found if show_all else flagged:
        facility = "-" if s.facility is None else f"{s.facility:.2f}"
        disc = "-" if s.discrimination is None else f"{s.discrimination:.2f}"
        click.echo(f"{s.question.source} {s.question.id} [{','.join(s.flags) or 'ok'}] "
                   f"facility {facility} discrimination {disc} exposure {s.exposure}")
        for flag in s.flags:
            click.echo(f"    {item_stats.FLAG_LABELS[flag]}")
    answers = sum(s.exposure for s in found)
    click.echo(f"{len(found)} câu hỏi, {answers} câu trả lời, {len(flagged)} câu cần xem lại; "
               f"tính trong {seconds:.2f} giây.")
