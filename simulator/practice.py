"""``sparring practice``: chat with a customer in the plain terminal, in real time, until the TUI arrives.

Lines are read on a thread so the customer keeps typing while you do: send before they finish and you
have interrupted them. ``/end`` or end of input closes the session; the transcript is always saved.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import typer

from simulator.engine.clock import RealClock
from simulator.engine.difficulty import describe
from simulator.engine.session import Session
from simulator.i18n import t
from simulator.launch import graded_line, recorded, set_up, show_event
from simulator.settings import load_settings
from simulator.storage import open_repository
from transcripts.format import Event, save_transcript

END_COMMAND = "/end"


async def converse(session: Session, customer: str, store: Callable[[Event], None]) -> None:
    loop = asyncio.get_running_loop()

    def read() -> None:
        for line in sys.stdin:
            if line.strip() == END_COMMAND:
                break
            loop.call_soon_threadsafe(session.say, line)
        loop.call_soon_threadsafe(session.finish)

    threading.Thread(target=read, name="sparring-input", daemon=True).start()
    typing_shown = False
    async for event in session.run():
        store(event)
        if event.type == "typing" and not typing_shown:
            typer.echo(typer.style(t("practice.typing", name=customer), dim=True))
        typing_shown = event.type == "typing" or (event.role == "customer" and not event.final)
        if event.role != "agent":  # the trainee's own lines are already on their screen
            show_event(event, customer)
        elif event.meta.get("interruption"):
            typer.echo(typer.style(t("practice.interrupted", name=customer), fg="yellow"))


def run_practice(
    *,
    scenario: str | None,
    resume: str | None,
    backend: str | None,
    model: str | None,
    seed: int,
    out: Path | None,
    mode: str,
    catalog: list[Path],
    difficulty: int | None = None,
) -> None:
    already, stored = 0.0, None
    if resume:  # the scenario, its level and the time so far come from the stored session
        stored = open_repository(load_settings()).reopen_session(resume)
        scenario, already = stored.scenario or "", max((e.t for e in stored.events), default=0.0)
        level = stored.meta.get("difficulty")
        difficulty = level if isinstance(level, int) else None
        typer.echo(t("practice.resumed", id=resume))
    assert scenario is not None
    clock = RealClock(already)
    setup = set_up(
        scenario, backend=backend, model=model, catalog=catalog, clock=clock, seed=seed, out=out, difficulty=difficulty
    )
    session, casting, target = setup.session, setup.casting, setup.target
    chosen, persona = casting.scenario, casting.persona
    customer = persona.name[chosen.language]
    typer.echo(typer.style(chosen.title, bold=True))
    typer.echo(chosen.briefing)
    typer.echo(typer.style(describe(session.level), italic=True))
    typer.echo(typer.style(t("practice.how", end=END_COMMAND), dim=True) + "\n")
    try:
        with recorded(session, casting, setup.settings, mode, stored) as recording:
            asyncio.run(converse(session, customer, recording.store))
    finally:
        save_transcript(session.transcript, target)
        typer.echo(t("simulate.saved", path=target))
    if recording.report:
        typer.echo(graded_line(recording.report))
