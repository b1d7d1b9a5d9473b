"""A graded session as an xAPI 1.0.3 statement, for a learning record store (``transcripts.lrs`` sends them).

A statement's id is derived from the session and its grade, so sending it again is sending the same statement:
an LRS keeps one. Everything in it comes from the store and the catalogue, never from the clock.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from simulator.i18n import t
from transcripts.repository import GradedSession

XAPI_VERSION = "1.0.3"
PLATFORM = "Sparring"
DEFAULT_BASE = "https://sparring.invalid/"

NAMESPACE = uuid.UUID("6c1f4a52-3d0e-5b8f-9a47-2e6d1c0b7f31")
"""Of every statement and registration id Sparring derives; fixed forever, or resent statements would change id."""

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {"completed": ADL + "completed", "passed": ADL + "passed", "failed": ADL + "failed"}
SIMULATION = "http://adlnet.gov/expapi/activities/simulation"
ASSIGNMENT = "http://adlnet.gov/expapi/activities/assessment"
PATH = "http://adlnet.gov/expapi/activities/course"
SCORE_MAX = 100


@dataclass(frozen=True)
class ScenarioText:
    """What the object of a statement is called, in the scenario's own language."""

    title: str
    description: str
    language: str


def base_iri(base: str) -> str:
    return base if base.endswith("/") else base + "/"


def statement_id(session: GradedSession) -> str:
    """The same session and grade give the same id: a resend is a duplicate the LRS drops, not a second
    attempt. A new grade that differs is a new statement."""
    skills = ",".join(f"{skill}={score}" for skill, score in sorted(session.skills.items()))
    grade = f"{session.score}|{session.passed}|{session.pass_score}|{session.outcome}|{skills}"
    return str(uuid.uuid5(NAMESPACE, f"sparring:statement:{session.id}:{grade}"))


def registration(session_id: str) -> str:
    """One per session: the statements of its grades, old and new, belong together."""
    return str(uuid.uuid5(NAMESPACE, f"sparring:session:{session_id}"))


def verb_of(session: GradedSession) -> str:
    """An assessment is passed or failed; a practice session played to its end is completed (``result.success``
    still says whether it passed); a practice session left unfinished is passed or failed by its grade."""
    if session.mode != "assessment" and session.outcome != "unfinished":
        return "completed"
    return "passed" if session.passed else "failed"


def duration(seconds: float) -> str:
    """ISO 8601, to the hundredth of a second xAPI keeps: 754.5 -> PT12M34.5S."""
    hundredths = round(max(0.0, seconds) * 100)
    hours, rest = divmod(hundredths, 360_000)
    minutes, rest = divmod(rest, 6_000)
    whole, fraction = divmod(rest, 100)
    parts = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if whole or fraction or parts == "PT":
        parts += f"{whole}.{fraction:02d}".rstrip("0").rstrip(".") + "S"
    return parts


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _activity(iri: str, kind: str, name: str | None, language: str) -> dict[str, Any]:
    definition: dict[str, Any] = {"type": kind}
    if name:
        definition["name"] = {language: name}
    return {"objectType": "Activity", "id": iri, "definition": definition}


def placements(session: GradedSession, base: str) -> dict[str, list[dict[str, Any]]]:
    """The hook for assignments and learning paths, which are built elsewhere: a session whose row carries
    ``assignment`` or ``path`` (``{"id": ..., "name": ...}``) in its meta sits under that assignment (``parent``)
    and that path (``grouping``). A session without them says nothing about either."""
    found: dict[str, list[dict[str, Any]]] = {}
    for key, where, folder, kind in (
        ("assignment", "parent", "assignments", ASSIGNMENT),
        ("path", "grouping", "paths", PATH),
    ):
        placed = session.meta.get(key)
        if isinstance(placed, Mapping) and placed.get("id"):
            name = placed.get("name")
            found[where] = [
                _activity(f"{base}{folder}/{placed['id']}", kind, str(name) if name else None, session.language)
            ]
    return found


def statement(
    session: GradedSession, scenarios: Mapping[str, ScenarioText], base: str = DEFAULT_BASE
) -> dict[str, Any]:
    """The statement for a session's latest grade. ``scenarios``: titles and briefings by scenario id (a scenario
    gone from the catalogue is named by its id)."""
    base = base_iri(base)
    verb = verb_of(session)
    if session.scenario is None:
        scenario_iri = f"{base}conversations"
        text = ScenarioText(t("export.no_scenario", session.language), "", session.language)
    else:
        scenario_iri = f"{base}scenarios/{session.scenario}"
        text = scenarios.get(session.scenario) or ScenarioText(session.scenario, "", session.language)
    scenario = _activity(scenario_iri, SIMULATION, text.title, text.language)
    if text.description:
        scenario["definition"]["description"] = {text.language: text.description}
    context: dict[str, Any] = {
        "registration": registration(session.id),
        "platform": PLATFORM,
        "language": session.language,
        "extensions": {f"{base}xapi/session": session.id, f"{base}xapi/mode": session.mode},
    }
    placed = placements(session, base)
    if placed:
        context["contextActivities"] = placed
    return {
        "id": statement_id(session),
        "actor": {
            "objectType": "Agent",
            "name": session.trainee,
            "account": {"homePage": base, "name": session.trainee},
        },
        "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
        "object": scenario,
        "result": {
            "score": {"scaled": session.score / SCORE_MAX, "raw": session.score, "min": 0, "max": SCORE_MAX},
            "success": session.passed,
            "completion": session.outcome != "unfinished",
            "duration": duration(session.duration),
            "extensions": {
                **{f"{base}xapi/skills/{skill}": score for skill, score in session.skills.items()},
                f"{base}xapi/pass-score": session.pass_score,
                f"{base}xapi/outcome": session.outcome,
            },
        },
        "context": context,
        "timestamp": _timestamp(session.ended_at),
    }
