"""The ``sparring`` command. Heavy imports (llama.cpp, openai) wait for the command that needs them,
so ``sparring --help`` answers at once."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from simulator.cli.listing import OutputFormat, output_format
from simulator.i18n import t

if TYPE_CHECKING:  # imported where used: ``sparring --help`` answers without loading them
    from simulator.catalog import Catalog
    from simulator.settings import Settings
    from transcripts.assignments import PathPlan

app = typer.Typer(help=t("app.help"), add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)

_invocation: dict[str, object] = {}
"""What the root of the command line said for whichever command runs (``--as``): ``root`` sets it first."""

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


def _output_format(value: str | OutputFormat) -> OutputFormat:
    try:
        return output_format(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


# Every listing: table for people, csv or json for scripts (simulator.cli.listing). A parser, not the enum itself, so
# the old name "text" still means table without being offered in --help.
FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", parser=_output_format, metavar="[table|csv|json]", help=t("format.help")),
]


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
    from transcripts.lrs import LrsError
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
    except (StoreError, AccessDenied, LrsError) as exc:
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
    sign_in: Annotated[bool, typer.Option("--sign-in", help=t("sign_in.help"))] = False,
    backend: Annotated[str | None, typer.Option("--backend", help=t("app.backend"), show_default=False)] = None,
    model: Annotated[str | None, typer.Option("--model", help=t("app.model"), show_default=False)] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help=t("app.base_url"), show_default=False)] = None,
    framing: Annotated[str | None, typer.Option("--framing", help=t("app.framing"), show_default=False)] = None,
    read_ahead: Annotated[bool, typer.Option("--read-ahead", help=t("app.read_ahead"))] = False,
) -> None:
    _invocation.update(user=acting_as)
    overrides: dict[str, object] = {"backend": backend, "model": model, "base_url": base_url, "framing": framing}
    overrides |= {"read_ahead": True} if read_ahead else {}
    if ctx.invoked_subcommand is not None:
        if sign_in or any(value is not None for value in overrides.values()):
            fail(t("app.options_for_app"))
        return
    from simulator.tui.app import run_app

    with friendly_errors():
        run_app(_settings(**overrides), sign_in=sign_in)


def _settings(**overrides: object) -> Settings:
    """The settings of this command: the environment, then config.toml, under what the command line says (the
    root's ``--as`` and the command's own options)."""
    from simulator.settings import load_settings

    return load_settings(**_invocation, **overrides)


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
    typer.echo(
        t("validate.ok", personas=len(loaded.personas), scenarios=len(loaded.scenarios), paths=len(loaded.paths))
    )


class SchemaKind(StrEnum):
    persona = "persona"
    scenario = "scenario"
    path = "path"


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
def list_catalog(catalog: CatalogOption = None, output: FormatOption = OutputFormat.table) -> None:
    from simulator.catalog import catalog_roots, load_catalog
    from simulator.cli.listing import Column, print_table, show

    with friendly_errors():  # a bad setting is one line, never a traceback that quotes its value
        settings = _settings()
    loaded = load_catalog(catalog_roots([*settings.catalog, *(catalog or [])]))
    for problem in loaded.problems:
        typer.echo(str(problem), err=True)
    empty = dict.fromkeys(
        ("title", "languages", "domain", "difficulty", "persona", "temperament", "intensity", "steps")
    )
    personas = [
        {
            **empty,
            "kind": "persona",
            "id": pid,
            "languages": list(doc.model.languages),
            "temperament": doc.model.temperament.value,
            "intensity": doc.model.intensity,
        }
        for pid, doc in sorted(loaded.personas.items())
    ]
    scenarios = [
        {
            **empty,
            "kind": "scenario",
            "id": sid,
            "title": doc.model.title,
            "languages": [doc.model.language],
            "domain": doc.model.domain,
            "difficulty": doc.model.difficulty,
            "persona": doc.model.persona,
        }
        for sid, doc in sorted(loaded.scenarios.items())
    ]
    paths = [
        {
            **empty,
            "kind": "path",
            "id": path_id,
            "title": doc.model.title,
            "languages": [doc.model.language],
            "steps": [step.scenario for step in doc.model.steps],
        }
        for path_id, doc in sorted(loaded.paths.items())
    ]
    if output is not OutputFormat.table:  # one list of every kind, with the same keys
        show([Column(key) for key in ("kind", "id", *empty)], personas + scenarios + paths, output)
        return
    ident = Column("id", t("list.col.id"), no_wrap=True, min_width=12)
    persona_columns = [
        ident,
        Column("temperament", t("list.col.temperament")),
        Column("intensity", t("list.col.intensity"), lambda r: f"{r['intensity']}/10", justify="right"),
        Column("languages", t("list.col.languages"), lambda r: ", ".join(r["languages"])),
    ]
    scenario_columns = [
        ident,
        Column("languages", t("list.col.language"), lambda r: r["languages"][0]),
        Column("domain", t("list.col.domain")),
        Column("difficulty", t("list.col.difficulty"), lambda r: "★" * r["difficulty"]),
        Column("persona", t("list.col.persona")),
        Column("title", t("list.col.title")),
    ]
    print_table(persona_columns, personas, t("list.personas"))
    print_table(scenario_columns, scenarios, t("list.scenarios"))
    if paths:
        path_columns = [
            ident,
            Column("languages", t("list.col.language"), lambda r: r["languages"][0]),
            Column("steps", t("list.col.steps"), lambda r: str(len(r["steps"])), justify="right"),
            Column("title", t("list.col.title")),
        ]
        print_table(path_columns, paths, t("list.paths"))


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
    from simulator.cli.simulate import run_simulation

    if agent_bot and agent_script:
        fail(t("simulate.bot_and_script"))
    with friendly_errors():
        run_simulation(
            _settings(backend=backend, model=model),
            scenario=scenario,
            agent_bot=agent_bot,
            agent_script=agent_script,
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
    from simulator.cli.grade import run_grade

    with friendly_errors():
        run_grade(
            _settings(),
            file=file,
            scenario=scenario,
            output=output.value,
            language=lang.value if lang else None,
            judge=judge,
            catalog=catalog or [],
        )


@app.command(help=t("draft.help"))
def draft(
    chat: Annotated[Path, typer.Argument(help=t("draft.chat"), show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help=t("draft.out"), show_default=False)],
    lang: Annotated[Lang | None, typer.Option("--lang", help=t("draft.lang"), show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help=t("draft.force"))] = False,
) -> None:
    from simulator.draft import DraftExists, write_draft

    with friendly_errors():
        try:
            written = write_draft(chat, out, language=lang.value if lang else None, force=force)
        except DraftExists as exc:
            fail(str(exc))
    typer.echo(t("draft.written", path=out, todos=written.todos, replaced=written.replaced))


@app.command(help=t("analyze.help"))
def analyze(
    file: Annotated[str, typer.Argument(help=t("analyze.file"))],
    lang: LangOption = None,
) -> None:
    from simulator.cli.grade import run_analyze

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
    from simulator.cli.understand import run_understand

    with friendly_errors():
        settings = _settings()
        run_understand(
            scenario=scenario, messages=messages, output=output.value, catalog=[*settings.catalog, *(catalog or [])]
        )


@app.command(help=t("unplaced.help"))
def unplaced(
    scenario: ScenarioOption,
    limit: Annotated[int, typer.Option("--limit", help=t("unplaced.limit"), min=1)] = 500,
    output: FormatOption = OutputFormat.table,
    catalog: CatalogOption = None,
) -> None:
    from simulator.cli.understand import run_unplaced

    with store() as repo:
        settings = _settings()
        run_unplaced(
            repo=repo,
            scenario=scenario,
            limit=limit,
            output=output,
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
    from simulator.cli.practice import run_practice

    with friendly_errors():
        if (scenario is None) == (resume is None):
            fail(t("practice.scenario_or_resume"))
        run_practice(
            _settings(backend=backend, model=model),
            scenario=scenario,
            resume=resume,
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
    from simulator.cli.manage import add_group

    with store() as repo:
        add_group(repo, name)


@group_app.command("list", help=t("group.list.help"))
def group_list(output: FormatOption = OutputFormat.table) -> None:
    from simulator.cli.manage import list_groups

    with store() as repo:
        list_groups(repo, output)


@group_app.command("members", help=t("group.members.help"))
def group_members(
    name: Annotated[str, typer.Argument(help=t("group.name"))], output: FormatOption = OutputFormat.table
) -> None:
    from simulator.cli.manage import list_members

    with store() as repo:
        list_members(repo, name, output)


@templates_app.command("import", help=t("templates.import.help"))
def templates_import(
    file: Annotated[Path, typer.Argument(help=t("templates.file"))], group: GroupOption = None
) -> None:
    from simulator.cli.manage import import_macros

    with store() as repo:
        import_macros(repo, file, group)


@templates_app.command("list", help=t("templates.list.help"))
def templates_list(
    group: GroupOption = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    from simulator.cli.manage import list_macros

    with store() as repo:
        list_macros(repo, group, output)


@person_app.command("add", help=t("person.add.help"))
def person_add(
    name: Annotated[str, typer.Argument(help=t("person.name"))],
    role: Annotated[str, typer.Option("--role", help=t("person.role"))] = "trainee",
    group: Annotated[list[str] | None, typer.Option("--group", help=t("person.group"), show_default=False)] = None,
    mentors: Annotated[
        list[str] | None, typer.Option("--mentors", help=t("person.mentors"), show_default=False)
    ] = None,
) -> None:
    from simulator.cli.manage import add_person

    with store() as repo:
        add_person(repo, name, role, group or [], mentors or [])


def _new_password(name: str, from_stdin: bool) -> str:
    """Read once from standard input, or asked twice without echo. Never an argument: it would sit in the
    shell's history and the process list."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail(t("person.passwd.empty"))
        return password
    password = typer.prompt(t("person.passwd.prompt", name=name), hide_input=True)
    if typer.prompt(t("person.passwd.repeat"), hide_input=True) != password:
        fail(t("person.passwd.mismatch"))
    return str(password)


PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help=t("person.passwd.stdin"))]


@person_app.command("passwd", help=t("person.passwd.help"))
def person_passwd(name: Annotated[str, typer.Argument(help=t("person.name"))], stdin: PasswordStdin = False) -> None:
    from transcripts.signin import set_password

    with store() as repo:
        set_password(repo, name, _new_password(name, stdin))
        typer.echo(t("person.passwd.done", name=name))


@person_app.command("invite", help=t("person.invite.help"))
def person_invite(
    name: Annotated[str, typer.Argument(help=t("person.name"))],
    days: Annotated[int, typer.Option("--days", help=t("person.invite.days"), min=1, max=90)] = 7,
) -> None:
    from datetime import datetime, timedelta

    from transcripts.signin import invite

    with store() as repo:
        code = invite(repo, name, timedelta(days=days))
        until = (datetime.now() + timedelta(days=days)).strftime("%Y-%m-%d %H:%M")
        typer.echo(t("person.invite.done", name=name, until=until))
        typer.echo(code)


@person_app.command("redeem", help=t("person.redeem.help"))
def person_redeem(name: Annotated[str, typer.Argument(help=t("person.name"))], stdin: PasswordStdin = False) -> None:
    from simulator.storage import open_store
    from transcripts.signin import redeem

    with friendly_errors():
        engine = open_store(_settings())
        code = sys.stdin.readline().strip() if stdin else typer.prompt(t("person.redeem.code"), hide_input=True)
        redeem(engine, name, code, _new_password(name, stdin))
        typer.echo(t("person.redeem.done", name=name))


