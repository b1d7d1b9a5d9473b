"""``sparring simulate``: one headless session, printed as it happens and saved even if interrupted."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import typer

from simulator.catalog import Scenario, UnknownName
from simulator.engine.bots import BOTS, Agent, ScriptedAgent, load_script
from simulator.engine.clock import VirtualClock
from simulator.engine.headless import play
from simulator.i18n import t
from simulator.launch import graded_line, recorded, set_up, show_event
from transcripts.format import Event, save_transcript


def pick_agent(scenario: Scenario, bot: str | None, script: Path | None) -> Agent:
    if script is not None:
        return ScriptedAgent(load_script(script))
    name = bot or "good"
    if name not in BOTS:
        raise UnknownName(t("simulate.unknown_bot", name=name, choices=", ".join(BOTS)))
    return BOTS[name](scenario)


def run_simulation(
    *,
    scenario: str,
    agent_bot: str | None,
    agent_script: Path | None,
    backend: str | None,
    model: str | None,
    seed: int,
    out: Path | None,
    quiet: bool,
    mode: str,
    catalog: list[Path],
    difficulty: int | None = None,
) -> None:
    setup = set_up(
        scenario,
        backend=backend,
        model=model,
        catalog=catalog,
        clock=VirtualClock(),
        seed=seed,
        out=out,
        difficulty=difficulty,
    )
    session, casting, target = setup.session, setup.casting, setup.target
    chosen, persona = casting.scenario, casting.persona
    agent = pick_agent(chosen, agent_bot, agent_script)
    name = persona.name[chosen.language]

    def shown(store: Callable[[Event], None]) -> Callable[[Event], None]:
        return store if quiet else lambda e: (store(e), show_event(e, name))  # type: ignore[func-returns-value]

    try:
        with recorded(session, casting, setup.settings, mode) as recording:
            asyncio.run(play(session, agent, shown(recording.store)))
    except KeyboardInterrupt:
        typer.echo(t("simulate.interrupted"), err=True)
        raise
    finally:
        save_transcript(session.transcript, target)
        typer.echo(str(target) if quiet else t("simulate.saved", path=target))
    if quiet:
        return
    summary = t(
        "simulate.outcome", outcome=t(f"outcome.{session.transcript.outcome}"), patience=session.director.patience
    )
    if session.transcript.meta["backend"] != "scripted":
        lines = [
            e
            for e in session.transcript.messages("customer")
            if e.meta.get("chunk") == 0 and e.meta.get("intents", ["opening"]) != ["opening"]
        ]
        summary += t(
            "simulate.fallbacks", fallbacks=sum(e.meta.get("fallback", False) for e in lines), lines=len(lines)
        )
    typer.echo(summary)
    if recording.report:
        typer.echo(graded_line(recording.report))
