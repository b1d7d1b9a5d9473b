"""The ``sparring`` command. Heavy imports (llama.cpp, openai) wait for the command that needs them,
so ``sparring --help`` answers at once."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from simulator.i18n import t

app = typer.Typer(help=t("app.help"), add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1


class Lang(StrEnum):
    en = "en"
    ru = "ru"


# Options shared by several commands.
CatalogOption = Annotated[list[Path] | None, typer.Option("--catalog", help=t("catalog.flag"), show_default=False)]
ScenarioOption = Annotated[str, typer.Option("--scenario", "-s", help=t("simulate.scenario"))]
BackendOption = Annotated[str | None, typer.Option("--backend", "-b", help=t("simulate.backend"), show_default=False)]
ModelOption = Annotated[str | None, typer.Option("--model", "-m", help=t("simulate.model"), show_default=False)]
SeedOption = Annotated[int, typer.Option("--seed", help=t("simulate.seed"))]
DifficultyOption = Annotated[
    int | None, typer.Option("--difficulty", min=1, max=5, help=t("simulate.difficulty"), show_default=False)
]
OutOption = Annotated[Path | None, typer.Option("--out", "-o", help=t("simulate.out"), show_default=False)]
LangOption = Annotated[Lang | None, typer.Option("--lang", help=t("grade.lang"), show_default=False)]


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    typer.echo(f"{t('error.prefix')}: {message}" if not _located(message) else message, err=True)
    raise typer.Exit(code)


def _located(message: str) -> bool:
    """Messages that already start with ``path:line:`` are printed as they are."""
    head = message.split(": ", 1)[0]
    return head.count(":") >= 1 and head.rsplit(":", 1)[-1].isdigit()


@contextlib.contextmanager
def friendly_errors() -> Iterator[None]:
    """Expected failures become one line and an exit code, never a traceback."""
    from pydantic import ValidationError

    from simulator.catalog import CatalogError, UnknownName
    from simulator.llm import BackendError
    from transcripts.format import TranscriptError
    from transcripts.repository import AccessDenied, NotFound, Refused
    from transcripts.store import StoreError

    try:
        yield
    except (CatalogError, TranscriptError) as exc:
        fail(str(exc))
    except (UnknownName, NotFound) as exc:
        fail(str(exc))
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"{'.'.join(map(str, first['loc']))}: {first['msg']}")
    except BackendError as exc:
        fail(str(exc), EXIT_FAILED)
    except (StoreError, AccessDenied) as exc:
        fail(str(exc), EXIT_FAILED)
    except Refused as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))


class Mode(StrEnum):
    practice = "practice"
    assessment = "assessment"


ModeOption = Annotated[Mode, typer.Option("--mode", help=t("mode.help"))]


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    acting_as: Annotated[str | None, typer.Option("--as", help=t("as.help"), show_default=False)] = None,
    backend: Annotated[str | None, typer.Option("--backend", help=t("app.backend"), show_default=False)] = None,
    model: Annotated[str | None, typer.Option("--model", help=t("app.model"), show_default=False)] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help=t("app.base_url"), show_default=False)] = None,
    framing: Annotated[str | None, typer.Option("--framing", help=t("app.framing"), show_default=False)] = None,
) -> None:
    if acting_as:
        os.environ["SPARRING_USER"] = acting_as  # settings read it, whichever command runs
    overrides = {"backend": backend, "model": model, "base_url": base_url, "framing": framing}
    if ctx.invoked_subcommand is not None:
        if any(value is not None for value in overrides.values()):
            fail(t("app.options_for_app"))
        return
    from simulator.tui.app import run_app

    with friendly_errors():
        run_app(_settings(**overrides))


def _settings(**overrides: object):  # noqa: ANN202 - deferred import keeps --help fast
    from simulator.settings import load_settings

    return load_settings(**overrides)


@app.command(help=t("validate.help"))
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help=t("validate.paths"), show_default=False)] = None,
    catalog: CatalogOption = None,
) -> None:
    from simulator.catalog import catalog_roots, load_catalog

    with friendly_errors():
        settings = _settings()
        loaded = load_catalog([*catalog_roots([*settings.catalog, *(catalog or [])]), *(paths or [])])
    from simulator.catalog.checks import warnings as catalog_warnings

    for problem in loaded.problems:
        typer.echo(str(problem), err=True)
    warnings = catalog_warnings(loaded)
    for warning in warnings:
        typer.echo(str(warning), err=True)
    if loaded.problems:
        typer.echo(t("validate.failed", count=len(loaded.problems)), err=True)
        raise typer.Exit(EXIT_FAILED)
    if warnings:
        typer.echo(t("validate.warnings", count=len(warnings)), err=True)
    typer.echo(t("validate.ok", personas=len(loaded.personas), scenarios=len(loaded.scenarios)))


class SchemaKind(StrEnum):
    persona = "persona"
    scenario = "scenario"


@app.command(help=t("schema.help"))
def schema(
    kind: Annotated[SchemaKind, typer.Argument(help=t("schema.kind"))],
    out: Annotated[Path | None, typer.Option("--out", "-o", help=t("schema.out"), show_default=False)] = None,
) -> None:
    from simulator.catalog.schema import json_schema

    text = json.dumps(json_schema(kind.value), ensure_ascii=False, indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
        return
    out.write_text(text, encoding="utf-8")
    typer.echo(t("schema.written", path=out), err=True)


@app.command("list", help=t("list.help"))
def list_catalog(catalog: CatalogOption = None) -> None:
    from simulator.catalog import catalog_roots, load_catalog

    with friendly_errors():  # a bad setting is one line, never a traceback that quotes its value
        settings = _settings()
    loaded = load_catalog(catalog_roots([*settings.catalog, *(catalog or [])]))
    for problem in loaded.problems:
        typer.echo(str(problem), err=True)
    typer.echo(t("list.personas"))
    for pid, doc in sorted(loaded.personas.items()):
        persona = doc.model
        typer.echo(
            f"  {pid:<12} {persona.temperament.value:<10} {persona.intensity:>2}/10  {', '.join(persona.languages)}"
        )
    typer.echo(t("list.scenarios"))
    for sid, sdoc in sorted(loaded.scenarios.items()):
        scenario = sdoc.model
        typer.echo(
            f"  {sid:<24} {scenario.language}  {scenario.domain:<10} {'★' * scenario.difficulty:<5} "
            f"{scenario.persona:<10} {scenario.title}"
        )


@app.command(help=t("simulate.help"))
def simulate(
    scenario: ScenarioOption,
    agent_bot: Annotated[str | None, typer.Option("--agent-bot", help=t("simulate.bot"), show_default=False)] = None,
    agent_script: Annotated[
        Path | None, typer.Option("--agent-script", help=t("simulate.script"), show_default=False)
    ] = None,
    backend: BackendOption = None,
    model: ModelOption = None,
    seed: SeedOption = 0,
    difficulty: DifficultyOption = None,
    out: OutOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help=t("simulate.quiet"))] = False,
    mode: ModeOption = Mode.practice,
    catalog: CatalogOption = None,
) -> None:
    from simulator.simulate import run_simulation

    if agent_bot and agent_script:
        fail(t("simulate.bot_and_script"))
    with friendly_errors():
        run_simulation(
            scenario=scenario,
            agent_bot=agent_bot,
            agent_script=agent_script,
            backend=backend,
            model=model,
            seed=seed,
            out=out,
            quiet=quiet,
            mode=mode.value,
            catalog=catalog or [],
            difficulty=difficulty,
        )


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    md = "md"


@app.command(help=t("grade.help"))
def grade(
    file: Annotated[Path, typer.Argument(help=t("grade.file"))],
    scenario: Annotated[
        str | None, typer.Option("--scenario", "-s", help=t("grade.scenario"), show_default=False)
    ] = None,
    output: Annotated[ReportFormat, typer.Option("--format", "-f", help=t("grade.format"))] = ReportFormat.text,
    lang: LangOption = None,
    judge: Annotated[bool, typer.Option("--judge", help=t("grade.judge"))] = False,
    catalog: CatalogOption = None,
) -> None:
    from simulator.grade import run_grade

    with friendly_errors():
        run_grade(
            file=file,
            scenario=scenario,
            output=output.value,
            language=lang.value if lang else None,
            judge=judge,
            catalog=catalog or [],
        )


@app.command(help=t("analyze.help"))
def analyze(
    file: Annotated[str, typer.Argument(help=t("analyze.file"))],
    lang: LangOption = None,
) -> None:
    from simulator.grade import run_analyze

    with friendly_errors():
        run_analyze(file=file, language=lang.value if lang else None)


class UnderstandFormat(StrEnum):
    text = "text"
    json = "json"


@app.command(help=t("understand.help"))
def understand(
    messages: Annotated[list[str], typer.Argument(help=t("understand.messages"))],
    scenario: ScenarioOption,
    output: Annotated[
        UnderstandFormat, typer.Option("--format", "-f", help=t("understand.format"))
    ] = UnderstandFormat.text,
    catalog: CatalogOption = None,
) -> None:
    from simulator.understand import run_understand

    with friendly_errors():
        settings = _settings()
        run_understand(
            scenario=scenario, messages=messages, output=output.value, catalog=[*settings.catalog, *(catalog or [])]
        )


@app.command(help=t("unplaced.help"))
def unplaced(
    scenario: ScenarioOption,
    limit: Annotated[int, typer.Option("--limit", help=t("unplaced.limit"), min=1)] = 500,
    output: Annotated[
        UnderstandFormat, typer.Option("--format", "-f", help=t("understand.format"))
    ] = UnderstandFormat.text,
    catalog: CatalogOption = None,
) -> None:
    from simulator.understand import run_unplaced

    with store() as repo:
        settings = _settings()
        run_unplaced(
            repo=repo,
            scenario=scenario,
            limit=limit,
            output=output.value,
            catalog=[*settings.catalog, *(catalog or [])],
        )


@app.command(help=t("practice.help"))
def practice(
    scenario: Annotated[
        str | None, typer.Option("--scenario", "-s", help=t("simulate.scenario"), show_default=False)
    ] = None,
    resume: Annotated[str | None, typer.Option("--resume", help=t("practice.resume"), show_default=False)] = None,
    backend: BackendOption = None,
    model: ModelOption = None,
    seed: SeedOption = 0,
    difficulty: DifficultyOption = None,
    out: OutOption = None,
    mode: ModeOption = Mode.practice,
    catalog: CatalogOption = None,
) -> None:
    from simulator.practice import run_practice

    with friendly_errors():
        if (scenario is None) == (resume is None):
            fail(t("practice.scenario_or_resume"))
        run_practice(
            scenario=scenario,
            resume=resume,
            backend=backend,
            model=model,
            seed=seed,
            out=out,
            mode=mode.value,
            catalog=catalog or [],
            difficulty=difficulty,
        )


group_app = typer.Typer(help=t("group.help"), no_args_is_help=True)
person_app = typer.Typer(help=t("person.help"), no_args_is_help=True)
templates_app = typer.Typer(help=t("templates.help"), no_args_is_help=True)
app.add_typer(group_app, name="group")
app.add_typer(person_app, name="person")
app.add_typer(templates_app, name="templates")
GroupOption = Annotated[str | None, typer.Option("--group", help=t("templates.group"), show_default=False)]
SessionArgument = Annotated[str, typer.Argument(help=t("session.id"))]
MarkArgument = Annotated[int, typer.Argument(help=t("review.mark"))]
ReasonOption = Annotated[str | None, typer.Option("--reason", help=t("review.reason"), show_default=False)]


@contextlib.contextmanager
def store() -> Iterator[Any]:
    """The repository as the acting person, with every expected failure as one line."""
    from simulator.storage import open_repository

    with friendly_errors():
        yield open_repository(_settings())


@group_app.command("add", help=t("group.add.help"))
def group_add(name: Annotated[str, typer.Argument(help=t("group.name"))]) -> None:
    from simulator.manage import add_group

    with store() as repo:
        add_group(repo, name)


@group_app.command("list", help=t("group.list.help"))
def group_list() -> None:
    from simulator.manage import list_groups

    with store() as repo:
        list_groups(repo)


@group_app.command("members", help=t("group.members.help"))
def group_members(name: Annotated[str, typer.Argument(help=t("group.name"))]) -> None:
    from simulator.manage import list_members

    with store() as repo:
        list_members(repo, name)


class ListFormat(StrEnum):
    text = "text"
    json = "json"


@templates_app.command("import", help=t("templates.import.help"))
def templates_import(
    file: Annotated[Path, typer.Argument(help=t("templates.file"))], group: GroupOption = None
) -> None:
    from simulator.manage import import_macros

    with store() as repo:
        import_macros(repo, file, group)


@templates_app.command("list", help=t("templates.list.help"))
def templates_list(
    group: GroupOption = None,
    output: Annotated[ListFormat, typer.Option("--format", "-f", help=t("templates.format"))] = ListFormat.text,
) -> None:
    from simulator.manage import list_macros

    with store() as repo:
        list_macros(repo, group, output.value)


@person_app.command("add", help=t("person.add.help"))
def person_add(
    name: Annotated[str, typer.Argument(help=t("person.name"))],
    role: Annotated[str, typer.Option("--role", help=t("person.role"))] = "trainee",
    group: Annotated[list[str] | None, typer.Option("--group", help=t("person.group"), show_default=False)] = None,
    mentors: Annotated[
        list[str] | None, typer.Option("--mentors", help=t("person.mentors"), show_default=False)
    ] = None,
) -> None:
    from simulator.manage import add_person

    with store() as repo:
        add_person(repo, name, role, group or [], mentors or [])


@app.command(help=t("sessions.help"))
def sessions(
    trainee: Annotated[str | None, typer.Option("--trainee", help=t("sessions.trainee"), show_default=False)] = None,
    group: Annotated[str | None, typer.Option("--group", help=t("sessions.group"), show_default=False)] = None,
    scenario: Annotated[str | None, typer.Option("--scenario", help=t("sessions.scenario"), show_default=False)] = None,
    status: Annotated[str | None, typer.Option("--status", help=t("sessions.status"), show_default=False)] = None,
    limit: Annotated[int, typer.Option("--limit", help=t("sessions.limit"), min=1)] = 50,
) -> None:
    from simulator.manage import list_sessions

    with store() as repo:
        list_sessions(repo, trainee=trainee, group=group, scenario=scenario, status=status, limit=limit)


@app.command(help=t("review.help"))
def review(
    session: SessionArgument,
    mark: MarkArgument,
    override: Annotated[bool, typer.Option("--override", help=t("review.override"))] = False,
    reason: ReasonOption = None,
) -> None:
    with store() as repo:
        repo.review(_mark_id(repo, session, mark), "override" if override else "agree", reason)
        typer.echo(t("manage.reviewed"))


@app.command(help=t("comment.help"))
def comment(
    session: SessionArgument,
    text: Annotated[str, typer.Argument(help=t("comment.text"))],
    seq: Annotated[int | None, typer.Option("--seq", help=t("comment.seq"), show_default=False)] = None,
) -> None:
    with store() as repo:
        repo.comment(session, text, seq)
        typer.echo(t("manage.commented"))


@app.command(help=t("respond.help"))
def respond(
    session: SessionArgument,
    mark: MarkArgument,
    dispute: Annotated[bool, typer.Option("--dispute", help=t("respond.dispute"))] = False,
    reason: ReasonOption = None,
) -> None:
    with store() as repo:
        repo.respond(_mark_id(repo, session, mark), "dispute" if dispute else "acknowledge", reason)
        typer.echo(t("manage.responded"))


@app.command(help=t("close.help"))
def close(session: SessionArgument) -> None:
    with store() as repo:
        repo.close_session(session)
        typer.echo(t("manage.closed", id=session))


@app.command("import", help=t("import.help"))
def import_(
    files: Annotated[list[Path], typer.Argument(help=t("import.files"))],
    trainee: Annotated[str | None, typer.Option("--trainee", help=t("import.trainee"), show_default=False)] = None,
    scenario: Annotated[
        str | None, typer.Option("--scenario", "-s", help=t("grade.scenario"), show_default=False)
    ] = None,
    lang: LangOption = None,
    catalog: CatalogOption = None,
) -> None:
    from simulator.manage import import_files

    with store() as repo:
        settings = _settings()
        import_files(
            repo,
            files,
            trainee=trainee,
            scenario=scenario,
            language=lang.value if lang else None,
            extra=[*settings.catalog, *(catalog or [])],
        )


class ExportFormat(StrEnum):
    html = "html"
    md = "md"
    json = "json"
    csv = "csv"


@app.command(help=t("export.help"))
def export(
    session: SessionArgument,
    output: Annotated[ExportFormat, typer.Option("--format", "-f", help=t("export.format_help"))] = ExportFormat.html,
    out: Annotated[Path | None, typer.Option("--out", "-o", help=t("export.out"), show_default=False)] = None,
) -> None:
    from transcripts.export import export_session

    with store() as repo:
        document = export_session(repo, session, output.value)
    data = document.encode("utf-8") if isinstance(document, str) else document
    if out is None:
        sys.stdout.buffer.write(data)
        return
    out.write_bytes(data)
    typer.echo(t("export.written", path=out), err=True)


class ProgressFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command(help=t("progress.help"))
def progress(
    group: Annotated[str | None, typer.Option("--group", help=t("progress.group"), show_default=False)] = None,
    trainee: Annotated[str | None, typer.Option("--trainee", help=t("progress.trainee"), show_default=False)] = None,
    output: Annotated[ProgressFormat, typer.Option("--format", "-f", help=t("progress.format"))] = ProgressFormat.table,
) -> None:
    import shutil

    from simulator.progress_view import render_progress
    from transcripts.progress import progress as load_progress

    with store() as repo:
        summary = load_progress(repo, group=group, trainee=trainee)
    sys.stdout.write(render_progress(summary, output.value, width=shutil.get_terminal_size().columns))


class CalibrationFormat(StrEnum):
    text = "text"
    json = "json"


@app.command(help=t("calibration.help"))
def calibration(
    group: Annotated[str | None, typer.Option("--group", help=t("calibration.group"), show_default=False)] = None,
    output: Annotated[
        CalibrationFormat, typer.Option("--format", "-f", help=t("calibration.format"))
    ] = CalibrationFormat.text,
) -> None:
    import shutil

    from simulator.calibration import render_calibration
    from transcripts.calibration import calibration as load_calibration

    with store() as repo:
        report = load_calibration(repo, group=group)
    sys.stdout.write(render_calibration(report, output.value, width=shutil.get_terminal_size().columns))


@app.command(help=t("serve.help"))
def serve(
    host: Annotated[str, typer.Option("--host", help=t("serve.host"))] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help=t("serve.port"), min=1, max=65535)] = 8000,
) -> None:
    from simulator.tui.serve import serve as serve_app

    serve_app(host, port)


def _mark_id(repo: Any, session: str, number: int) -> int:
    """Marks are numbered 1, 2, … per session for people; the store knows them by id."""
    marks = repo.marks(session)
    if not 1 <= number <= len(marks):
        from transcripts.repository import Refused

        raise Refused(t("manage.no_mark", number=number, count=len(marks), id=session))
    return int(marks[number - 1].id)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
