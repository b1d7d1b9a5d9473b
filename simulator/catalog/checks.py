"""Checks across files and fields that a single model cannot see: references, ids, contradictions."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from grading.cues import words
from grading.understanding import reading, understand
from simulator.catalog.models import (
    BEHAVIOUR_INTENTS,
    Fact,
    Intent,
    Persona,
    Scenario,
    TrainingPath,
    UnknownFact,
    needs,
)
from simulator.catalog.yamlfile import CatalogError, Loc, YamlDoc, field_name
from simulator.vocabulary import LANGUAGES

if TYPE_CHECKING:
    from simulator.catalog.catalog import Catalog, Document

NEEDS_VALUE = (Intent.reveal, Intent.already_told)
SLOTS: dict[Intent, frozenset[str]] = {
    Intent.reveal: frozenset({"value", "label"}),
    Intent.already_told: frozenset({"value", "label"}),
    Intent.clarify: frozenset({"label"}),
    Intent.template_complaint: frozenset({"quote"}),
    Intent.complain: frozenset({"waited", "name"}),
    Intent.nudge: frozenset({"waited", "agent"}),
    Intent.waiting: frozenset({"waited", "agent", "name"}),
    Intent.give_up: frozenset({"waited", "agent"}),
    Intent.thanks: frozenset({"agent"}),
    Intent.calming: frozenset({"agent"}),
    Intent.tangent: frozenset({"waited", "name"}),
    Intent.not_offered: frozenset({"waited"}),
    Intent.manager: frozenset({"waited", "agent"}),
}
"""What each intent's lines may fill in from the conversation; a line uses a slot only when it can be filled."""
FRESH_LINES = 8
"""Lines per intent and language a persona needs so that a session rarely says one twice (a warning below)."""


TODO = "TODO"
"""How a value a person must still write begins (``sparring draft`` leaves them); the file fails until it is written."""


def unfinished(doc: YamlDoc) -> list[tuple[Loc, CatalogError]]:
    """Every value that still says ``TODO…``, one problem each, with where it is."""
    found: list[tuple[Loc, CatalogError]] = []

    def walk(value: object, loc: Loc) -> None:
        if isinstance(value, str) and value.lstrip().startswith(TODO):
            found.append((loc, doc.error(loc, " ".join(value.split()))))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*loc, key))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, (*loc, i))

    walk(doc.data, ())
    return found


def within(problem: CatalogError, todo: Loc) -> bool:
    """The problem is about the item a TODO is in (a resolution whose example is still TODO matches nothing):
    it is reported once the TODO is written, not before."""
    end = next((i + 1 for i, part in enumerate(todo) if isinstance(part, int)), 1)
    item = field_name(todo[:end])
    return problem.field == item or problem.field.startswith((f"{item}.", f"{item}["))


def check(catalog: Catalog) -> list[CatalogError]:
    problems: list[CatalogError] = []
    for persona in catalog.personas.values():
        problems.extend(_persona(persona))
    for scenario in catalog.scenarios.values():
        problems.extend(_scenario(scenario, catalog))
    for path in catalog.paths.values():
        problems.extend(_path(path, catalog))
    return problems


def _path(document: Document[TrainingPath], catalog: Catalog) -> Iterator[CatalogError]:
    path, doc = document.model, document.doc
    seen: set[str] = set()
    for i, step in enumerate(path.steps):
        loc = ("steps", i, "scenario")
        found = catalog.scenarios.get(step.scenario)
        if found is None:
            known = ", ".join(sorted(catalog.scenarios)) or "none"
            yield doc.error(loc, f"unknown scenario '{step.scenario}' (known: {known})")
        elif found.model.language != path.language:
            problem = f"scenario '{step.scenario}' is in '{found.model.language}', the path in '{path.language}'"
            yield doc.error(loc, problem)
        if step.scenario in seen:
            yield doc.error(loc, f"'{step.scenario}' is already a step of this path")
        seen.add(step.scenario)


def _persona(document: Document[Persona]) -> Iterator[CatalogError]:
    persona, doc = document.model, document.doc
    for lang in persona.name:
        if lang not in persona.description:
            yield doc.error(("description",), f"no description in '{lang}' although the name has one")
        for intent in (i for i in Intent if i not in BEHAVIOUR_INTENTS):
            if not persona.lines.get(intent, {}).get(lang):
                yield doc.error(("lines", intent.value), f"no '{lang}' lines for '{intent.value}'")
    for lang in LANGUAGES:
        if lang not in persona.name and any(lang in bank for bank in persona.lines.values()):
            yield doc.error(("name",), f"lines in '{lang}' but no '{lang}' name")
    for intent, bank in persona.lines.items():
        allowed = SLOTS.get(intent, frozenset())
        for lang, lines in bank.items():
            for i, line in enumerate(lines):
                extra = set(re.findall(r"{(\w*)}", line)) - allowed
                if extra:
                    named = ", ".join("{" + s + "}" for s in sorted(allowed)) or "nothing"
                    yield doc.error(("lines", intent.value, lang, i), f"'{intent.value}' lines may fill in {named}")
            if intent not in NEEDS_VALUE and lines and all("{" in line for line in lines):
                yield doc.error(("lines", intent.value, lang), "needs a line without {slots}, for when none fills")
    for intent in NEEDS_VALUE:
        for lang, lines in persona.lines.get(intent, {}).items():
            for i, line in enumerate(lines):
                if "{value}" not in line:
                    yield doc.error(("lines", intent.value, lang, i), "must contain {value}")


