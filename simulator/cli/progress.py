"""Progress for people and for spreadsheets: a rich table, CSV (one row per trainee and skill) or JSON.

Labels follow ``SPARRING_LANGUAGE``; CSV column names and JSON keys are stable identifiers in English.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence

from pydantic import TypeAdapter
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from simulator.cli.listing import OutputFormat, Row, csv_text, output_format
from simulator.i18n import t
from transcripts.assignments import PathStanding
from transcripts.progress import GroupProgress, MarkCount, Progress, Tier, TraineeProgress
from transcripts.report import SKILLS

CSV_COLUMNS = (
    "trainee",
    "groups",
    "skill",
    "level",
    "tier",
    "last_score",
    "overall_level",
    "overall_tier",
    "attempts",
    "passed",
    "pass_rate",
    "top_marks",
    "held_down",
    "overall_held_down",
)
"""One row per trainee and skill; levels unrounded to 2 decimals, pass_rate a fraction, tiers and skills as keys;
``held_down`` says why a level is lower than its scores."""

NONE = "—"
SPARKS = "▁▂▃▄▅▆▇█"


def render_progress(
    progress: Progress,
    output: OutputFormat | str = "table",
    *,
    width: int = 100,
    paths: Sequence[PathStanding] = (),
) -> str:
    """``table`` (plain text, no colour codes), ``csv`` (flat rows: trainee × skill) or ``json`` (the whole summary,
    with ``paths``: how far along each path each trainee is)."""
    chosen = output_format(output)
    if chosen is OutputFormat.json:
        whole = TypeAdapter(Progress).dump_python(progress, mode="json")
        whole["paths"] = TypeAdapter(list[PathStanding]).dump_python(list(paths), mode="json")
        return json.dumps(whole, ensure_ascii=False, indent=2) + "\n"
    if chosen is OutputFormat.csv:
        return csv_text(CSV_COLUMNS, csv_rows(progress))
    return _table(progress, width)


# -- CSV


def _number(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _marks_field(marks: Sequence[MarkCount]) -> str:
    return ";".join(f"{mark.kind}:{mark.count}" for mark in marks)


def csv_rows(progress: Progress) -> list[Row]:
    rows = []
    for trainee in progress.trainees:
        for skill in SKILLS:
            state = trainee.skills[skill]
            values = (
                trainee.name,
                ";".join(trainee.groups),
                skill,
                _number(state.level, 2),
                state.tier or "",
                state.history[-1][1] if state.history else "",
                _number(trainee.level, 2),
                trainee.tier or "",
                trainee.attempts,
                trainee.passed,
                _number(trainee.pass_rate, 4),
                _marks_field(trainee.top_marks),
                state.cap.why if state.cap else "",
                trainee.cap.why if trainee.cap else "",
            )
            rows.append(dict(zip(CSV_COLUMNS, values, strict=True)))
    return rows


# -- the table


def _level(value: float | None) -> str:
    return NONE if value is None else f"{value:.1f}"


def _tier(tier: Tier | None) -> str:
    return NONE if tier is None else t(f"tier.{tier}")


def _rate(value: float | None) -> str:
    return NONE if value is None else f"{value:.0%}"


def _sparkline(scores: Sequence[int]) -> str:
    return "".join(SPARKS[min(len(SPARKS) - 1, max(0, score) * len(SPARKS) // 101)] for score in scores)


def _mistakes(marks: Sequence[MarkCount]) -> str:
    if not marks:
        return t("progress.no_mistakes")
    return t("progress.top_marks", marks=", ".join(f"{t(f'kind.{mark.kind}')} ×{mark.count}" for mark in marks))


def _grid(*columns: str, title: str | None = None, text: int = 1) -> Table:
    """The first ``text`` columns hold words (left-aligned), the rest numbers (right-aligned)."""
    table = Table(box=box.SIMPLE_HEAD, title=Text(title) if title else None, title_justify="left", pad_edge=False)
    for i, name in enumerate(columns):
        table.add_column(Text(name), justify="left" if i < text else "right")
    return table


def _row(table: Table, *cells: object) -> None:
    table.add_row(*(Text(str(cell)) for cell in cells))


def _print_group(console: Console, group: GroupProgress) -> None:
    console.print(
        Text(
            t(
                "progress.group_title",
                name=group.name,
                level=_level(group.level),
                tier=_tier(group.tier),
                trainees=group.trainees,
                attempts=group.attempts,
                rate=_rate(group.pass_rate),
            )
        )
    )
    skills = _grid(
        t("progress.col.skill"), t("progress.col.tier"), t("progress.col.level"), title=t("progress.skills"), text=2
    )
    for skill in SKILLS:
        state = group.skills[skill]
        _row(skills, t(f"skill.{skill}"), _tier(state.tier), _level(state.level))
    console.print(skills)
    if group.weakest_skills:
        console.print(Text(t("progress.weakest", skills=", ".join(t(f"skill.{s}") for s in group.weakest_skills))))
    console.print(Text(_mistakes(group.top_marks)))
    if group.ranking:
        ranking = _grid(
            t("progress.col.rank"),
            t("progress.col.trainee"),
            t("progress.col.tier"),
            t("progress.col.level"),
            t("progress.col.sessions"),
            t("progress.col.pass_rate"),
            title=t("progress.ranking"),
            text=3,
        )
        for entry in group.ranking:
            _row(
                ranking,
                NONE if entry.rank is None else entry.rank,
                entry.trainee,
                _tier(entry.tier),
                _level(entry.level),
                entry.attempts,
                _rate(entry.pass_rate),
            )
        console.print(ranking)
        for entry in group.ranking:
            if entry.cap:
                console.print(Text(f"{entry.trainee}: " + t("progress.held", why=entry.cap.why)))
    if group.hard_scenarios:
        hard = _grid(
            t("progress.col.scenario"),
            t("progress.col.tried"),
            t("progress.col.passed"),
            t("progress.col.pass_rate"),
            t("progress.col.sessions"),
            title=t("progress.hard"),
        )
        for stat in group.hard_scenarios:
            _row(hard, stat.scenario, stat.tried, stat.passed, _rate(stat.pass_rate), stat.sessions)
        console.print(hard)
    else:
        console.print(Text(t("progress.no_hard")))
    console.print()


def _print_trainee(console: Console, trainee: TraineeProgress) -> None:
    if not trainee.attempts:
        console.print(Text(t("progress.no_sessions", name=trainee.name)))
        console.print()
        return
    title = t(
        "progress.trainee_title",
        name=trainee.name,
        level=_level(trainee.level),
        tier=_tier(trainee.tier),
        attempts=trainee.attempts,
        rate=_rate(trainee.pass_rate),
    )
    console.print(Text(title))
    if trainee.cap:
        console.print(Text(t("progress.held", why=trainee.cap.why)))
    table = _grid(
        t("progress.col.skill"),
        t("progress.col.tier"),
        t("progress.col.level"),
        t("progress.col.last"),
        t("progress.col.trend"),
        text=2,
    )
    for skill in SKILLS:
        state = trainee.skills[skill]
        scores = [score for _, score in state.history]
        _row(
            table,
            t(f"skill.{skill}"),
            _tier(state.tier),
            _level(state.level),
            scores[-1] if scores else NONE,
            _sparkline(scores[-10:]),
        )
    console.print(table)
    for skill in SKILLS:
        cap = trainee.skills[skill].cap
        if cap:
            console.print(Text(f"{t(f'skill.{skill}')}: " + t("progress.held", why=cap.why)))
    if trainee.groups:
        console.print(Text(t("progress.member_of", names=", ".join(trainee.groups))))
    console.print(Text(_mistakes(trainee.top_marks)))
    console.print()


def _table(progress: Progress, width: int) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, force_terminal=False, highlight=False, emoji=False)
    if not progress.trainees and not progress.groups:
        console.print(Text(t("progress.empty")))
    for group in progress.groups:
        _print_group(console, group)
    for trainee in progress.trainees:
        _print_trainee(console, trainee)
    return "".join(line.rstrip() + "\n" for line in out.getvalue().splitlines())
