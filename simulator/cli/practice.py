"""``sparring practice``: chat with a customer in the plain terminal, in real time.

Lines are read on a thread so the customer keeps typing while you do: send before they finish and you
have interrupted them. ``/end`` or end of input closes the session; the transcript is always saved.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from pathlib import Path

import typer

from simulator.cli.printing import graded_line, show_event, told
from simulator.engine.clock import RealClock
from simulator.engine.difficulty import describe
from simulator.i18n import t
from simulator.sessions import RecordedSession, backend_for, choose, transcript_path
from simulator.settings import Settings
from simulator.storage import open_repository
from transcripts.format import save_transcript

END_COMMAND = "/end"


async def converse(recorded: RecordedSession, customer: str) -> None:
    loop = asyncio.get_running_loop()
    session = recorded.session

    def read() -> None:
        for line in sys.stdin:
            if line.strip() == END_COMMAND:
                break
            loop.call_soon_threadsafe(session.say, line)
        loop.call_soon_threadsafe(session.finish)

    threading.Thread(target=read, name="sparring-input", daemon=True).start()
    typing_shown = False
    async for event in recorded.events():
        if event.type == "typing" and not typing_shown:
            typer.echo(typer.style(t("practice.typing", name=customer), dim=True))
        typing_shown = event.type == "typing" or (event.role == "customer" and not event.final)
        if event.role != "agent":  # the trainee's own lines are already on their screen
            show_event(event, customer)
        elif event.meta.get("interruption"):
            typer.echo(typer.style(t("practice.interrupted", name=customer), fg="yellow"))


def run_practice(
    settings: Settings,
    *,
    scenario: str | None,
    resume: str | None,
    seed: int,
    out: Path | None,
    mode: str,
    catalog: list[Path],
    difficulty: int | None = None,
) -> None:
    """``resume``: go on with a stored session; its scenario, level, seed and time so far come from the store."""
    extra = [*settings.catalog, *catalog]
    repo = open_repository(settings)
    if resume:
        recorded = RecordedSession.resume(
            repo, resume, lambda key: choose(key, extra), lambda chosen: told(backend_for(settings, chosen))
        )
        typer.echo(t("practice.resumed", id=resume))
    else:
        assert scenario is not None
        casting = choose(scenario, extra)
        backend = told(backend_for(settings, casting.scenario))
        recorded = RecordedSession.start(
            repo, casting, backend, RealClock(), mode=mode, seed=seed, difficulty=difficulty
        )
    session, chosen = recorded.session, recorded.casting.scenario
    target = out or transcript_path(chosen, session.transcript.id)
    customer = recorded.casting.persona.name[chosen.language]
    typer.echo(typer.style(chosen.title, bold=True))
    typer.echo(chosen.briefing)
    typer.echo(typer.style(describe(session.level), italic=True))
    typer.echo(typer.style(t("practice.how", end=END_COMMAND), dim=True) + "\n")
    try:
        asyncio.run(converse(recorded, customer))
    finally:
        save_transcript(session.transcript, target)
        typer.echo(t("simulate.saved", path=target))
    report = recorded.close()
    if report:
        typer.echo(graded_line(report))
