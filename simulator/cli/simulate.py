"""``sparring simulate``: one headless session, printed as it happens and saved even if interrupted."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from simulator.catalog import Scenario, UnknownName
from simulator.cli.printing import graded_line, show_event, told
from simulator.engine.bots import BOTS, Agent, ScriptedAgent, load_script
from simulator.engine.clock import VirtualClock
from simulator.engine.headless import play
from simulator.i18n import t
from simulator.sessions import RecordedSession, backend_for, choose, transcript_path
from simulator.settings import Settings
from simulator.storage import open_repository
from transcripts.format import Event, save_transcript


def pick_agent(scenario: Scenario, bot: str | None, script: Path | None) -> Agent:
    if script is not None:
        return ScriptedAgent(load_script(script))
    name = bot or "good"
    if name not in BOTS:
        raise UnknownName(t("simulate.unknown_bot", name=name, choices=", ".join(BOTS)))
    return BOTS[name](scenario)


def run_simulation(
    settings: Settings,
    *,
    scenario: str,
    agent_bot: str | None,
    agent_script: Path | None,
    seed: int,
    out: Path | None,
    quiet: bool,
    mode: str,
    catalog: list[Path],
    difficulty: int | None = None,
) -> None:
    casting = choose(scenario, [*settings.catalog, *catalog])
    chosen, persona = casting.scenario, casting.persona
    agent = pick_agent(chosen, agent_bot, agent_script)
    recorded = RecordedSession.start(
        open_repository(settings),
        casting,
        told(backend_for(settings, chosen)),
        VirtualClock(),
        mode=mode,
        seed=seed,
        difficulty=difficulty,
    )
    session = recorded.session
    target = out or transcript_path(chosen, session.transcript.id)
    name = persona.name[chosen.language]

    def store(event: Event) -> None:
        recorded.record(event)
        if not quiet:
            show_event(event, name)

    try:
        asyncio.run(play(session, agent, store))
    except KeyboardInterrupt:
        typer.echo(t("simulate.interrupted"), err=True)
        raise
    finally:
        save_transcript(session.transcript, target)
        typer.echo(str(target) if quiet else t("simulate.saved", path=target))
    report = recorded.close()
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
    if report:
        typer.echo(graded_line(report))
