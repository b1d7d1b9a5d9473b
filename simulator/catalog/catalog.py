"""Load persona, scenario and path files into a catalogue, collecting every problem as a ``path:line`` error."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from simulator import paths
from simulator.catalog.models import Persona, Scenario, TrainingPath
from simulator.catalog.yamlfile import CatalogError, Loc, YamlDoc, read_yaml

M = TypeVar("M", bound=BaseModel)

KINDS: dict[str, type[BaseModel]] = {"persona": Persona, "scenario": Scenario, "path": TrainingPath}
FOLDERS = {"personas": "persona", "scenarios": "scenario", "paths": "path"}
"""A file's kind by its folder; paths live in scenarios/paths/ (checked first, being the nearer folder)."""


class UnknownName(LookupError):
    """A scenario, persona or file that is not there; the message says what is."""


@dataclass
class Document(Generic[M]):
    model: M
    doc: YamlDoc

    @property
    def path(self) -> Path:
        return self.doc.path


def _problem(error: ErrorDetails) -> str:
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        return "unknown field (check the spelling; `sparring schema` lists the fields)"
    if error["type"] == "missing":
        return "required field is missing"
    return message


def parse(doc: YamlDoc, model: type[M]) -> M:
    if not isinstance(doc.data, dict):
        raise doc.error((), f"expected a mapping of fields, got {type(doc.data).__name__}")
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(part for part in first["loc"] if part != "[key]")  # pydantic's marker for a bad dict key
        raise doc.error(loc, _problem(first)) from None


def kind_of(doc: YamlDoc) -> str:
    folder = FOLDERS.get(doc.path.parent.name)
    if folder:
        return folder
    if isinstance(doc.data, dict):
        if "temperament" in doc.data:
            return "persona"
        if "steps" in doc.data:
            return "path"
        if "opening" in doc.data or "persona" in doc.data:
            return "scenario"
    raise doc.error(
        (), "cannot tell a persona, scenario or path apart: put it in personas/, scenarios/ or scenarios/paths/"
    )


def yaml_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


@dataclass
class Catalog:
    personas: dict[str, Document[Persona]] = field(default_factory=dict)
    scenarios: dict[str, Document[Scenario]] = field(default_factory=dict)
    paths: dict[str, Document[TrainingPath]] = field(default_factory=dict)
    problems: list[CatalogError] = field(default_factory=list)
    todos: dict[str, list[Loc]] = field(default_factory=dict)
    """Files with values still to write (``TODO…``): where each one is."""

    def add_file(self, path: Path) -> None:
        from simulator.catalog.checks import unfinished

        try:
            doc = read_yaml(path)
            kind = kind_of(doc)
            left = unfinished(doc)
            if left:
                self.todos[str(doc.path)] = [loc for loc, _ in left]
                self.problems.extend(problem for _, problem in left)
            model = parse(doc, KINDS[kind])
        except CatalogError as exc:
            self.problems.append(exc)
            return
        tables: dict[str, dict[str, Document[Any]]] = {
            "persona": self.personas,
            "scenario": self.scenarios,
            "path": self.paths,
        }
        table = tables[kind]
        if model.id in table:  # type: ignore[attr-defined]
            other = table[model.id].path  # type: ignore[attr-defined]
            self.problems.append(doc.error(("id",), f"duplicate id '{model.id}' (also in {other})"))  # type: ignore[attr-defined]
            return
        table[model.id] = Document(model, doc)  # type: ignore[attr-defined]

    def scenario(self, key: str) -> Scenario:
        if key not in self.scenarios:
            known = ", ".join(sorted(self.scenarios)) or "none"
            raise UnknownName(f"{key}: no such scenario (known: {known})")
        return self.scenarios[key].model

    def path(self, key: str) -> TrainingPath:
        if key not in self.paths:
            raise UnknownName(f"{key}: no such path (known: {', '.join(sorted(self.paths)) or 'none'})")
        return self.paths[key].model

    def persona(self, key: str) -> Persona:
        if key not in self.personas:
            raise UnknownName(f"{key}: no such persona (known: {', '.join(sorted(self.personas)) or 'none'})")
        return self.personas[key].model

    def digest(self, scenario_id: str) -> str:
        """sha256 of the scenario's YAML as it is now, so a stored session says which version it played."""
        return hashlib.sha256(self.scenarios[scenario_id].path.read_bytes()).hexdigest()

    def cast(self, scenario: Scenario) -> Persona:
        """The scenario's persona with its overrides applied (name and description are per language)."""
        persona = self.persona(scenario.persona)
        o = scenario.persona_overrides
        lang = scenario.language
        update: dict[str, Any] = {
            "intensity": o.intensity,
            "patience": o.patience,
            "name": {**persona.name, lang: o.name} if o.name else None,
            "description": {**persona.description, lang: o.description} if o.description else None,
        }
        return persona.model_copy(update={k: v for k, v in update.items() if v is not None})


def catalog_roots(extra: Iterable[Path] = ()) -> list[Path]:
    """The shipped catalogue first, then the user's folders (settings, then flags)."""
    shipped = paths.shipped_catalog()
    return [shipped / "personas", shipped / "scenarios", *extra]


def load_catalog(roots: Iterable[Path]) -> Catalog:
    from simulator.catalog.checks import check, within

    catalog = Catalog()
    seen: set[Path] = set()
    for root in roots:
        if not root.exists():
            catalog.problems.append(CatalogError(root, 1, "(file)", "no such file or folder"))
            continue
        for path in yaml_files(root):
            if path.resolve() not in seen:
                seen.add(path.resolve())
                catalog.add_file(path)
    found = check(catalog)
    # A draft's checks wait for its TODOs: an unwritten resolution matches nothing, and that is not news.
    catalog.problems.extend(p for p in found if not any(within(p, loc) for loc in catalog.todos.get(p.path, [])))
    return catalog
