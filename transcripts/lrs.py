"""Sending graded sessions to a learning record store: POST batches of statements to its ``/statements``.

Idempotent and resumable: each batch the LRS accepts is recorded in the store before the next is sent, so a push
that stopped goes on from there; and a statement sent twice has the same id, which the LRS keeps once (an LRS
that answers 409 for a statement it already holds has it: that counts as sent). Credentials travel only in the
Authorization header and never appear in a message.
"""

from __future__ import annotations

import base64
import http.client
import json
import socket
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from simulator.i18n import t
from transcripts.repository import GradedSession, PushedStatement, Repository
from transcripts.xapi import XAPI_VERSION, ScenarioText, statement

DEFAULT_BATCH = 50


class LrsError(Exception):
    """The LRS cannot be used as configured: unreachable, refusing the credentials, not an xAPI endpoint."""


class _Conflict(Exception):
    """409: the LRS holds a statement with one of these ids."""


def statements_url(endpoint: str) -> str:
    """The statements resource of an xAPI endpoint: ``…/xAPI`` and ``…/xAPI/statements`` both mean it."""
    parts = urlsplit(endpoint.strip())
    path = parts.path.rstrip("/")
    if not path.endswith("/statements"):
        path += "/statements"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def authorization(username: str | None, password: str | None, token: str | None) -> str | None:
    """The Authorization header: a token as given ("Basic …", "Bearer …") or as Bearer, else basic auth."""
    if token:
        token = token.strip()
        return token if " " in token else f"Bearer {token}"
    if username is not None or password is not None:
        pair = f"{username or ''}:{password or ''}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")
    return None


@dataclass(frozen=True)
class Lrs:
    url: str
    """The statements resource, without credentials: also how the store remembers what it holds."""
    authorization: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    secrets: tuple[str, ...] = field(default=(), repr=False)
    """Never repeated in a message, even if the LRS echoes them."""

    def _scrub(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            if secret:
                text = text.replace(secret, "***")
        return text

    def _request(self, method: str, url: str, body: bytes | None = None) -> tuple[int, bytes]:
        headers = {"X-Experience-API-Version": XAPI_VERSION, "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self.authorization:
            headers["Authorization"] = self.authorization
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - http(s) only
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()
        except urllib.error.URLError as exc:
            raise LrsError(self._scrub(t("lrs.unreachable", url=self.url, reason=_reason(exc.reason)))) from None
        except (OSError, http.client.HTTPException) as exc:
            raise LrsError(self._scrub(t("lrs.unreachable", url=self.url, reason=_reason(exc)))) from None

    def _check(self, status: int, body: bytes) -> None:
        if status in (401, 403):
            raise LrsError(t("lrs.credentials", url=self.url, status=status))
        if status in (404, 405):
            raise LrsError(t("lrs.not_xapi", url=self.url, status=status))
        if status == 409:
            raise _Conflict()
        if not 200 <= status < 300:
            raise LrsError(self._scrub(t("lrs.refused", url=self.url, status=status, detail=_detail(body))))

    def post(self, statements: Sequence[Mapping[str, Any]]) -> int:
        """Store a batch (all or nothing); ``_Conflict`` if the LRS holds a different statement with one of their
        ids. Returns how many it says it held already: an LRS that drops duplicates (as xAPI asks) answers 204
        when it held them all, or lists only the ids it stored."""
        status, body = self._request("POST", self.url, json.dumps(list(statements), ensure_ascii=False).encode())
        self._check(status, body)
        if status == 204:
            return len(statements)
        try:
            stored = json.loads(body)
        except ValueError:
            stored = None
        if not isinstance(stored, list) or not all(isinstance(i, str) for i in stored):
            # xAPI answers a POST with the ids it stored: a page that says 200 to anything has stored nothing.
            raise LrsError(t("lrs.not_xapi", url=self.url, status=status))
        ids = {s.get("id") for s in statements}
        return len(ids - set(stored)) if set(stored) <= ids else 0

    def get(self, **query: str) -> dict[str, Any]:
        """A page of ``GET /statements`` (for checking what the LRS holds)."""
        from urllib.parse import urlencode

        status, body = self._request("GET", f"{self.url}?{urlencode(query)}" if query else self.url)
        self._check(status, body)
        return dict(json.loads(body))


def _reason(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return t("lrs.reason.refused")
    if isinstance(reason, socket.gaierror):
        return t("lrs.reason.no_host")
    if isinstance(reason, TimeoutError | socket.timeout):
        return t("lrs.reason.timeout")
    return " ".join(str(getattr(reason, "strerror", None) or reason).split()) or type(reason).__name__


def _detail(body: bytes) -> str:
    """The LRS's own words, shortened to fit one line."""
    text = body.decode("utf-8", "replace")
    try:
        data = json.loads(text)
        if isinstance(data, dict):
            text = str(data.get("detail") or data.get("message") or data.get("error") or text)
    except ValueError:
        pass
    text = " ".join(text.split())
    return text[:200] + ("…" if len(text) > 200 else "")


@dataclass
class PushSummary:
    lrs: str | None
    graded: int = 0
    """Graded sessions in the range the actor may see."""
    before: int = 0
    """Of those, already sent to this LRS by an earlier push (not sent again)."""
    sent: int = 0
    """Statements the LRS accepted now (including those it already held)."""
    already: int = 0
    """Of the sent, those the LRS said it already held."""

    def as_json(self) -> dict[str, Any]:
        return {
            "lrs": self.lrs,
            "graded": self.graded,
            "already_pushed": self.before,
            "sent": self.sent,
            "already_stored": self.already,
        }


Progress = Callable[[int, int], None]
"""``progress(sent so far, to send)`` after each batch."""


def pending(
    repo: Repository, lrs: str | None, since: datetime | None = None, resend: bool = False
) -> tuple[list[GradedSession], int]:
    """(what to send, how many graded sessions the range holds)."""
    graded = repo.graded_sessions(since=since, lrs=lrs)
    return [g for g in graded if resend or not g.pushed], len(graded)


def push(
    repo: Repository,
    lrs: Lrs,
    scenarios: Mapping[str, ScenarioText],
    base: str,
    *,
    since: datetime | None = None,
    batch: int = DEFAULT_BATCH,
    resend: bool = False,
    progress: Progress | None = None,
) -> PushSummary:
    """Send the actor's graded sessions (a mentor's: their groups'; staff: all) not yet sent to ``lrs``.

    Each accepted batch is recorded before the next is sent; on an ``LrsError`` those recorded stay recorded and
    the next push sends the rest. A 409 for a batch sends its statements one by one: a 409 for one alone means
    the LRS holds it.
    """
    todo, graded = pending(repo, lrs.url, since, resend)
    summary = PushSummary(lrs.url, graded=graded, before=graded - len(todo))
    for start in range(0, len(todo), max(1, batch)):
        chunk = todo[start : start + max(1, batch)]
        statements = [statement(g, scenarios, base) for g in chunk]
        try:
            summary.already += lrs.post(statements)
        except _Conflict:
            for one in statements:
                try:
                    summary.already += lrs.post([one])
                except _Conflict:
                    summary.already += 1
        repo.mark_pushed(
            lrs.url, [PushedStatement(g.id, g.grade_id, s["id"]) for g, s in zip(chunk, statements, strict=True)]
        )
        summary.sent += len(chunk)
        if progress is not None:
            progress(summary.sent, len(todo))
    return summary
