"""The calibration report for people (a table and two lists, in SPARRING_LANGUAGE) or for scripts: CSV (one row
per mark kind) or JSON (the whole report).

CSV columns, JSON keys and mark kinds are stable identifiers in English; rates are fractions.
"""

from __future__ import annotations

import io
from dataclasses import asdict

from pydantic import TypeAdapter
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from simulator.cli.listing import OutputFormat, csv_text, output_format
from simulator.i18n import t
from transcripts.calibration import Calibration, Verdict

NUMBER_COLUMNS = ("reviewed", "agreed", "overridden", "agreement", "precision")
CSV_COLUMNS = ("kind", *NUMBER_COLUMNS)


def render_calibration(report: Calibration, output: OutputFormat | str = "table", *, width: int = 100) -> str:
    """``table`` (plain, no colour codes), ``csv`` (the figures per kind, a header row even when nothing is
    reviewed) or ``json`` (the whole report, empty lists when nothing is reviewed)."""
    chosen = output_format(output)
    if chosen is OutputFormat.json:
        return TypeAdapter(Calibration).dump_json(report, indent=2).decode() + "\n"
    if chosen is OutputFormat.csv:
        return csv_text(CSV_COLUMNS, [asdict(kind) for kind in report.kinds])
    if not report.kinds:
        return t("calibration.empty") + "\n"
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, force_terminal=False, highlight=False, emoji=False)
    console.print(Text(t("calibration.title")), soft_wrap=True)
    console.print(_table(report))
    # Lists are not wrapped: a quote or a reason stays on its line, for the terminal to fold and grep to find.
    for line in [t("calibration.legend"), "", *_most_overridden(report), "", *_disagreements(report)]:
        console.print(Text(line), soft_wrap=True)
    return "".join(line.rstrip() + "\n" for line in out.getvalue().splitlines())


def _table(report: Calibration) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(Text(t("calibration.col.kind")))
    for name in NUMBER_COLUMNS:
        table.add_column(Text(t(f"calibration.col.{name}")), justify="right")
    for row in report.kinds:
        cells = (row.reviewed, row.agreed, row.overridden, f"{row.agreement:.0%}", f"{row.precision:.0%}")
        table.add_row(Text(t(f"kind.{row.kind}")), *(Text(str(cell)) for cell in cells))
    return table


def _most_overridden(report: Calibration) -> list[str]:
    if not report.most_overridden:
        return [t("calibration.none_overridden")]
    lines = [t("calibration.most_overridden")]
    for kind in report.most_overridden:
        lines.append("  " + t("calibration.overridden_kind", kind=t(f"kind.{kind.kind}"), count=kind.overridden))
        lines += [
            "    " + t("calibration.example", session=e.session, quote=e.quote, reason=e.reason or "")
            for e in kind.examples
        ]
    return lines


def _disagreements(report: Calibration) -> list[str]:
    if not report.disagreements:
        return [t("calibration.no_disagreements")]
    lines = [t("calibration.disagreements")]
    for mark in report.disagreements:
        lines.append("  " + t("calibration.mark", session=mark.session, kind=t(f"kind.{mark.kind}"), quote=mark.quote))
        lines += ["    " + _verdict(v) for v in mark.verdicts]
    return lines


def _verdict(verdict: Verdict) -> str:
    said = t(f"calibration.verdict.{verdict.verdict}", mentor=verdict.mentor)
    return f"{said}: {verdict.reason}" if verdict.reason else said
