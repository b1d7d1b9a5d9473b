"""Personas, scenarios and paths: YAML files validated into models, with ``path:line`` errors."""

from simulator.catalog.catalog import Catalog, Document, UnknownName, catalog_roots, load_catalog
from simulator.catalog.models import Fact, Intent, Persona, Scenario, Temperament, TrainingPath
from simulator.catalog.yamlfile import CatalogError

__all__ = [
    "Catalog",
    "CatalogError",
    "Document",
    "Fact",
    "Intent",
    "Persona",
    "Scenario",
    "Temperament",
    "TrainingPath",
    "UnknownName",
    "catalog_roots",
    "load_catalog",
]
