"""Opening the store for a command: the configured database, acting as the configured person."""

from __future__ import annotations

import getpass
import re
from urllib.parse import parse_qsl, quote, quote_plus, unquote

from simulator import paths
from simulator.settings import Settings
from transcripts.repository import Repository
from transcripts.store import StoreError, open_engine, sqlite_url

_SECRET_PARAMETER = re.compile(r"pass|secret|token|key", re.IGNORECASE)
"""Query parameters of a database URL that may hold a credential (password=, sslpassword=, …)."""


def database_url(settings: Settings) -> str:
    return settings.database_url or sqlite_url(paths.data_dir() / "sparring.db")


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
    for secret in url_secrets(url):
        text = text.replace(secret, "***")
    return text


def open_repository(settings: Settings) -> Repository:
    """Also marks sessions whose process died as abandoned, so they show up as such everywhere."""
    url = database_url(settings)
    try:
        engine = open_engine(url)
    except StoreError as exc:  # its URL hides the password, but not one in the query or cut short by an @
        raise StoreError(scrub(str(exc), url)) from None
    repo = Repository.acting_as(engine, settings.user or getpass.getuser())
    repo.mark_abandoned()
    return repo
