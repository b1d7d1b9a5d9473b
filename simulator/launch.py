"""What ``simulate`` and ``practice`` share: picking the scenario and backend, where transcripts go, printing."""

from __future__ import annotations

from pathlib import Path

import typer

from simulator import paths
from simulator.catalog import Persona, Scenario, catalog_roots, load_catalog
from simulator.i18n import t
from simulator.llm import Backend, make_backend, writes_language
from simulator.settings import Settings
from transcripts.format import Event

STYLE = {"customer": "red", "agent": "cyan", "system": "yellow"}


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


def backend_for(settings: Settings, scenario: Scenario) -> Backend:
    """The configured backend, or authored lines where the embedded model cannot write the language."""
    if not writes_language(settings.backend, settings.model, scenario.language):
        typer.echo(t("simulate.scripted_instead", lang=scenario.language), err=True)
        settings = settings.model_copy(update={"backend": "scripted"})
    return make_backend(settings)


def transcript_path(scenario: Scenario, session_id: str) -> Path:
    return paths.data_dir() / "transcripts" / f"{scenario.id}-{session_id}.json"


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
