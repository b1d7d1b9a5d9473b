"""How ``simulate`` and ``practice`` print a session in the terminal as it happens."""

from __future__ import annotations

import typer

from grading import Report
from simulator.i18n import t
from simulator.llm import Backend
from transcripts.format import Event

STYLE = {"customer": "red", "agent": "cyan", "system": "yellow"}


def told(chosen: tuple[Backend, str | None]) -> Backend:
    """The backend ``sessions.backend_for`` chose, its notice (if any) said on stderr."""
    backend, notice = chosen
    if notice:
        typer.echo(notice, err=True)
    return backend


def graded_line(report: Report) -> str:
    verdict = t("report.passed") if report.passed else t("report.failed")
    return t("session.graded", score=report.score, verdict=verdict, id=report.transcript)


def show_event(event: Event, customer: str) -> None:
    if event.type == "typing":
        return
    who = {"customer": customer, "agent": t("role.agent"), "system": t("role.system")}[event.role]
    text = event.text or ""
    if event.type == "end":
        text = t(f"outcome.{text}")
    marks = " ⚡" if event.meta.get("interruption") else ""
    stamp = typer.style(f"{event.t:7.1f}s", dim=True)
    typer.echo(f"{stamp} {typer.style(who, fg=STYLE[event.role], bold=True)}{marks}: {text}")
