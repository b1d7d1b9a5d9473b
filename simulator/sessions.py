"""One session's life, whoever drives it (the app, ``sparring practice``, ``sparring simulate``, the tests): the
scenario and its customer cast, the session started or resumed in the store, each event appended as it happens,
and once it has ended, finished, graded and the grade stored; and the grading of chats imported from elsewhere.
Nothing here knows about a screen or a terminal."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grading import Report, grade
from grading.team import TeamReplies
from simulator import paths
from simulator.catalog import Catalog, Persona, Scenario, UnknownName, catalog_roots, load_catalog
from simulator.engine.clock import Clock, RealClock
from simulator.engine.session import Session
from simulator.i18n import t
from simulator.llm import Backend, make_backend, writes_language
from simulator.settings import Settings
from transcripts.format import Event, Transcript
from transcripts.repository import Repository


@dataclass(frozen=True)
class Casting:
    scenario: Scenario
    persona: Persona
    digest: str
    """sha256 of the scenario's YAML as played, so a stored session says which version it was."""


def cast(catalog: Catalog, key: str) -> Casting:
    """The scenario ``key`` of a loaded catalogue, with its customer."""
    scenario = catalog.scenario(key)
    return Casting(scenario, catalog.cast(scenario), catalog.digest(scenario.id))


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
    return cast(loaded, key)


def backend_for(settings: Settings, scenario: Scenario) -> tuple[Backend, str | None]:
    """The configured backend, or authored lines where the embedded model cannot write the language;
    with a notice for the user in that case."""
    if writes_language(settings.backend, settings.model, scenario.language):
        return make_backend(settings), None
    scripted = settings.model_copy(update={"backend": "scripted"})
    return make_backend(scripted), t("simulate.scripted_instead", language=t(f"language.{scenario.language}"))


def transcript_path(scenario: Scenario, session_id: str) -> Path:
    """Where ``practice`` and ``simulate`` save a session's transcript file unless told otherwise."""
    return paths.data_dir() / "transcripts" / f"{scenario.id}-{session_id}.json"


class RecordedSession:
    """A session kept in the store while it is played. Use ``start`` or ``resume``; feed ``record`` every event
    (``events`` does it for you), and call ``close`` when play stops: a session that ended is then graded once."""

    def __init__(self, repo: Repository, casting: Casting, session: Session):
        self.repo = repo
        self.casting = casting
        self.session = session
        self.report: Report | None = None
        """Set by ``close`` once the session has ended and been graded."""

    @classmethod
    def start(
        cls,
        repo: Repository,
        casting: Casting,
        backend: Backend,
        clock: Clock,
        *,
        mode: str,
        seed: int = 0,
        difficulty: int | None = None,
        meta: dict[str, Any] | None = None,
    ) -> RecordedSession:
        """A new session, stored at once. ``meta``: kept with it (the assignment it is played for, say)."""
        session = Session(casting.scenario, casting.persona, backend, clock, seed=seed, difficulty=difficulty)
        session.transcript.meta.update(meta or {})
        repo.start_session(session.transcript, scenario_hash=casting.digest, mode=mode)
        return cls(repo, casting, session)

    @classmethod
    def resume(
        cls,
        repo: Repository,
        session_id: str,
        casting_of: Callable[[str], Casting],
        backend: Callable[[Scenario], Backend],
    ) -> RecordedSession:
        """A stored session that was left unfinished, played on at the level and seed it began with, its clock
        going on from where it stopped. ``casting_of`` finds its scenario by id; ``backend`` gives the one to
        play on."""
        stored = repo.reopen_session(session_id)
        casting = casting_of(stored.scenario or "")
        recorded = cls(repo, casting, _continued(casting, backend(casting.scenario), stored))
        recorded.session.resume(stored)
        return recorded

    def restart(self, backend: Backend) -> None:
        """A fresh engine that goes on from the transcript as it stands: after a customer line was cancelled
        half-written, nothing stored is lost and the customer answers the agent's last message again."""
        said = self.session.transcript
        self.session = _continued(self.casting, backend, said)
        self.session.resume(said)

    def record(self, event: Event) -> None:
        self.repo.append_event(self.session.transcript.id, event)

    async def events(self) -> AsyncIterator[Event]:
        """The session's events as they happen, each stored before it is handed on."""
        async for event in self.session.run():
            self.record(event)
            yield event

    def close(self) -> Report | None:
        """Once the session has ended: finish it in the store, grade it and store the grade (only once)."""
        if self.session.ended and self.report is None:
            self.repo.finish_session(self.session.transcript)
            self.report = grade(self.session.transcript, self.casting.scenario)
            self.repo.save_report(self.report)
        return self.report


def grade_imported(
    repo: Repository, chats: Sequence[tuple[Transcript, Scenario | None]], trainee: str | None
) -> list[Report]:
    """Grade stored chats from elsewhere (an import) and store the grades. They are graded together: a reply sent
    nearly verbatim to other customers of the import, or one of the team's macros, is a template."""
    team = TeamReplies.of(repo.macros(trainee=trainee), [transcript for transcript, _ in chats])
    reports = [grade(transcript, scenario, team=team) for transcript, scenario in chats]
    for report in reports:
        repo.save_report(report)
    return reports


def _continued(casting: Casting, backend: Backend, played: Transcript) -> Session:
    """An engine for a session that has already run: its seed and level, its clock at the last event's time."""
    seed, level = played.meta.get("seed"), played.meta.get("difficulty")
    return Session(
        casting.scenario,
        casting.persona,
        backend,
        RealClock(played.elapsed),
        seed=seed if isinstance(seed, int) else 0,
        difficulty=level if isinstance(level, int) else None,
    )
