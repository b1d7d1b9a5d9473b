"""Assignments and paths for people and spreadsheets: the catalogue's paths as the store needs them, what an
assignment asks for, and the group × assignment grid as a table, CSV or JSON.

Labels follow ``SPARRING_LANGUAGE``; CSV column names and JSON keys are stable identifiers in English.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from simulator.catalog import Catalog, TrainingPath
from simulator.i18n import t
from transcripts.assignments import Assignment, Board, Kind, PathPlan, PathStanding, Standing, Step
from transcripts.repository import Refused

CSV_COLUMNS = (
    "assignment",
    "group",
    "kind",
    "target",
    "for",
    "due",
    "mode",
    "pass_mark",
    "attempts",
    "trainee",
    "status",
    "attempts_used",
    "attempts_left",
    "steps_passed",
    "steps_total",
    "best_score",
)
"""One row per assignment and trainee; ``for`` is the trainee it was set for, empty for the whole group."""
NONE = "—"


def plan_of(path: TrainingPath) -> PathPlan:
    medals = (("gold", path.medals.gold), ("silver", path.medals.silver), ("bronze", path.medals.bronze))
    return PathPlan(
        id=path.id,
        title=path.title,
        steps=tuple(Step(s.scenario, s.pass_mark) for s in path.steps),
        assessment=path.assessment,
        medals=medals,
    )


def plans(catalog: Catalog) -> list[PathPlan]:
    return [plan_of(doc.model) for _, doc in sorted(catalog.paths.items())]


def target_of(catalog: Catalog, target: str, pass_mark: int | None, mode: str) -> tuple[Kind, list[Step]]:
    """What assigning ``target`` asks: a scenario (one step, at ``pass_mark`` or its own) or a path's steps."""
    if target in catalog.scenarios:
        scenario = catalog.scenarios[target].model
        return "scenario", [Step(target, scenario.pass_score if pass_mark is None else pass_mark)]
    if target in catalog.paths:
        path = catalog.paths[target].model
        if path.assessment and mode != "assessment":
            raise Refused(t("assign.path_mode", path=target))
        return "path", list(plan_of(path).steps)
    raise Refused(
        t(
            "assign.unknown",
            target=target,
            scenarios=", ".join(sorted(catalog.scenarios)) or NONE,
            paths=", ".join(sorted(catalog.paths)) or NONE,
        )
    )


