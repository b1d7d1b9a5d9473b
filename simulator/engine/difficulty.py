"""Difficulty as behaviour, not a label: what a level (1-5) does to the customer, read from difficulty.yaml.

A level moves the starting patience, how much a fault costs, how many messages a turn is split into, and how
often the customer does the things that make real customers hard (``Behaviour``). A scenario's own
``behaviours`` override the level's chances.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from simulator.catalog.models import Behaviour, Persona, Scenario, needs
from simulator.i18n import t
from simulator.vocabulary import Language


@dataclass(frozen=True)
class Level:
    level: int
    patience: int = 0
    cost: float = 1.0
    chunks: int = 0
    behaviours: Mapping[Behaviour, float] = field(default_factory=dict)
    """The chance of each behaviour where it can happen; those at 0 are left out."""

    def chance(self, behaviour: Behaviour) -> float:
        return self.behaviours.get(behaviour, 0.0)


@cache
def _levels() -> dict[int, dict[str, Any]]:
    data = yaml.safe_load((Path(__file__).parent / "difficulty.yaml").read_text(encoding="utf-8"))
    return {int(k): v for k, v in data.items()}


def level_for(scenario: Scenario, persona: Persona, level: int | None = None) -> Level:
    """What playing ``scenario`` at ``level`` (default: the scenario's own) does to its customer."""
    number = level if level is not None else scenario.difficulty
    row = _levels()[number]
    chances = {Behaviour(k): float(v) for k, v in row["behaviours"].items()} | dict(scenario.behaviours)
    able = {b: c for b, c in chances.items() if c > 0 and _can(persona, b, scenario.language)}
    return Level(number, int(row["patience"]), float(row["cost"]), int(row["chunks"]), able)


def describe(level: Level, lang: str | None = None) -> str:
    """What the trainee is told before the session: the level and what this customer may do."""
    lines = [t("difficulty.level", lang, level=level.level, patience=level.patience, cost=level.cost)]
    if level.chunks:
        lines.append(t("difficulty.chunks", lang))
    may = [t(f"behaviour.{b.value}", lang) for b in Behaviour if level.chance(b) > 0]
    lines.append(t("difficulty.may", lang, behaviours="; ".join(may)) if may else t("difficulty.straight", lang))
    return " ".join(lines)


def _can(persona: Persona, behaviour: Behaviour, language: Language) -> bool:
    return not needs(persona, behaviour, language)
