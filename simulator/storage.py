"""Opening the store for a command: the configured database, acting as the configured person."""

from __future__ import annotations

import getpass

from sqlalchemy import Engine

from simulator import paths
from simulator.settings import Settings
from transcripts.repository import Repository
from transcripts.store import open_engine, sqlite_url


def database_url(settings: Settings) -> str:
    return settings.database_url or sqlite_url(paths.data_dir() / "sparring.db")


def open_store(settings: Settings) -> Engine:
    """The configured database, with nobody acting yet (for signing in)."""
    return open_engine(database_url(settings))


def open_repository(settings: Settings, engine: Engine | None = None) -> Repository:
    """Also marks sessions whose process died as abandoned, so they show up as such everywhere."""
    repo = Repository.acting_as(engine or open_store(settings), settings.user or getpass.getuser())
    repo.mark_abandoned()
    return repo