@app.command(help=t("audit.help"))
def audit(
    limit: Annotated[int, typer.Option("--limit", help=t("audit.limit"), min=1)] = 100,
    output: FormatOption = OutputFormat.table,
) -> None:
    from simulator.cli.manage import list_audit

    with store() as repo:
        list_audit(repo, limit, output)


@app.command(help=t("sessions.help"))
def sessions(
    trainee: Annotated[str | None, typer.Option("--trainee", help=t("sessions.trainee"), show_default=False)] = None,
    group: Annotated[str | None, typer.Option("--group", help=t("sessions.group"), show_default=False)] = None,
    scenario: Annotated[str | None, typer.Option("--scenario", help=t("sessions.scenario"), show_default=False)] = None,
    status: Annotated[str | None, typer.Option("--status", help=t("sessions.status"), show_default=False)] = None,
    limit: Annotated[int, typer.Option("--limit", help=t("sessions.limit"), min=1)] = 50,
    output: FormatOption = OutputFormat.table,
) -> None:
    from simulator.cli.manage import list_sessions

    with store() as repo:
        list_sessions(repo, trainee=trainee, group=group, scenario=scenario, status=status, limit=limit, output=output)


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
    from simulator.cli.manage import import_files

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


@app.command(help=t("progress.help"))
def progress(
    group: Annotated[str | None, typer.Option("--group", help=t("progress.group"), show_default=False)] = None,
    trainee: Annotated[str | None, typer.Option("--trainee", help=t("progress.trainee"), show_default=False)] = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    from simulator.assignments_view import render_paths
    from simulator.cli.listing import width
    from simulator.cli.progress import render_progress
    from transcripts.assignments import path_progress
    from transcripts.progress import progress as load_progress

    with store() as repo:
        summary = load_progress(repo, group=group, trainee=trainee)
        loaded, path_plans = _paths_of_catalog()
        along = path_progress(repo, path_plans, group=group, trainee=trainee)
    sys.stdout.write(render_progress(summary, output, width=width(), paths=along))
    if along and output is OutputFormat.table:
        sys.stdout.write(render_paths(along, {p.id: p.title for p in path_plans}, width=width()))


def _paths_of_catalog() -> tuple[Catalog, list[PathPlan]]:
    from simulator.assignments_view import plans
    from simulator.catalog import catalog_roots, load_catalog

    loaded = load_catalog(catalog_roots(_settings().catalog))
    return loaded, plans(loaded)


@app.command(help=t("assign.help"))
def assign(
    target: Annotated[str, typer.Argument(help=t("assign.target"))],
    group: Annotated[str, typer.Option("--group", help=t("assign.group"))],
    due: Annotated[str, typer.Option("--due", help=t("assign.due"))],
    trainee: Annotated[str | None, typer.Option("--trainee", help=t("assign.trainee"), show_default=False)] = None,
    pass_mark: Annotated[
        int | None, typer.Option("--pass", min=0, max=100, help=t("assign.pass"), show_default=False)
    ] = None,
    attempts: Annotated[
        int | None, typer.Option("--attempts", min=1, help=t("assign.attempts"), show_default=False)
    ] = None,
    mode: Annotated[Mode, typer.Option("--mode", help=t("assign.mode"))] = Mode.practice,
) -> None:
    from simulator.assignments_view import parse_due, target_of
    from transcripts.assignments import assign as store_assignment

    with store() as repo:
        loaded, _ = _paths_of_catalog()
        kind, steps = target_of(loaded, target, pass_mark, mode.value)
        made = store_assignment(
            repo,
            group=group,
            kind=kind,
            target=target,
            steps=steps,
            due=parse_due(due),
            trainee=trainee,
            pass_mark=pass_mark,
            attempts=attempts,
            mode=mode.value,
        )
        who = made.trainee or t("assign.whole_group", group=group)
        typer.echo(t("assign.done", id=made.id, target=target, who=who, due=made.due.isoformat()))


@app.command(help=t("assignments.help"))
def assignments(
    group: Annotated[str | None, typer.Option("--group", help=t("assignments.group"), show_default=False)] = None,
    trainee: Annotated[str | None, typer.Option("--trainee", help=t("assignments.trainee"), show_default=False)] = None,
    output: FormatOption = OutputFormat.table,
    cancelled: Annotated[bool, typer.Option("--cancelled", help=t("assignments.cancelled"))] = False,
) -> None:
    from simulator.assignments_view import render_board
    from simulator.cli.listing import width
    from transcripts.assignments import board

    with store() as repo:
        found = board(repo, group=group, trainee=trainee, cancelled=cancelled)
    sys.stdout.write(render_board(found, output.value, width=width()))


assignment_app = typer.Typer(help=t("assignment.help"), no_args_is_help=True)
app.add_typer(assignment_app, name="assignment")
AssignmentArgument = Annotated[int, typer.Argument(help=t("assignment.id"))]


@assignment_app.command("change", help=t("assignment.change.help"))
def assignment_change(
    number: AssignmentArgument,
    due: Annotated[str | None, typer.Option("--due", help=t("assign.due"), show_default=False)] = None,
    pass_mark: Annotated[
        int | None, typer.Option("--pass", min=0, max=100, help=t("assign.pass"), show_default=False)
    ] = None,
    attempts: Annotated[
        int | None, typer.Option("--attempts", min=1, help=t("assign.attempts"), show_default=False)
    ] = None,
) -> None:
    from simulator.assignments_view import parse_due
    from transcripts.assignments import change_assignment

    with store() as repo:
        change_assignment(repo, number, due=parse_due(due) if due else None, pass_mark=pass_mark, attempts=attempts)
        typer.echo(t("assignment.changed", id=number))


@assignment_app.command("cancel", help=t("assignment.cancel.help"))
def assignment_cancel(number: AssignmentArgument) -> None:
    from transcripts.assignments import cancel_assignment

    with store() as repo:
        cancel_assignment(repo, number)
        typer.echo(t("assignment.cancelled_now", id=number))


@app.command("export-certificate", help=t("certificate.help"))
def export_certificate(
    path: Annotated[str, typer.Option("--path", help=t("certificate.path"))],
    out: Annotated[Path, typer.Option("--out", "-o", help=t("certificate.out"))],
    trainee: Annotated[str | None, typer.Option("--trainee", help=t("certificate.trainee"), show_default=False)] = None,
) -> None:
    from simulator.assignments_view import plan_of
    from transcripts.assignments import certificate
    from transcripts.export import export_certificate as render_certificate

    with store() as repo:
        loaded, _ = _paths_of_catalog()
        model = loaded.path(path)
        earned = certificate(repo, plan_of(model), trainee)
        out.write_text(render_certificate(earned, model.language, model.description), encoding="utf-8")
    typer.echo(t("certificate.written", path=out), err=True)


@app.command(help=t("calibration.help"))
def calibration(
    group: Annotated[str | None, typer.Option("--group", help=t("calibration.group"), show_default=False)] = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    from simulator.cli.calibration import render_calibration
    from simulator.cli.listing import width
    from transcripts.calibration import calibration as load_calibration

    with store() as repo:
        report = load_calibration(repo, group=group)
    sys.stdout.write(render_calibration(report, output, width=width()))


xapi_app = typer.Typer(help=t("xapi.help"), no_args_is_help=True)
app.add_typer(xapi_app, name="xapi")


@xapi_app.command("statement", help=t("xapi.statement.help"))
def xapi_statement(session: SessionArgument, catalog: CatalogOption = None) -> None:
    from simulator.cli.xapi import print_statement

    with store() as repo:
        print_statement(repo, _settings(), session, catalog or [])


class PushFormat(StrEnum):
    text = "text"
    json = "json"


@xapi_app.command("push", help=t("xapi.push.help"))
def xapi_push(
    since: Annotated[str | None, typer.Option("--since", help=t("xapi.since"), show_default=False)] = None,
    output: Annotated[PushFormat, typer.Option("--format", "-f", help=t("xapi.format"))] = PushFormat.text,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=t("xapi.dry_run"))] = False,
    batch: Annotated[int, typer.Option("--batch", min=1, max=1000, help=t("xapi.batch"))] = 50,
    resend: Annotated[bool, typer.Option("--resend", help=t("xapi.resend"))] = False,
    catalog: CatalogOption = None,
) -> None:
    from simulator.cli.xapi import run_push

    with store() as repo:
        run_push(
            repo,
            _settings(),
            since=since,
            output=output.value,
            dry_run=dry_run,
            batch=batch,
            resend=resend,
            extra=catalog or [],
        )


@app.command(help=t("serve.help"))
def serve(
    host: Annotated[str, typer.Option("--host", help=t("serve.host"))] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help=t("serve.port"), min=1, max=65535)] = 8000,
    public_url: Annotated[
        str | None, typer.Option("--public-url", help=t("serve.public_url"), show_default=False)
    ] = None,
) -> None:
    from simulator.storage import open_store
    from simulator.tui.serve import loopback
    from simulator.tui.serve import serve as serve_app
    from transcripts.signin import anyone_can_sign_in

    with friendly_errors():
        # Anyone who reaches a page off this machine meets the sign-in screen; it must be a door, not a wall.
        if not loopback(host) and not anyone_can_sign_in(open_store(_settings())):
            fail(t("serve.no_sign_in", host=host), EXIT_FAILED)
    serve_app(_settings(), host, port, public_url)


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
