"""What ``simulate`` and ``practice`` share: picking the scenario and backend, where transcripts go, printing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import typer

from grading import Report, grade
from simulator import paths
from simulator.catalog import Persona, Scenario, UnknownName, catalog_roots, load_catalog
from simulator.engine.clock import Clock
from simulator.engine.session import Session
from simulator.i18n import t
from simulator.llm import Backend, make_backend, writes_language
from simulator.settings import Settings, load_settings
from simulator.storage import open_repository
from transcripts.format import Event, Transcript

STYLE = {"customer": "red", "agent": "cyan", "system": "yellow"}


@dataclass(frozen=True)
class Casting:
    scenario: Scenario
    persona: Persona
    digest: str
    """sha256 of the scenario's YAML as played, so a stored session says which version it was."""


def choose(key: str, extra: list[Path]) -> Casting:
    """A scenario by id or by file, with its cast persona; a problem in either file stops here."""
    path = Path(key)
    by_file = path.suffix in (".yaml", ".yml")
    if by_file and not path.is_file():
        raise UnknownName(f"{key}: no such file")
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
    return Casting(chosen, loaded.cast(chosen), loaded.digest(chosen.id))


def backend_for(settings: Settings, scenario: Scenario) -> tuple[Backend, str | None]:
    """The configured backend, or authored lines where the embedded model cannot write the language;
    with a notice for the user in that case."""
    if writes_language(settings.backend, settings.model, scenario.language):
        return make_backend(settings), None
    scripted = settings.model_copy(update={"backend": "scripted"})
    return make_backend(scripted), t("simulate.scripted_instead", language=scenario.language)


@dataclass(frozen=True)
class Setup:
    settings: Settings
    casting: Casting
    session: Session
    target: Path
    """Where the transcript file goes."""


def set_up(
    key: str,
    *,
    backend: str | None,
    model: str | None,
    catalog: list[Path],
    clock: Clock,
    seed: int,
    out: Path | None,
    difficulty: int | None = None,
) -> Setup:
    """What simulate and practice both start from: settings, the cast scenario, a session, its file."""
    settings = load_settings(backend=backend, model=model)
    casting = choose(key, [*settings.catalog, *catalog])
    backend, notice = backend_for(settings, casting.scenario)
    if notice:
        typer.echo(notice, err=True)
    session = Session(casting.scenario, casting.persona, backend, clock, seed=seed, difficulty=difficulty)
    return Setup(settings, casting, session, out or transcript_path(casting.scenario, session.transcript.id))


@dataclass
class Recording:
    """A session kept in the store while it is played; ``report`` is set once it has ended and been graded."""

    store: Callable[[Event], None]
    report: Report | None = None


@contextmanager
def recorded(
    session: Session, casting: Casting, settings: Settings, mode: str, resumed: Transcript | None = None
) -> Iterator[Recording]:
    """Each event is committed as it happens; a session that ended is graded and the grade stored.
    ``resumed``: a reopened session to go on with instead of starting a new one."""
    repo = open_repository(settings)
    if resumed is not None:
        session.resume(resumed)
    else:
        repo.start_session(session.transcript, scenario_hash=casting.digest, mode=mode)
    recording = Recording(lambda event: repo.append_event(session.transcript.id, event))
    yield recording
    if session.ended:
        repo.finish_session(session.transcript)
        recording.report = grade(session.transcript, casting.scenario)
        repo.save_report(recording.report)


def graded_line(report: Report) -> str:
    verdict = t("report.passed") if report.passed else t("report.failed")
    return t("session.graded", score=report.score, verdict=verdict, id=report.transcript)


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
