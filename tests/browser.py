"""A harness for the app in a real browser: ``sparring serve`` in a subprocess, headless Debian chromium through
Playwright, and the terminal's text read from xterm.js's buffer.

textual-serve draws the terminal with xterm.js's WebGL (or canvas) renderer, so the page's DOM holds no text. Its
page script keeps the ``Terminal`` in a local variable; an init script catches it as it is assigned
(``this.terminal = new Terminal(…)``) and the harness reads rows through xterm's public buffer API.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def chromium_path() -> str | None:
    """Debian's chromium: Playwright drives it, and never downloads a browser of its own."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def artifacts_root() -> Path:
    return Path(os.environ.get("SPARRING_TEST_ARTIFACTS") or ROOT / "test-artifacts") / "browser"


def store_env(home: Path) -> dict[str, str]:
    """The environment of every ``sparring`` the tests start: its own store, English, the default backend, and
    nothing inherited from the developer's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPARRING_", "OPENAI_"))}
    env.update(
        SPARRING_HOME=str(home),
        SPARRING_DATABASE_URL=f"sqlite:///{home / 'sparring.db'}",
        SPARRING_LANGUAGE="en",
        SPARRING_USER="admin",
    )
    return env


def sparring(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run one ``sparring`` command against the test store; its output is in the result."""
    return subprocess.run(
        [sys.executable, "-m", "simulator.cli", *args],
        cwd=ROOT,  # `python -m` puts the working directory first: this checkout's code, not an installed one
        env=store_env(home),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(home: Path, log: Path, *, timeout: float = 30) -> Iterator[str]:
    """``sparring serve`` on a free port of 127.0.0.1; yields its URL once it answers. Its output, and that of
    every app it starts, goes to ``log``."""
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "simulator.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=store_env(home),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, with every app it starts
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with urllib.request.urlopen(url, timeout=2):
                        break
                except OSError:
                    if server.poll() is not None:
                        raise AssertionError(f"sparring serve exited with {server.returncode}; see {log}") from None
                    assert time.monotonic() < deadline, f"sparring serve never answered on {url}; see {log}"
                    time.sleep(0.1)
            yield url
        finally:
            # The apps it started would outlive it: end its whole process group.
            with suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                server.wait(timeout=10)
            with suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# Runs before textual.js: the first xterm Terminal assigned to a `.terminal` property is kept as window.__xterm,
# and the hook removes itself.
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
    if (value && value.buffer && typeof value.write === "function") {
      window.__xterm = value;
      delete Object.prototype.terminal;
    }
  },
});
"""

# The rows on screen, right-trimmed, one per line; null until the terminal exists.
READ_SCREEN = """() => {
  const term = window.__xterm;
  if (!term) return null;
  const buffer = term.buffer.active;
  const rows = [];
  for (let y = 0; y < term.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
}"""

# The colour of the first tall left border (▊, how Textual draws a text field) on row y: -1 when there is none.
BORDER_COLOUR = """(y) => {
  const term = window.__xterm;
  const line = term.buffer.active.getLine(term.buffer.active.viewportY + y);
  const x = line ? line.translateToString(true).indexOf("▊") : -1;
  return x < 0 ? -1 : line.getCell(x).getFgColor();
}"""

Wanted = str | re.Pattern[str] | Callable[[str], bool]


def _matches(screen: str, wanted: Wanted) -> bool:
    if isinstance(wanted, str):
        return wanted in screen
    if isinstance(wanted, re.Pattern):
        return wanted.search(screen) is not None
    return wanted(screen)


class Terminal:
    """One browser tab on the served app: read the screen, type, wait for text, save a screenshot per step."""

    def __init__(self, page: Any, shots: Path) -> None:
        self.page = page
        self.shots = shots
        self.steps = 0

    def open(self, url: str) -> None:
        self.page.add_init_script(CATCH_TERMINAL)
        self.page.goto(url)
        self.wait_for(lambda screen: bool(screen.strip()), timeout=30, step="connected")
        # Keys reach the app through xterm's hidden textarea, which a page load does not focus.
        self.page.focus(".xterm-helper-textarea")

    def screen(self) -> str:
        return self.page.evaluate(READ_SCREEN) or ""

    def wait_for(self, *wanted: Wanted, timeout: float = 30, step: str | None = None) -> str:
        """Poll until the screen shows every one of ``wanted``; returns the screen. On a timeout, the last screen
        is in the assertion and in a screenshot."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if all(_matches(screen, w) for w in wanted):
                if step:
                    self.shot(step)
                return screen
            if time.monotonic() > deadline:
                path = self.shot(f"timeout-{step or 'wait'}")
                raise AssertionError(f"after {timeout:.0f}s the screen lacks {wanted!r} (screenshot {path}):\n{screen}")
            self.page.wait_for_timeout(100)

    def field_colour(self, showing: str | re.Pattern[str]) -> int:
        """The border colour of the text field on the first row showing ``showing``. Textual draws the focused
        field's border in the accent colour: a change of colour says the focus has moved, so keys typed next
        land in the next field (Textual moves the focus after a Tab, while later keys may already be queued)."""
        rows = self.screen().splitlines()
        y = next((i for i, row in enumerate(rows) if _matches(row, showing)), None)
        assert y is not None, f"no row shows {showing!r}:\n" + "\n".join(rows)
        return int(self.page.evaluate(BORDER_COLOUR, y))

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def press(self, *keys: str) -> None:
        for key in keys:
            self.page.keyboard.press(key)

    def shot(self, name: str) -> Path:
        self.steps += 1
        path = self.shots / f"{self.steps:02d}-{re.sub(r'[^A-Za-z0-9_-]+', '-', name)}.png"
        self.shots.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path))
        return path
