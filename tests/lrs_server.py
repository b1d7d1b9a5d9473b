"""A real learning record store for tests: Ralph's LRS (``ralph-malph[lrs]``) on 127.0.0.1, filesystem backend,
basic auth from a credentials file, in a subprocess the test can kill and start again on the same port and data.

Started with uvicorn rather than ``ralph runserver``, which needs Ralph's ``cli`` extra (it pins click below
what the rest of the tools use); the app, backend and auth are the same. One change: Ralph's API writes every
POST with the backend's default operation, ``index``, and the filesystem backend refuses to index into its one
statements file once it exists ("fs_lrs.jsonl already exists and overwrite is not allowed"), so a second POST
would fail with a 500. ``LAUNCH`` makes that backend append instead, as a store of many batches must.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

LAUNCH = """
import sys
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""

USERNAME = "sparring-lrs"
PASSWORD = "lrs-pw-SECRET-5e1b"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RalphLrs:
    folder: Path
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen | None = None

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The xAPI endpoint, as a team sets SPARRING_LRS_URL."""
        return f"{self.root}/xAPI"

    def start(self) -> None:
        import bcrypt

        (self.folder / "data").mkdir(parents=True, exist_ok=True)
        auth = self.folder / "auth.json"
        if not auth.exists():
            digest = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
            users = [
                {"agent": {"mbox": "mailto:lrs@example.org"}, "scopes": ["all"], "hash": digest, "username": USERNAME}
            ]
            auth.write_text(json.dumps(users), encoding="utf-8")
        env = {
            **os.environ,
            "RALPH_APP_DIR": str(self.folder / "app"),
            "RALPH_AUTH_FILE": str(auth),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__DATA__FS__DEFAULT_DIRECTORY_PATH": str(self.folder / "data"),
            "RALPH_SENTRY_DSN": "",
        }
        log = (self.folder / "ralph.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-c", LAUNCH, str(self.port)],
            env=env,
            cwd=self.folder,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.root}/__lbheartbeat__", timeout=2):
                    return
            except (urllib.error.URLError, OSError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"Ralph's LRS did not start:\n{(self.folder / 'ralph.log').read_text()}"
                    ) from None
                time.sleep(0.1)

    def kill(self) -> None:
        """As a crash does: no goodbye."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
            self.process = None

    def statements(self, **query: str) -> list[dict[str, Any]]:
        """Every statement the LRS holds (matching ``query``), through its own GET API, following ``more``."""
        token = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        headers = {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}
        found: list[dict[str, Any]] = []
        url: str | None = f"{self.url}/statements?{urlencode({'limit': '100', **query})}"
        while url:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
                page = json.loads(response.read())
            found += page["statements"]
            more = page.get("more")
            url = f"{self.root}{more}" if more else None
        return found


@pytest.fixture
def ralph(tmp_path) -> Iterator[RalphLrs]:
    """A fresh LRS for one test (empty, its own port)."""
    pytest.importorskip("ralph", reason="ralph-malph[lrs] is in the test extra")
    lrs = RalphLrs(tmp_path / "ralph")
    lrs.start()
    yield lrs
    lrs.stop()
