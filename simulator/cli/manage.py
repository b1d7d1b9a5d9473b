"""The store from the command line: groups, people, sessions, reviews, imports."""

from __future__ import annotations

from pathlib import Path

import typer

from simulator.catalog import catalog_roots, load_catalog
from simulator.cli.listing import Column, OutputFormat, show
from simulator.i18n import t
from simulator.sessions import grade_imported
from transcripts.format import TranscriptError
from transcripts.imports import read_conversation
from transcripts.macros import read_macros
from transcripts.repository import Refused, Repository


def add_group(repo: Repository, name: str) -> None:
    repo.add_group(name)
    typer.echo(t("manage.group_added", name=name))


def import_macros(repo: Repository, path: Path, group: str | None) -> None:
    macros = read_macros(path)
    count = repo.set_macros(macros, group)
    typer.echo(t("templates.imported", count=count, scope=group or t("templates.shared")))


def list_macros(repo: Repository, group: str | None, output: OutputFormat) -> None:
    rows = [{"name": m.name, "text": m.text} for m in repo.macros(group=group)]
    columns = [Column("name", t("manage.name"), no_wrap=True), Column("text", t("templates.text"))]
    show(columns, rows, output, empty=t("templates.none"))


def list_groups(repo: Repository, output: OutputFormat) -> None:
    rows = [{"group": g.name, "members": len(repo.members(g.name))} for g in repo.groups()]
    show([Column("group", t("manage.group")), Column("members", t("manage.members"), justify="right")], rows, output)


def list_members(repo: Repository, group: str, output: OutputFormat) -> None:
    rows = [{"person": p.name, "role": p.role, "mentors": mentors} for p, mentors in repo.members(group)]
    columns = [
        Column("person", t("manage.person")),
        Column("role", t("manage.role")),
        Column("mentors", t("manage.in_group"), lambda r: t("manage.mentors") if r["mentors"] else t("manage.trains")),
    ]
    show(columns, rows, output)


def list_audit(repo: Repository, limit: int, output: OutputFormat) -> None:
    from transcripts.signin import audit_log

    rows = [{"at": e.at, "by": e.actor, "action": e.action, "about": e.subject} for e in audit_log(repo, limit)]
    when, by, what, about = t("audit.columns").split("|")
    columns = [
        Column("at", when, lambda r: f"{r['at']:%Y-%m-%d %H:%M:%S}", no_wrap=True, min_width=19),
        Column("by", by, lambda r: r["by"] or "-"),
        Column("action", what),
        Column("about", about),
    ]
    show(columns, rows, output, empty=t("audit.empty"))


def add_person(repo: Repository, name: str, role: str, groups: list[str], mentors: list[str]) -> None:
    repo.add_person(name, role, groups, mentors)
    typer.echo(t("manage.person_added", name=name, role=role))


def list_sessions(
    repo: Repository,
    *,
    trainee: str | None,
    group: str | None,
    scenario: str | None,
    status: str | None,
    limit: int,
    output: OutputFormat,
) -> None:
    rows = [
        {
            "session": s.id,
            "trainee": s.trainee,
            "scenario": s.scenario,
            "mode": s.mode,
            "started_at": s.started_at,
            "status": s.status,
            "outcome": s.outcome,
            "score": s.score,
            "passed": s.passed,
        }
        for s in repo.sessions(trainee=trainee, group=group, scenario=scenario, status=status, limit=limit)
    ]
    columns = [
        Column("session", t("manage.session"), no_wrap=True, min_width=12),  # an id people copy: never cut
        Column("trainee", t("manage.trainee")),
        Column("scenario", t("manage.scenario")),
        Column("mode"),
        Column("started_at", t("manage.started"), lambda r: f"{r['started_at']:%Y-%m-%d %H:%M}", no_wrap=True),
        Column("status", t("manage.status"), lambda r: t(f"status.{r['status']}")),
        Column("outcome", t("report.outcome"), lambda r: t(f"outcome.{r['outcome']}") if r["outcome"] else ""),
        Column("score", t("report.score"), _score, no_wrap=True),
        Column("passed"),
    ]
    show(columns, rows, output)


def _score(row: dict[str, object]) -> str:
    return "" if row["score"] is None else f"{row['score']} {'✓' if row['passed'] else '✗'}"


def import_files(
    repo: Repository,
    files: list[Path],
    *,
    trainee: str | None,
    scenario: str | None,
    language: str | None,
    extra: list[Path],
) -> None:
    """Store each conversation, then grade them together (``sessions.grade_imported``); one bad file stops nothing
    else and is reported."""
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
    reports = grade_imported(repo, [(transcript, chosen) for _, transcript, chosen in stored], trainee)
    for (file, transcript, _), report in zip(stored, reports, strict=True):
        typer.echo(t("manage.imported", file=file, id=transcript.id, score=report.score))
    if failed:
        raise typer.Exit(1)
