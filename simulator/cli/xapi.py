"""``sparring xapi``: graded sessions as xAPI statements, printed or sent to a learning record store."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import typer

from simulator.catalog import catalog_roots, load_catalog
from simulator.i18n import t
from simulator.settings import Settings
from transcripts.lrs import Lrs, LrsError, authorization, pending, push, statements_url
from transcripts.repository import Refused, Repository
from transcripts.xapi import ScenarioText, statement


def parse_since(value: str | None) -> datetime | None:
    """A date or a date and time; without a zone it is the local one (a person means their own day)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Refused(t("xapi.bad_since", value=value)) from None
    return moment.astimezone(UTC)


def scenario_texts(settings: Settings, extra: list[Path]) -> dict[str, ScenarioText]:
    loaded = load_catalog(catalog_roots([*settings.catalog, *extra]))
    return {
        sid: ScenarioText(doc.model.title, doc.model.briefing.strip(), doc.model.language)
        for sid, doc in loaded.scenarios.items()
    }


def lrs_of(settings: Settings) -> Lrs:
    if not settings.lrs_url:
        raise LrsError(t("xapi.no_url"))
    password = settings.lrs_password.get_secret_value() if settings.lrs_password else None
    token = settings.lrs_token.get_secret_value() if settings.lrs_token else None
    header = authorization(settings.lrs_username, password, token)
    secrets = tuple(s for s in (password, token, header) if s)
    return Lrs(statements_url(settings.lrs_url), header, settings.lrs_timeout, secrets)


def _dump(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def print_statement(repo: Repository, settings: Settings, session_id: str, extra: list[Path]) -> None:
    graded = repo.graded_sessions(session_id=session_id)
    if not graded:
        raise Refused(t("xapi.not_graded", id=session_id))
    _dump(statement(graded[0], scenario_texts(settings, extra), settings.xapi_base))


def run_push(
    repo: Repository,
    settings: Settings,
    *,
    since: str | None,
    output: str,
    dry_run: bool,
    batch: int,
    resend: bool,
    extra: list[Path],
) -> None:
    moment = parse_since(since)
    scenarios = scenario_texts(settings, extra)
    if dry_run:
        # What would go where it is configured; with no LRS configured, everything in the range.
        where = statements_url(settings.lrs_url) if settings.lrs_url else None
        todo, graded = pending(repo, where, moment, resend)
        _dump([statement(g, scenarios, settings.xapi_base) for g in todo])
        typer.echo(t("xapi.dry_run_done", count=len(todo), graded=graded), err=True)
        return
    lrs = lrs_of(settings)

    def progress(sent: int, total: int) -> None:
        typer.echo(t("xapi.progress", sent=sent, total=total, url=lrs.url), err=True)

    summary = push(
        repo, lrs, scenarios, settings.xapi_base, since=moment, batch=batch, resend=resend, progress=progress
    )
    if output == "json":
        _dump(summary.as_json())
        return
    typer.echo(
        t("xapi.pushed", sent=summary.sent, url=lrs.url, already=summary.already, before=summary.before)
        if summary.sent
        else t("xapi.nothing", url=lrs.url, before=summary.before)
    )
