"""Shared pytest fixtures: an isolated SPARRING_HOME, the shipped catalogue, headless sessions."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from simulator.catalog import Catalog, catalog_roots, load_catalog
from simulator.engine.bots import BOTS, Agent
from simulator.engine.clock import VirtualClock
from simulator.engine.headless import play
from simulator.engine.session import Session
from simulator.llm.base import Backend
from simulator.llm.scripted import ScriptedBackend
from tests.lrs_server import ralph  # noqa: F401  (a fixture, used by name)
from tests.openai_server import openai_server  # noqa: F401  (a fixture, used by name)
from tests.store_fixtures import database_url, postgres_server  # noqa: F401  (fixtures, used by name)
from transcripts.format import Transcript

EXPENSIVE = ("postgres", "llama", "pty")
"""Markers for what needs a server, the model or a terminal: such a test is also slow, so the fast tier
(``pytest -m "not slow"``) leaves it out."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(item.get_closest_marker(name) for name in EXPENSIVE):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def sparring_home(tmp_path, monkeypatch):
    """No test touches the real user's data or config, and none inherits their backend settings."""
    home = tmp_path / "sparring-home"
    monkeypatch.setenv("SPARRING_HOME", str(home))
    for name in (
        "SPARRING_BACKEND",
        "SPARRING_MODEL",
        "SPARRING_BASE_URL",
        "SPARRING_API_KEY",
        "SPARRING_LANGUAGE",
        "SPARRING_CATALOG",
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    loaded = load_catalog(catalog_roots())
    assert not loaded.problems, [str(p) for p in loaded.problems]
    return loaded


RunSession = Callable[..., Transcript]


@pytest.fixture
def run_session(catalog) -> RunSession:
    """Play a scenario headless: ``run_session("home-internet-down", "good")``, or with any agent/backend."""

    def run(
        scenario_id: str,
        agent: str | Agent = "good",
        backend: Backend | None = None,
        seed: int = 0,
        session_out: list[Session] | None = None,
    ) -> Transcript:
        scenario = catalog.scenario(scenario_id)
        session = Session(scenario, catalog.cast(scenario), backend or ScriptedBackend(), VirtualClock(), seed=seed)
        if session_out is not None:
            session_out.append(session)
        bot = BOTS[agent](scenario) if isinstance(agent, str) else agent
        return asyncio.run(play(session, bot))

    return run
