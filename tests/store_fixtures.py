"""Databases for store tests: a real SQLite file and a real PostgreSQL server on 127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from bench.pgserver import PostgresUnavailable, temporary_postgres


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """One server for the whole run; CI must have it (``.ci/run`` installs Debian's postgresql)."""
    try:
        with temporary_postgres() as url:
            yield url
    except PostgresUnavailable as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(exc))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    """An empty database of each kind, fresh for every test."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/sparring.db"
    url = request.getfixturevalue("postgres_server")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url
