"""``sparring understand`` and ``sparring unplaced``: how a scenario's customer reads agent messages, for trainers."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from simulator.cli.listing import Column, OutputFormat, json_text, show
from simulator.i18n import t
from simulator.sessions import choose
from simulator.understand import explain, listener, render, unplaced_lines


def run_understand(*, scenario: str, messages: list[str], output: str, catalog: list[Path]) -> None:
    chosen = choose(scenario, catalog)
    results = []
    for message in messages:
        director = listener(chosen.scenario, chosen.persona)  # each message as the first reply of a session
        results.append(explain(chosen.scenario, director, message))
    if output == "json":
        body: Any = results[0] if len(results) == 1 else results
        sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write("".join(render(r) for r in results))


def run_unplaced(*, repo: Any, scenario: str, limit: int, output: OutputFormat, catalog: list[Path]) -> None:
    """JSON is the whole answer, ``{"scenario", "unplaced": [...]}``; CSV and the table have a row per question."""
    chosen = choose(scenario, catalog).scenario
    lines = unplaced_lines(repo, chosen, limit)
    if output is OutputFormat.json:
        sys.stdout.write(json_text({"scenario": chosen.id, "unplaced": lines}))
        return
    rows = [{**line, "sessions": [f"{s['session']}#{s['seq']}" for s in line["sessions"]]} for line in lines]
    columns = [
        Column("question", t("unplaced.col.question")),
        Column("count", t("unplaced.col.count"), justify="right"),
        Column("sessions", t("unplaced.col.where"), lambda r: ", ".join(r["sessions"][:3])),
        Column("nearest", t("understand.nearest")),
    ]
    show(columns, rows, output, empty=t("unplaced.none", scenario=chosen.id))
