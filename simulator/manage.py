"""The store from the command line: groups, people, sessions, reviews, imports."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from grading import grade
from grading.team import TeamReplies
from simulator.catalog import catalog_roots, load_catalog
from simulator.i18n import t
from transcripts.format import TranscriptError
from transcripts.imports import read_conversation
from transcripts.macros import read_macros
from transcripts.repository import Refused, Repository


def _print(table: Table) -> None:
    Console(highlight=False).print(table)


def add_group(repo: Repository, name: str) -> None:
    repo.add_group(name)
    typer.echo(t("manage.group_added", name=name))


def import_macros(repo: Repository, path: Path, group: str | None) -> None:
    macros = read_macros(path)
    count = repo.set_macros(macros, group)
    typer.echo(t("templates.imported", count=count, scope=group or t("templates.shared")))


def list_macros(repo: Repository, group: str | None, output: str) -> None:
    macros = repo.macros(group=group)
    if output == "json":
        typer.echo(json.dumps([{"name": m.name, "text": m.text} for m in macros], ensure_ascii=False, indent=2))
        return
    if not macros:
        typer.echo(t("templates.none"))
        return
    table = Table(t("manage.name"), t("templates.text"))
    for macro in macros:
        table.add_row(macro.name, macro.text)
    _print(table)


def list_groups(repo: Repository) -> None:
    table = Table(t("manage.group"), t("manage.members"))
    for group in repo.groups():
        members = repo.members(group.name)
        table.add_row(group.name, str(len(members)))
    _print(table)


def list_members(repo: Repository, group: str) -> None:
    table = Table(t("manage.person"), t("manage.role"), t("manage.in_group"))
    for person, mentors in repo.members(group):
        table.add_row(person.name, person.role, t("manage.mentors") if mentors else t("manage.trains"))
    _print(table)


def list_audit(repo: Repository, limit: int, output: str) -> None:
    from transcripts.signin import audit_log

    entries = audit_log(repo, limit)
    if output == "json":
        rows = [{"at": e.at.isoformat(), "by": e.actor, "action": e.action, "about": e.subject} for e in entries]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not entries:
        typer.echo(t("audit.empty"))
        return
    table = Table(*t("audit.columns").split("|"))
    for e in entries:
        table.add_row(e.at.strftime("%Y-%m-%d %H:%M:%S"), e.actor or "-", e.action, e.subject)
    _print(table)


def add_person(repo: Repository, name: str, role: str, groups: list[str], mentors: list[str]) -> None:
    repo.add_person(name, role, groups, mentors)
    typer.echo(t("manage.person_added", name=name, role=role))


def list_sessions(
    repo: Repository, *, trainee: str | None, group: str | None, scenario: str | None, status: str | None, limit: int
) -> None:
    table = Table()
    table.add_column(t("manage.session"), no_wrap=True, min_width=12)  # an id people copy: never cut
    for header in ("manage.trainee", "manage.scenario", "manage.started", "manage.status", "report.outcome"):
        table.add_column(t(header))
    table.add_column(t("report.score"), no_wrap=True)
    for s in repo.sessions(trainee=trainee, group=group, scenario=scenario, status=status, limit=limit):
        score = "" if s.score is None else f"{s.score} {'✓' if s.passed else '✗'}"
        outcome = t(f"outcome.{s.outcome}") if s.outcome else ""
        started = f"{s.started_at:%Y-%m-%d %H:%M}"
        table.add_row(s.id, s.trainee, s.scenario or "", started, t(f"status.{s.status}"), outcome, score)
    _print(table)


def import_files(
    repo: Repository,
    files: list[Path],
    *,
    trainee: str | None,
    scenario: str | None,
    language: str | None,
    extra: list[Path],
) -> None:
    """Store each conversation and grade it; one bad file stops nothing else and is reported. The chats are graded
    together: a reply sent nearly verbatim to other customers of the import, or one of the team's macros, is a
    template."""
    catalog = load_catalog(catalog_roots(extra))
    forced = catalog.scenario(scenario) if scenario else None
    failed = 0
    stored = []
    for file in files:
        try:
            transcript = read_conversation(file, language)
            known = catalog.scenarios.get(transcript.scenario or "")
            chosen = forced or (known.model if known else None)
            if chosen is not None:
                transcript = transcript.model_copy(update={"scenario": chosen.id})
            repo.store_transcript(transcript, trainee=trainee)
        except (TranscriptError, Refused) as exc:
            typer.echo(f"{t('error.prefix')}: {exc}" if not str(exc).startswith(str(file)) else str(exc), err=True)
            failed += 1
            continue
        stored.append((file, transcript, chosen))
    team = TeamReplies.of(repo.macros(trainee=trainee), [transcript for _, transcript, _ in stored])
    for file, transcript, chosen in stored:
        report = grade(transcript, chosen, team=team)
        repo.save_report(report)
        typer.echo(t("manage.imported", file=file, id=transcript.id, score=report.score))
    if failed:
        raise typer.Exit(1)
