"""A report for people: the transcript with every mark inline next to its turn (rich text or Markdown)."""

from __future__ import annotations

from collections import defaultdict

from rich.console import Group, RenderableType
from rich.text import Text

from simulator.i18n import MESSAGES, t
from transcripts.format import Event, Transcript
from transcripts.report import SKILLS, Mark, Report

ROLE_STYLE = {"customer": "red", "agent": "cyan", "system": "yellow"}


def simulator_faults(transcript: Transcript) -> dict[int, list[str]]:
    """The simulator's audit of its own customer, as sentences by the customer message they concern."""
    by_seq: dict[int, list[str]] = defaultdict(list)
    for found in transcript.meta.get("audit") or []:
        if isinstance(found, dict) and f"audit.{found.get('kind')}" in MESSAGES:
            effect = t(f"audit.{found.get('effect')}") if found.get("effect") in ("helped", "hindered") else ""
            by_seq[int(found.get("seq", 0))].append(
                t(f"audit.{found['kind']}", label=found.get("label") or "") + (f" {effect}" if effect else "")
            )
    return by_seq


def why_of(mark: Mark) -> str:
    """Why the mark was given, and that it is not counted when it answers a fault of the simulator's."""
    return f"{mark.why} ({t('report.voided')})" if mark.voided else mark.why


def _marks_by_seq(report: Report) -> dict[int, list[Mark]]:
    by_seq: dict[int, list[Mark]] = defaultdict(list)
    for mark in report.marks:
        by_seq[mark.seq].append(mark)
    return by_seq


def _headline(report: Report) -> str:
    verdict = t("report.passed") if report.passed else t("report.failed")
    return (
        f"{t('report.score')} {report.score}/100 · {verdict} ({t('report.pass_mark', score=report.pass_score)}) · "
        f"{t('report.outcome')}: {t(f'outcome.{report.outcome}')}"
    )


def _skills_line(report: Report) -> str:
    return " · ".join(f"{t(f'skill.{s}')} {report.skills[s]}" for s in SKILLS)


def _who(event: Event) -> str:
    return t(f"role.{event.role}")


def _mark_label(mark: Mark) -> str:
    label = t(f"kind.{mark.kind}")
    if not mark.positive:
        label += f" ({t(f'severity.{mark.severity}')})"
    if mark.judged_by:
        label += f" [{t('report.judged', model=mark.judged_by)}]"
    return label


def as_rich(report: Report, transcript: Transcript) -> RenderableType:
    marks = _marks_by_seq(report)
    faults = simulator_faults(transcript)
    parts: list[RenderableType] = [
        Text(_headline(report), style="bold green" if report.passed else "bold red"),
        Text(f"{t('report.skills')}: {_skills_line(report)}"),
        Text(""),
    ]
    for event in transcript.events:
        if not event.is_message and event.type != "end":
            continue
        line = Text(f"{event.t:7.1f}s ", style="dim")
        line.append(_who(event), style=f"bold {ROLE_STYLE[event.role]}")
        line.append(f": {event.text or ''}")
        parts.append(line)
        parts += [Text(f"          ⚠ {fault}", style="magenta") for fault in faults.get(event.seq, [])]
        for mark in marks.get(event.seq, []):
            sign, style = ("✓", "green") if mark.positive else ("✗", "red" if mark.severity != "minor" else "yellow")
            note = Text(f"          {sign} {_mark_label(mark)}: ", style=f"bold {style}")
            note.append(why_of(mark), style=style)
            parts.append(note)
            if mark.better:
                parts.append(Text(f"            → {t('report.better')}: {mark.better}", style="italic"))
    return Group(*parts)


def as_markdown(report: Report, transcript: Transcript) -> str:
    marks = _marks_by_seq(report)
    faults = simulator_faults(transcript)
    out = [
        f"# {_headline(report)}",
        "",
        f"**{t('report.skills')}:** {_skills_line(report)}",
        "",
        f"## {t('report.transcript')}",
        "",
    ]
    for event in transcript.events:
        if not event.is_message and event.type != "end":
            continue
        out.append(f"- `{event.t:.1f}s` **{_who(event)}**: {event.text or ''}")
        out += [f"  - ⚠ {fault}" for fault in faults.get(event.seq, [])]
        for mark in marks.get(event.seq, []):
            sign = "✅" if mark.positive else "❌"
            out.append(f"  - {sign} *{_mark_label(mark)}*: {why_of(mark)}")
            if mark.better:
                out.append(f"    - {t('report.better')}: {mark.better}")
    if not report.marks:
        out += ["", t("report.no_marks")]
    return "\n".join(out) + "\n"
