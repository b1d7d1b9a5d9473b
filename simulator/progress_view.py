"""Progress for people and for spreadsheets: a rich table, CSV (one row per trainee and skill) or JSON.

Labels follow ``SPARRING_LANGUAGE``; CSV column names and JSON keys are stable identifiers in English.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Literal, get_args

from pydantic import TypeAdapter
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from grading.report import SKILLS
from simulator.i18n import language, t
from transcripts.progress import GroupProgress, MarkCount, Progress, Tier, TraineeProgress

# key: (English, Russian). Pending a move to simulator.i18n.MESSAGES.
MESSAGES: dict[str, tuple[str, str]] = {
    "progress.help": (
        "Progress per trainee and skill, and per group: levels, tiers, pass rates, frequent mistakes.",
        "Прогресс по стажёрам и навыкам и по группам: уровни, ступени, доля зачётов, частые ошибки.",
    ),
    "progress.group": (
        "Only this group (one you mentor; staff: any).",
        "Только эта группа (которую вы ведёте как наставник; персоналу — любая).",
    ),
    "progress.trainee": ("Only this trainee.", "Только этот стажёр."),
    "progress.format": ("Output: table, csv or json.", "Вывод: table, csv или json."),
    "progress.not_group_mentor": ("you do not mentor group '{name}'", "вы не наставник группы '{name}'"),
    "progress.not_in_group": (
        "'{name}' is not a trainee of group '{group}'",
        "'{name}' не стажёр группы '{group}'",
    ),
    "progress.bad_format": (
        "unknown output '{output}' (choose from: {choices})",
        "неизвестный формат вывода '{output}' (варианты: {choices})",
    ),
    "progress.empty": ("No trainees to show.", "Некого показать."),
    "progress.trainee_title": (
        "{name} · level {level} ({tier}) · {attempts} graded sessions · pass rate {rate}",
        "{name} · уровень {level} ({tier}) · оценённых сессий: {attempts} · доля зачётов {rate}",
    ),
    "progress.no_sessions": ("{name} · no graded sessions yet", "{name} · оценённых сессий пока нет"),
    "progress.member_of": ("Groups: {names}", "Группы: {names}"),
    "progress.group_title": (
        "Group {name} · level {level} ({tier}) · {trainees} trainees · {attempts} graded sessions · pass rate {rate}",
        "Группа {name} · уровень {level} ({tier}) · стажёров: {trainees} · оценённых сессий: {attempts} · "
        "доля зачётов {rate}",
    ),
    "progress.skills": ("Skills (mean level of the trainees)", "Навыки (средний уровень стажёров)"),
    "progress.ranking": ("Trainees by overall level", "Стажёры по общему уровню"),
    "progress.weakest": ("Weakest skills: {skills}", "Слабые навыки: {skills}"),
    "progress.hard": ("Scenarios that beat most trainees", "Сценарии, которые не дались большинству стажёров"),
    "progress.no_hard": ("No scenario beat most trainees.", "Нет сценариев, которые не дались большинству стажёров."),
    "progress.top_marks": ("Frequent mistakes: {marks}", "Частые ошибки: {marks}"),
    "progress.no_mistakes": ("Frequent mistakes: none", "Частые ошибки: нет"),
    "progress.col.skill": ("Skill", "Навык"),
    "progress.col.level": ("Level", "Уровень"),
    "progress.col.tier": ("Tier", "Ступень"),
    "progress.col.last": ("Last", "Последний"),
    "progress.col.trend": ("Last 10", "Последние 10"),
    "progress.col.rank": ("Rank", "Место"),
    "progress.col.trainee": ("Trainee", "Стажёр"),
    "progress.col.sessions": ("Sessions", "Сессии"),
    "progress.col.pass_rate": ("Pass rate", "Доля зачётов"),
    "progress.col.scenario": ("Scenario", "Сценарий"),
    "progress.col.tried": ("Tried", "Пробовали"),
    "progress.col.passed": ("Passed", "Сдали"),
    "tier.novice": ("novice", "новичок"),
    "tier.developing": ("developing", "осваивает"),
    "tier.proficient": ("proficient", "уверенный"),
    "tier.expert": ("expert", "эксперт"),
}

Output = Literal["table", "csv", "json"]
OUTPUTS: tuple[str, ...] = get_args(Output)

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
)
"""One row per trainee and skill; levels unrounded to 2 decimals, pass_rate a fraction, tiers and skills as keys."""

NONE = "—"
SPARKS = "▁▂▃▄▅▆▇█"


def m(key: str, **values: object) -> str:
    english, russian = MESSAGES[key]
    text = russian if language() == "ru" else english
    return text.format(**values) if values else text


def render_progress(progress: Progress, output: str = "table", *, width: int = 100) -> str:
    """``table`` (plain text, no colour codes), ``csv`` or ``json``."""
    if output == "json":
        return TypeAdapter(Progress).dump_json(progress, indent=2).decode() + "\n"
    if output == "csv":
        return _csv(progress)
    if output == "table":
        return _table(progress, width)
    raise ValueError(m("progress.bad_format", output=output, choices=", ".join(OUTPUTS)))


# -- CSV


def _number(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _marks_field(marks: Sequence[MarkCount]) -> str:
    return ";".join(f"{mark.kind}:{mark.count}" for mark in marks)


def _csv(progress: Progress) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for trainee in progress.trainees:
        for skill in SKILLS:
            state = trainee.skills[skill]
            writer.writerow(
                (
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
                )
            )
    return out.getvalue()


# -- the table


def _level(value: float | None) -> str:
    return NONE if value is None else f"{value:.1f}"


def _tier(tier: Tier | None) -> str:
    return NONE if tier is None else m(f"tier.{tier}")


def _rate(value: float | None) -> str:
    return NONE if value is None else f"{value:.0%}"


def _sparkline(scores: Sequence[int]) -> str:
    return "".join(SPARKS[min(len(SPARKS) - 1, max(0, score) * len(SPARKS) // 101)] for score in scores)


def _mistakes(marks: Sequence[MarkCount]) -> str:
    if not marks:
        return m("progress.no_mistakes")
    return m("progress.top_marks", marks=", ".join(f"{t(f'kind.{mark.kind}')} ×{mark.count}" for mark in marks))


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
            m(
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
        m("progress.col.skill"), m("progress.col.tier"), m("progress.col.level"), title=m("progress.skills"), text=2
    )
    for skill in SKILLS:
        state = group.skills[skill]
        _row(skills, t(f"skill.{skill}"), _tier(state.tier), _level(state.level))
    console.print(skills)
    if group.weakest_skills:
        console.print(Text(m("progress.weakest", skills=", ".join(t(f"skill.{s}") for s in group.weakest_skills))))
    console.print(Text(_mistakes(group.top_marks)))
    if group.ranking:
        ranking = _grid(
            m("progress.col.rank"),
            m("progress.col.trainee"),
            m("progress.col.tier"),
            m("progress.col.level"),
            m("progress.col.sessions"),
            m("progress.col.pass_rate"),
            title=m("progress.ranking"),
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
    if group.hard_scenarios:
        hard = _grid(
            m("progress.col.scenario"),
            m("progress.col.tried"),
            m("progress.col.passed"),
            m("progress.col.pass_rate"),
            m("progress.col.sessions"),
            title=m("progress.hard"),
        )
        for stat in group.hard_scenarios:
            _row(hard, stat.scenario, stat.tried, stat.passed, _rate(stat.pass_rate), stat.sessions)
        console.print(hard)
    else:
        console.print(Text(m("progress.no_hard")))
    console.print()


def _print_trainee(console: Console, trainee: TraineeProgress) -> None:
    if not trainee.attempts:
        console.print(Text(m("progress.no_sessions", name=trainee.name)))
        console.print()
        return
    title = m(
        "progress.trainee_title",
        name=trainee.name,
        level=_level(trainee.level),
        tier=_tier(trainee.tier),
        attempts=trainee.attempts,
        rate=_rate(trainee.pass_rate),
    )
    console.print(Text(title))
    table = _grid(
        m("progress.col.skill"),
        m("progress.col.tier"),
        m("progress.col.level"),
        m("progress.col.last"),
        m("progress.col.trend"),
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
    if trainee.groups:
        console.print(Text(m("progress.member_of", names=", ".join(trainee.groups))))
    console.print(Text(_mistakes(trainee.top_marks)))
    console.print()


def _table(progress: Progress, width: int) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, force_terminal=False, highlight=False, emoji=False)
    if not progress.trainees and not progress.groups:
        console.print(Text(m("progress.empty")))
    for group in progress.groups:
        _print_group(console, group)
    for trainee in progress.trainees:
        _print_trainee(console, trainee)
    return "".join(line.rstrip() + "\n" for line in out.getvalue().splitlines())
