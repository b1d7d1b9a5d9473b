"""``sparring grade`` and ``sparring analyze``: the grader for mentors and for people tuning it."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import typer
from rich.console import Console

from grading import Report, grade
from grading.render import as_markdown, as_rich
from grading.tags import tag
from simulator.catalog import Scenario, catalog_roots, load_catalog
from simulator.i18n import t
from simulator.sessions import choose
from simulator.settings import Settings
from transcripts.format import Transcript, TranscriptError
from transcripts.imports import read_conversation


def scenario_for(transcript: Transcript, key: str | None, extra: list[Path]) -> Scenario | None:
    """The named scenario, else the transcript's own if the catalogue knows it."""
    if key:
        return choose(key, extra).scenario
    if transcript.scenario is None:
        return None
    loaded = load_catalog(catalog_roots(extra))
    if transcript.scenario in loaded.scenarios:
        return loaded.scenarios[transcript.scenario].model
    typer.echo(t("grade.unknown_scenario", id=transcript.scenario), err=True)
    return None


def run_grade(
    settings: Settings,
    *,
    file: Path,
    scenario: str | None,
    output: str,
    language: str | None,
    judge: bool,
    catalog: list[Path],
) -> Report:
    transcript = read_conversation(file, language)
    chosen = scenario_for(transcript, scenario, [*settings.catalog, *catalog])
    report = grade(transcript, chosen)
    if judge:
        from grading.judge import judge_report
        from simulator.llm import make_backend

        report = asyncio.run(judge_report(report, transcript, chosen, make_backend(settings)))
    if output == "json":
        sys.stdout.write(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")
    elif output == "md":
        sys.stdout.write(as_markdown(report, transcript))
    else:
        Console(highlight=False).print(as_rich(report, transcript))
    return report


def _rows(stream: TextIO, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TranscriptError(f"{name}:{number}: (json): {exc.msg}") from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise TranscriptError(f'{name}:{number}: text: each line needs a "text" string')
        if row.get("lang") not in (None, "en", "ru"):
            raise TranscriptError(f"{name}:{number}: lang: must be en or ru, not {row['lang']!r}")
        yield number, row


def run_analyze(*, file: str, language: str | None) -> None:
    """One JSON line out per line in, with ``tags`` added; the input's own fields are kept."""
    stream = sys.stdin if file == "-" else open(file, encoding="utf-8")  # noqa: SIM115 - closed below
    try:
        for _, row in _rows(stream, file):
            context = row.get("context") if isinstance(row.get("context"), str) else ""
            tags = tag(row["text"], row.get("lang") or language, context or "")
            sys.stdout.write(json.dumps({**row, "tags": tags.as_dict()}, ensure_ascii=False) + "\n")
    finally:
        if stream is not sys.stdin:
            stream.close()
