"""The database: SQLite in the data folder by default, PostgreSQL for teams; migrated on open.

A database migrated by a newer Sparring is refused rather than guessed at, so nothing is lost.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, unquote

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError

MIGRATIONS = Path(__file__).parent / "migrations"


class StoreError(Exception):
    """The database cannot be used: unreachable, newer than this Sparring, or broken."""


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as its scheme only
        return url.split(":", 1)[0] + ":…"


_SECRET_PARAMETER = re.compile(r"pass|secret|token|key", re.IGNORECASE)
"""Query parameters of a database URL that may hold a credential (password=, sslpassword=, …)."""


def url_secrets(url: str) -> list[str]:
    """What of a database URL must never be shown, longest first: the password, also the pieces of one with an
    unescaped @ in it (the URL parser takes the rest for the host), and credential-like query values."""
    found: set[str] = set()
    rest = url.split("://", 1)[1] if "://" in url else ""
    userinfo = rest.rpartition("@")[0]
    password = userinfo.partition(":")[2]
    pieces = password.split("@")
    found |= {"@".join(pieces[i:j]) for i in range(len(pieces)) for j in range(i + 1, len(pieces) + 1)}
    query = url.partition("?")[2]
    found |= {value for key, value in parse_qsl(query) if _SECRET_PARAMETER.search(key)}
    found |= {quote(s, safe="") for s in found} | {quote_plus(s) for s in found} | {unquote(s) for s in found}
    return sorted((s for s in found if len(s) >= 3 or (s and s == password)), key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    """``text`` without any of the URL's secrets: ``redact`` hides the password, but not one in the query,
    nor the tail of one cut short by an unescaped @ (which the driver's messages quote as the host)."""
    for secret in url_secrets(url):
        text = text.replace(secret, "***")
    return text


def _alembic(connection: Any) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the session being written
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable at each commit, short of a power cut
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def open_engine(url: str) -> Engine:
    """Connect, then bring the schema up to date (or refuse a newer one)."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreError(scrub(f"{redact(url)}: cannot use this database URL: {exc}", url)) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        migrate(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        problem = " ".join(str(getattr(exc, "orig", None) or exc).split())
        raise StoreError(scrub(f"{redact(url)}: cannot open the database: {problem}", url)) from None
    except StoreError as exc:  # a newer schema: the message names the URL
        engine.dispose()
        raise StoreError(scrub(str(exc), url)) from None
    return engine


MIGRATION_LOCK = 7_305_614_170
"""An arbitrary PostgreSQL advisory lock key, held by the one process migrating."""


def _lock_for_migration(connection: Connection) -> None:
    """One process migrates at a time, all of it in one transaction: a crash midway leaves the schema as it
    was, and fifty processes opening an empty database at once create it once."""
    if connection.dialect.name == "sqlite":
        # pysqlite sends BEGIN only before INSERT/UPDATE/DELETE, so each CREATE would commit on its own.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")


def _current_heads(connection: Connection, known: set[str]) -> set[str]:
    current = set(MigrationContext.configure(connection).get_current_heads())
    unknown = current - known
    if unknown:
        raise StoreError(
            f"{redact(str(connection.engine.url))}: the database was migrated by a newer Sparring "
            f"(revision {', '.join(sorted(unknown))}); upgrade Sparring to use it"
        )
    return current


def migrate(engine: Engine) -> None:
    script = ScriptDirectory(str(MIGRATIONS))
    heads, known = set(script.get_heads()), {rev.revision for rev in script.walk_revisions()}
    with engine.begin() as connection:
        if _current_heads(connection, known) == heads:
            return  # the usual case takes no write lock
    with engine.begin() as connection:
        _lock_for_migration(connection)
        if _current_heads(connection, known) != heads:  # unless another process migrated it meanwhile
            command.upgrade(_alembic(connection), "head")