def _scenario(document: Document[Scenario], catalog: Catalog) -> Iterator[CatalogError]:
    scenario, doc = document.model, document.doc
    persona_doc = catalog.personas.get(scenario.persona)
    if persona_doc is None:
        known = ", ".join(sorted(catalog.personas)) or "none"
        yield doc.error(("persona",), f"unknown persona '{scenario.persona}' (known: {known})")
    elif scenario.language not in persona_doc.model.name:
        yield doc.error(("persona",), f"persona '{scenario.persona}' has no '{scenario.language}' voice")
    else:
        for behaviour, chance in scenario.behaviours.items():
            if chance > 0 and (missing := needs(persona_doc.model, behaviour, scenario.language)):
                lines = ", ".join(f"'{i.value}'" for i in missing)
                problem = f"persona '{scenario.persona}' has no '{scenario.language}' lines for {lines}, which it needs"
                yield doc.error(("behaviours", behaviour.value), problem)

    seen: dict[str, tuple[str | int, ...]] = {}
    groups: tuple[tuple[str, Sequence[Fact | UnknownFact]], ...] = (
        ("volunteered", scenario.facts.volunteered),
        ("hidden", scenario.facts.hidden),
        ("unknown", scenario.facts.unknown),
    )
    for group, facts in groups:
        for i, fact in enumerate(facts):
            loc = ("facts", group, i, "id")
            if fact.id in seen:
                yield doc.error(loc, f"duplicate fact id '{fact.id}'")
            seen[fact.id] = loc
    for i, fact in enumerate(scenario.facts.hidden):
        if fact.required and not fact.ask:
            yield doc.error(
                ("facts", "hidden", i, "ask"), "a required fact needs ask phrases, or it can never be found"
            )
        for j, line in enumerate(fact.reveal):
            if "{value}" not in line and fact.value.casefold() not in line.casefold():
                yield doc.error(("facts", "hidden", i, "reveal", j), "a reveal line must contain {value} or the value")
    opening = " ".join(scenario.opening).casefold()
    for i, fact in enumerate(scenario.facts.hidden):
        if fact.value.casefold() in opening:
            yield doc.error(("facts", "hidden", i, "value"), "the opening already says this hidden value")

    known_ids = {fact.id for fact in scenario.all_facts()}
    for i, resolution in enumerate(scenario.resolutions):
        for j, ref in enumerate(resolution.requires or []):
            if ref not in known_ids:
                yield doc.error(("resolutions", i, "requires", j), f"unknown fact '{ref}'")
    # The scenario's own lines must match its own phrases, read the way the customer reads every message.
    read = reading(scenario)
    for i, fact in enumerate(scenario.facts.hidden):
        if fact.question and fact.ask and not read.phrased(fact.question, fact.id):
            yield doc.error(("facts", "hidden", i, "question"), "no ask phrase matches this question")
    for i, resolution in enumerate(scenario.resolutions):
        if not read.phrased(resolution.example, resolution.id):
            yield doc.error(("resolutions", i, "example"), "no match phrase of this resolution matches its example")
        for fell in understand(resolution.example, scenario).traps:
            yield doc.error(("resolutions", i, "example"), f"the example falls into trap '{fell.id}'")
    solution_phrases = {p.casefold() for r in scenario.resolutions for p in r.match}
    for i, trap in enumerate(scenario.traps):
        for j, phrase in enumerate(trap.match):
            if phrase.casefold() in solution_phrases:
                yield doc.error(("traps", i, "match", j), f"'{phrase}' is both a trap and a resolution")


def warnings(catalog: Catalog) -> list[CatalogError]:
    """Not errors, but worth a trainer's time: thin phrasing and thin line banks."""
    return thin_phrasing(catalog) + thin_banks(catalog)


def thin_banks(catalog: Catalog) -> list[CatalogError]:
    """Intents with fewer than ``FRESH_LINES`` lines in a language: a session soon repeats them."""
    found = []
    for document in catalog.personas.values():
        for intent, bank in document.model.lines.items():
            for lang, lines in bank.items():
                if len(lines) < FRESH_LINES:
                    problem = f"only {len(lines)} line(s); {FRESH_LINES} or more keep a session from repeating itself"
                    found.append(document.doc.error(("lines", intent.value, lang), problem))
    return found


def thin_phrasing(catalog: Catalog) -> list[CatalogError]:
    """Hidden facts and resolutions whose phrases give the customer little to go on (a single word, or nothing
    beyond the fact's label or the resolution's id), so trainees who put it their own way are more often
    misunderstood."""
    warnings: list[CatalogError] = []
    for document in catalog.scenarios.values():
        scenario, doc = document.model, document.doc
        generic = reading(scenario).lex.generic
        groups: list[tuple[tuple[str | int, ...], str, list[str]]] = [
            (("facts", "hidden", i, "ask"), fact.label, fact.ask) for i, fact in enumerate(scenario.facts.hidden)
        ]
        groups += [
            (("resolutions", i, "match"), resolution.id.replace("-", " "), resolution.match)
            for i, resolution in enumerate(scenario.resolutions)
        ]
        for loc, name, phrases in groups:
            said = [{w for w in words(p) if w not in generic and len(w) > 1} for p in phrases]
            beyond = set().union(*said) - set(words(name)) if said else set()
            if len(phrases) == 1 and len(said[0]) <= 1:
                warnings.append(doc.error(loc, "thin phrasing: a single word; add how trainees would really say it"))
            elif phrases and not beyond:
                warnings.append(doc.error(loc, f"thin phrasing: nothing beyond '{name}'; add other ways to say it"))
    return warnings
