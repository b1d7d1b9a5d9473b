"""JSON Schema of the YAML files, so editors complete and check fields while trainers type."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from simulator.catalog.models import Persona, Scenario, TrainingPath

MODELS: dict[str, type[BaseModel]] = {"persona": Persona, "scenario": Scenario, "path": TrainingPath}


def json_schema(kind: str) -> dict[str, Any]:
    schema = MODELS[kind].model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "title": f"Sparring {kind}"}