def parse_due(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Refused(t("assign.bad_date", value=value)) from None


# -- one cell


def cell(standing: Standing | None) -> str:
    """The status, with the path step and attempts left where they say something."""
    if standing is None:
        return ""
    parts = [t(f"astatus.{standing.status}")]
    if standing.steps_total > 1:
        parts.append(t("astatus.steps", done=standing.steps_passed, total=standing.steps_total))
    if standing.attempts_left is not None and standing.status in ("not_started", "in_progress", "overdue"):
        parts.append(t("astatus.left", count=standing.attempts_left))
    return " · ".join(parts)


def path_cell(standing: PathStanding) -> str:
    if standing.certificate is not None:
        return f"✓ {t(f'medal.{standing.certificate.tier}')}"
    return t("paths.steps", done=standing.steps_passed, total=standing.steps_total)


# -- the grid


def render_board(found: Board, output: str = "table", *, width: int = 100) -> str:
    if output == "json":
        return json.dumps(_json(found), ensure_ascii=False, indent=2) + "\n"
    if output == "csv":
        return _csv(found)
    return _table(found, width)


def _assignment_json(a: Assignment) -> dict[str, Any]:
    return {
        "id": a.id,
        "kind": a.kind,
        "target": a.target,
        "group": a.group,
        "trainee": a.trainee,
        "due": a.due.isoformat(),
        "mode": a.mode,
        "pass_mark": a.pass_mark,
        "attempts": a.attempts,
        "steps": [{"scenario": s.scenario, "pass_mark": s.pass_mark} for s in a.steps],
        "created_by": a.created_by,
        "created_at": a.created_at.isoformat(),
        "cancelled_at": a.cancelled_at.isoformat() if a.cancelled_at else None,
    }


def _standing_json(s: Standing) -> dict[str, Any]:
    return {
        "trainee": s.trainee,
        "status": s.status,
        "attempts_used": s.attempts_used,
        "attempts_left": s.attempts_left,
        "steps_passed": s.steps_passed,
        "steps_total": s.steps_total,
        "next_scenario": s.next_scenario,
        "best_score": s.best_score,
    }


def _json(found: Board) -> dict[str, Any]:
    return {
        "groups": [{"name": name, "trainees": people} for name, people in found.groups.items()],
        "assignments": [
            {
                **_assignment_json(a),
                "statuses": [_standing_json(s) for s in found.standings if s.assignment == a.id],
            }
            for a in found.assignments
        ],
    }


def _csv(found: Board) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for a in found.assignments:
        for s in (s for s in found.standings if s.assignment == a.id):
            writer.writerow(
                (
                    a.id,
                    a.group,
                    a.kind,
                    a.target,
                    a.trainee or "",
                    a.due.isoformat(),
                    a.mode,
                    "" if a.pass_mark is None else a.pass_mark,
                    "" if a.attempts is None else a.attempts,
                    s.trainee,
                    s.status,
                    s.attempts_used,
                    "" if s.attempts_left is None else s.attempts_left,
                    s.steps_passed,
                    s.steps_total,
                    "" if s.best_score is None else s.best_score,
                )
            )
    return out.getvalue()


def _grid(*columns: str, title: str | None = None) -> Table:
    table = Table(box=box.SIMPLE_HEAD, title=Text(title) if title else None, title_justify="left", pad_edge=False)
    for name in columns:
        table.add_column(Text(name))
    return table


def _pass(a: Assignment) -> str:
    if a.pass_mark is not None:
        return str(a.pass_mark)
    return t("assignments.steps_pass") if a.kind == "path" else f"{a.steps[0].pass_mark}"


def _table(found: Board, width: int) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, force_terminal=False, highlight=False, emoji=False)
    if not found.assignments:
        console.print(Text(t("assignments.empty")))
    else:
        with_state = any(a.cancelled_at for a in found.assignments)
        columns = ["id", "group", "target", "who", "due", "mode", "pass", "attempts"]
        columns += ["state"] if with_state else []
        listing = _grid(*(t(f"assignments.col.{c}") for c in columns), title=t("assignments.list_title"))
        for a in found.assignments:
            row = [
                a.id,
                a.group,
                a.target,
                a.trainee or t("assignments.everyone"),
                a.due.isoformat(),
                t(f"mode.{a.mode}"),
                _pass(a),
                NONE if a.attempts is None else a.attempts,
            ]
            if with_state:
                cancelled = a.cancelled_at.date().isoformat() if a.cancelled_at else None
                row.append(t("assignments.was_cancelled", when=cancelled) if cancelled else t("assignments.open"))
            listing.add_row(*(Text(str(x)) for x in row))
        console.print(listing)
        for group, people in found.groups.items():
            open_ones = [a for a in found.assignments if a.group == group and a.cancelled_at is None]
            if not open_ones or not people:
                continue
            grid = _grid(
                t("progress.col.trainee"),
                *(f"#{a.id} {a.target}" for a in open_ones),
                title=t("assignments.group_title", name=group),
            )
            for person in people:
                grid.add_row(Text(person), *(Text(cell(found.standing(a.id, person)) or NONE) for a in open_ones))
            console.print(grid)
    return "".join(line.rstrip() + "\n" for line in out.getvalue().splitlines())


def render_paths(standings: Sequence[PathStanding], titles: dict[str, str], *, width: int = 100) -> str:
    """Each trainee's progress along each path they have begun ("2/4 steps", or the medal once passed)."""
    begun = [s for s in standings if s.steps_passed or s.certificate]
    if not begun:
        return ""
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, force_terminal=False, highlight=False, emoji=False)
    table = _grid(
        t("progress.col.trainee"),
        t("paths.col.path"),
        t("paths.col.progress"),
        t("paths.col.certificate"),
        title=t("paths.title"),
    )
    for s in begun:
        progress = t("paths.steps", done=s.steps_passed, total=s.steps_total)
        if s.next_scenario:
            progress += " · " + t("paths.next", scenario=s.next_scenario)
        medal = t(f"medal.{s.certificate.tier}") if s.certificate else NONE
        table.add_row(Text(s.trainee), Text(titles.get(s.path, s.path)), Text(progress), Text(medal))
    console.print(table)
    return "".join(line.rstrip() + "\n" for line in out.getvalue().splitlines())
