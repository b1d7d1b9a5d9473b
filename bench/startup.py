"""Start-up: ``sparring --help`` and the time to the app's first screen, next to ``python -c pass`` as a floor.

    python bench/startup.py [--runs 10]

Every run is a fresh process. The rows are run round-robin (each round in a rotated order), so background
noise falls on all of them alike; one untimed round first creates the database and warms the file cache.
``sparring`` is the installed console script next to this Python, as a user would type it. The first screen
is timed end to end: the app runs in a pseudo-terminal of 120x40, and the clock stops when the home screen's
header, both table titles, the first scenario and the footer have all been written to the terminal; then
ctrl+q quits it. Every process gets a throwaway home (``SPARRING_HOME``, ``HOME``, XDG folders, a SQLite file)
and the scripted backend, so nothing of the user's is read or touched and no model is loaded.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import platform
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable
from pathlib import Path

from bench.claims import claim

ROOT = Path(__file__).resolve().parent.parent
COLUMNS, LINES = 120, 40
# CSI sequences, OSC strings, then the remaining two-byte escapes: what is left is the text on screen.
ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
CTRL_Q = b"\x11"


def sparring_command() -> list[str]:
    """The ``sparring`` console script of this Python's environment (what a user runs)."""
    beside = Path(sys.executable).parent / "sparring"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    found = shutil.which("sparring")
    if found:
        return [found]
    return [sys.executable, "-c", "from simulator.cli import main; main()"]


def isolated_env(home: Path) -> dict[str, str]:
    """A throwaway home for every process, the scripted backend, English, and a known terminal."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),  # measure this checkout, whatever is installed
        "LANG": "C.UTF-8",
        "HOME": str(home),
        "SPARRING_HOME": str(home / "sparring"),
        "SPARRING_DATABASE_URL": f"sqlite:///{home / 'bench.db'}",
        "SPARRING_USER": "bench",
        "SPARRING_BACKEND": "scripted",
        "SPARRING_LANGUAGE": "en",
        "TERM": "xterm-256color",
        "COLUMNS": str(COLUMNS),
        "LINES": str(LINES),
    }
    for name in ("CONFIG", "DATA", "CACHE", "STATE"):
        env[f"XDG_{name}_HOME"] = str(home / name.lower())
    return env


def home_markers() -> list[str]:
    """Text from the top, middle and bottom of the home screen: all of it on the terminal means it is drawn."""
    from simulator.catalog import catalog_roots, load_catalog
    from simulator.i18n import t
    from simulator.tui.app import SparringApp

    catalog = load_catalog(catalog_roots())
    first = catalog.scenarios[min(catalog.scenarios)].model.title  # the home table lists scenarios by id
    return [SparringApp.TITLE, first, *(t(key, lang="en") for key in ("tui.scenarios", "tui.recent", "tui.quit"))]


def exits(command: list[str], env: dict[str, str]) -> float:
    """Seconds from spawning ``command`` to its exit; it must succeed."""
    started = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=env["HOME"], capture_output=True, timeout=120)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)}: exit {result.returncode}\n{result.stderr.decode(errors='replace')}")
    return elapsed


def first_screen(command: list[str], env: dict[str, str], markers: list[str], timeout: float = 60.0) -> float:
    """Seconds from spawning the app in a pseudo-terminal until every marker has been written to it."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    started = time.perf_counter()
    app = subprocess.Popen(
        command, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=env["HOME"], start_new_session=True
    )
    os.close(slave)
    written = b""
    try:
        while True:
            chunk = read(master, started + timeout - time.perf_counter())
            if not chunk:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    app.wait(timeout=1)  # it may have closed the terminal a moment before exiting
                state = "still running" if app.returncode is None else f"exit {app.returncode}"
                tail = ESCAPES.sub("", written.decode(errors="replace"))[-800:]
                raise SystemExit(f"{' '.join(command)}: no home screen ({state}); it last wrote:\n{tail}")
            written += chunk
            # Decoding the whole stream each time keeps escapes and UTF-8 split across reads whole.
            screen = ESCAPES.sub("", written.decode(errors="ignore"))
            if all(marker in screen for marker in markers):
                return time.perf_counter() - started
    finally:
        quit_app(app, master)


def read(fd: int, timeout: float) -> bytes:
    """What the app wrote next; empty once it has closed the terminal or the time is up."""
    if timeout <= 0 or not select.select([fd], [], [], timeout)[0]:
        return b""
    try:
        return os.read(fd, 65536)
    except OSError:  # EIO: the app's side of the terminal is closed
        return b""


def quit_app(app: subprocess.Popen[bytes], master: int) -> None:
    """ctrl+q, as a user would; kill the app's own process group if it does not go within 10 s."""
    try:
        if app.poll() is None:
            os.write(master, CTRL_Q)
        deadline = time.perf_counter() + 10
        while app.poll() is None and read(master, deadline - time.perf_counter()):
            pass  # keep draining, or a full terminal buffer would block the app's goodbye
        try:
            app.wait(timeout=max(deadline - time.perf_counter(), 0.1))  # it closes the terminal, then exits
        except subprocess.TimeoutExpired:
            os.killpg(app.pid, signal.SIGKILL)
            app.wait(timeout=10)
            print(f"warning: the app (pid {app.pid}) did not quit on ctrl+q and was killed", file=sys.stderr)
    finally:
        os.close(master)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs of each row (default 10)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    python, sparring = [sys.executable], sparring_command()
    markers = home_markers()
    with tempfile.TemporaryDirectory(prefix="sparring-startup-") as tmp:
        env = isolated_env(Path(tmp))
        rows: list[tuple[str, Callable[[], float]]] = [
            ("python -c pass (floor)", lambda: exits([*python, "-c", "pass"], env)),
            ('python -c "import simulator.cli"', lambda: exits([*python, "-c", "import simulator.cli"], env)),
            ("sparring --help", lambda: exits([*sparring, "--help"], env)),
            ("sparring to first screen", lambda: first_screen(sparring, env, markers)),
        ]
        first_launch = [measure() for _, measure in rows][-1]  # untimed round: creates the database
        times: list[list[float]] = [[] for _ in rows]
        for round_ in range(args.runs):
            for i in range(len(rows)):
                row = (i + round_) % len(rows)
                times[row].append(rows[row][1]())

    floor = statistics.median(times[0])
    width = max(len(label) for label, _ in rows)
    print(f"start-up: {args.runs} runs each, interleaved; Python {platform.python_version()}, {' '.join(sparring)}")
    print(f"{'':<{width}}  {'median ms':>10}  {'min ms':>8}  {'x floor':>8}")
    for (label, _), samples in zip(rows, times, strict=True):
        median = statistics.median(samples)
        print(f"{label:<{width}}  {median * 1000:>10.1f}  {min(samples) * 1000:>8.1f}  {median / floor:>8.2f}")
    print(f"first launch on a new database (untimed warm-up, one run): {first_launch * 1000:.0f} ms to first screen")
    for label, samples in list(zip(rows, times, strict=True))[2:]:
        median = statistics.median(samples)
        claim(f"{label[0]} vs python -c pass", f"{median * 1000:.0f} ms, {median / floor:.1f}x", "(reported)")


if __name__ == "__main__":
    main()
