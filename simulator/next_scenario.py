""" "Practise next": the scenario that works a trainee's weakest skill hardest, with a one-line reason.

Deterministic and explained: the weakest skill is the lowest level in the trainee's progress (as held down by
their results). Among the scenarios in the interface language (any, if none is left), one works a skill as
much as its author weighted that skill in its rubric, then as much as it has of what the skill is about
(facts to find for asking, the customer's details for listening and personalization, their intensity for
empathy, traps for resolution). Ties go to the scenario passed fewer times, then to the one whose difficulty
is nearest the trainee's tier, then by id. A scenario passed ``ENOUGH`` times is never offered again. A
trainee with no graded session starts with the easiest scenario. Work a mentor assigned comes before all of
that: the open assignment due soonest (an overdue one first of all).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from simulator.catalog import Catalog, Scenario
from simulator.i18n import t
from transcripts.progress import TIERS, TraineeProgress
from transcripts.report import SKILLS, Skill

ENOUGH = 3
"""Passes after which a scenario has nothing more to teach this trainee."""
_DIFFICULTY_OF_TIER = {"novice": 1, "developing": 2, "proficient": 3, "expert": 4}


@dataclass(frozen=True)
class Open:
    """An assignment of the trainee's that is neither passed nor failed."""

    key: str
    scenario: str
    """Its next step."""
    due: date
    overdue: bool


@dataclass(frozen=True)
class Suggestion:
    scenario: str
    reason: str
    assignment: str | None = None
    """The key of the assignment it comes from, if it does."""


def suggest(
    catalog: Catalog,
    trainee: TraineeProgress | None,
    passes: Counter[str],
    language: str,
    assigned: Sequence[Open] = (),
) -> Suggestion | None:
    """``passes``: how many times the trainee passed each scenario. None when nothing is assigned and every
    scenario is passed enough."""
    due = [a for a in assigned if a.scenario in catalog.scenarios]
    if due:
        first = min(due, key=lambda a: (not a.overdue, a.due, a.key))
        key = "next.overdue" if first.overdue else "next.assigned"
        return Suggestion(first.scenario, t(key, due=first.due.isoformat()), first.key)
    left = [doc.model for sid, doc in sorted(catalog.scenarios.items()) if passes[sid] < ENOUGH]
    mine = [s for s in left if s.language == language] or left
    if not mine:
        return None
    measured = [s for s in SKILLS if trainee and trainee.skills[s].level is not None]
    if trainee is None or not measured:
        easiest = min(mine, key=lambda s: (s.difficulty, s.id))
        return Suggestion(easiest.id, t("next.first", difficulty=easiest.difficulty))
    weakest = min(measured, key=lambda s: (trainee.skills[s].level, SKILLS.index(s)))
    level = trainee.skills[weakest].level or 0.0
    tier = trainee.skills[weakest].tier or TIERS[-1][1]
    aim = _DIFFICULTY_OF_TIER[tier]

    def fit(s: Scenario) -> tuple[float, float, int, int, str]:
        return (-_weight(s, weakest), -_amount(s, weakest, catalog), passes[s.id], abs(s.difficulty - aim), s.id)

    best = min(mine, key=fit)
    why = t("next.weakest", skill=t(f"skill.{weakest}"), tier=t(f"tier.{tier}"), level=round(level))
    return Suggestion(best.id, f"{why}; {_what_it_works(best, weakest, catalog)}")


def _weight(scenario: Scenario, skill: Skill) -> float:
    """The share of the scenario's score its author gave ``skill``."""
    weights: dict[str, float] = scenario.rubric.model_dump()
    return weights[skill] / (sum(weights.values()) or 1.0)


def _amount(scenario: Scenario, skill: Skill, catalog: Catalog) -> int:
    """How much of what ``skill`` is about the case has."""
    if skill == "asking":
        return len(scenario.facts.hidden)
    if skill in ("listening", "personalization"):
        return len(scenario.facts.volunteered)
    if skill == "empathy":
        persona = catalog.personas.get(scenario.persona)
        return (scenario.persona_overrides.intensity or persona.model.intensity) if persona else 0
    return len(scenario.traps)


def _what_it_works(scenario: Scenario, skill: Skill, catalog: Catalog) -> str:
    """What in this case works the skill, in the scenario's own terms."""
    count = _amount(scenario, skill, catalog)
    persona = catalog.personas.get(scenario.persona)
    if skill == "empathy" and persona is not None:
        temperament = t(f"temperament.{persona.model.temperament.value}")
        return t("next.works.empathy", temperament=temperament, intensity=count)
    return t(f"next.works.{'resolution' if skill == 'empathy' else skill}", count=count)
