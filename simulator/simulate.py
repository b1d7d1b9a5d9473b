"""``sparring simulate``: one headless session, printed as it happens and saved even if interrupted."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from simulator import paths
from simulator.catalog import Persona, Scenario, catalog_roots, load_catalog
from simulator.engine.bots import BOTS, Agent, ScriptedAgent, load_script
from simulator.engine.clock import VirtualClock
from simulator.engine.headless import play
from simulator.engine.session import Session
from simulator.i18n import t
from simulator.llm import make_backend, writes_language
from simulator.settings import load_settings
from transcripts.format import Event, save_transcript

STYLE = {"customer": "red", "agent": "cyan", "system": "yellow"}


def pick_agent(scenario: Scenario, bot: str | None, script: Path | None) -> Agent:
    if script is not None:
        return ScriptedAgent(load_script(script))
    name = bot or "good"
    if name not in BOTS:
        raise LookupError(t("simulate.unknown_bot", name=name, choices=", ".join(BOTS)))
    return BOTS[name](scenario)


def choose(key: str, extra: list[Path]) -> tuple[Scenario, Persona]:
    """A scenario by id or by file, with its cast persona; a problem in either file stops here."""
    path = Path(key)
    by_file = path.suffix in (".yaml", ".yml")
    if by_file and not path.is_file():
        raise LookupError(f"{key}: no such file")
    loaded = load_catalog(catalog_roots(extra) + ([path] if by_file else []))
    if by_file:
        key = next((sid for sid, doc in loaded.scenarios.items() if doc.path.resolve() == path.resolve()), key)
    relevant = {path.resolve()} if by_file else set()
    if key in loaded.scenarios:
        scenario = loaded.scenarios[key]
        relevant |= {scenario.path.resolve()}
        if scenario.model.persona in loaded.personas:
            relevant.add(loaded.personas[scenario.model.persona].path.resolve())
    for problem in loaded.problems:
        if Path(problem.path).resolve() in relevant:
            raise problem
    chosen = loaded.scenario(key)
    return chosen, loaded.cast(chosen)


def run_simulation(*, scenario: str, agent_bot: str | None, agent_script: Path | None, backend: str | None,
                   model: str | None, seed: int, out: Path | None, quiet: bool, catalog: list[Path]) -> None:
    settings = load_settings(backend=backend, model=model)
    chosen, persona = choose(scenario, [*settings.catalog, *catalog])
    agent = pick_agent(chosen, agent_bot, agent_script)

    if not writes_language(settings.backend, settings.model, chosen.language):
        typer.echo(t("simulate.scripted_instead", lang=chosen.language), err=True)
        settings = settings.model_copy(update={"backend": "scripted"})
    session = Session(chosen, persona, make_backend(settings), VirtualClock(), seed=seed)
    target = out or paths.data_dir() / "transcripts" / f"{chosen.id}-{session.transcript.id}.json"
    name = persona.name[chosen.language]
    try:
        asyncio.run(play(session, agent, None if quiet else lambda e: _show(e, name)))
    except KeyboardInterrupt:
        typer.echo(t("simulate.interrupted"), err=True)
        raise
    finally:
        save_transcript(session.transcript, target)
        typer.echo(str(target) if quiet else t("simulate.saved", path=target))
    if not quiet:
        lines = [e for e in session.transcript.messages("customer") if e.meta.get("chunk") == 0 and "intents" in e.meta
                 and e.meta["intents"] != ["opening"]]
        typer.echo(t("simulate.outcome", outcome=t(f"outcome.{session.transcript.outcome}"),
                     patience=session.director.patience, fallbacks=sum(e.meta.get("fallback", False) for e in lines),
                     lines=len(lines)))


def _show(event: Event, customer: str) -> None:
    if event.type == "typing":
        return
    who = {"customer": customer, "agent": t("role.agent"), "system": t("role.system")}[event.role]
    text = event.text or ""
    if event.type == "end":
        text = t(f"outcome.{text}")
    marks = " ⚡" if event.meta.get("interruption") else ""
    stamp = typer.style(f"{event.t:7.1f}s", dim=True)
    typer.echo(f"{stamp} {typer.style(who, fg=STYLE[event.role], bold=True)}{marks}: {text}")
