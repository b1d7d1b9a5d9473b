"""Opening the store for a command: the configured database, acting as the configured person."""

from __future__ import annotations

import getpass

from simulator import paths
from simulator.settings import Settings
from transcripts.repository import Repository
from transcripts.store import open_engine, sqlite_url


def database_url(settings: Settings) -> str:
    return settings.database_url or sqlite_url(paths.data_dir() / "sparring.db")


def open_repository(settings: Settings) -> Repository:
    """Also marks sessions whose process died as abandoned, so they show up as such everywhere."""
    engine = open_engine(database_url(settings))
    repo = Repository.acting_as(engine, settings.user or getpass.getuser())
    repo.mark_abandoned()
    return repo
