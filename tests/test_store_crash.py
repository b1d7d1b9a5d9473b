"""SIGKILL a practice session mid-run: every committed event survives and the session shows as abandoned."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, text

from tests.support import ROOT, fast_catalog, sparring
from transcripts.repository import Repository
from transcripts.store import open_engine

pytestmark = pytest.mark.slow  # the fast tier (-m "not slow") leaves it out


def wait_for_events(url: str, at_least: int, timeout: float = 30) -> list[tuple[int, str]]:
    engine = create_engine(url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                with engine.connect() as connection:
                    rows = connection.execute(text("SELECT seq, type FROM event ORDER BY seq")).all()
            except Exception:  # the tables may not exist yet
                rows = []
            if len(rows) >= at_least:
                return [tuple(r) for r in rows]
            time.sleep(0.05)
    finally:
        engine.dispose()
    raise AssertionError(f"fewer than {at_least} events after {timeout} s")


def test_a_killed_session_keeps_its_events_and_is_abandoned(database_url, tmp_path):
    env = {**os.environ, "SPARRING_DATABASE_URL": database_url, "SPARRING_HOME": str(tmp_path / "home")}
    catalog = str(fast_catalog(tmp_path))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulator.cli",
            "--as",
            "ann",
            "practice",
            "-s",
            "fast-case",
            "-b",
            "scripted",
            "--catalog",
            catalog,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
        text=True,
    )
    try:
        wait_for_events(database_url, 2)
        process.stdin.write("Hi, I'm so sorry about the three days. What is your contract number?\n")
        process.stdin.flush()
        before = wait_for_events(database_url, 6)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL

    engine = open_engine(database_url)
    repo = Repository.acting_as(engine, "ann")
    assert repo.mark_abandoned() == 1
    [session] = repo.sessions()
    assert session.status == "abandoned"
    transcript = repo.transcript(session.id)
    kept = [(e.seq, e.type) for e in transcript.events]
    assert kept[: len(before)] == before and [s for s, _ in kept] == list(range(1, len(kept) + 1))
    assert any(e.role == "agent" for e in transcript.events)
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    engine.dispose()

    # Take it up again: the customer goes on from where the conversation stopped.
    resumed = subprocess.run(
        [
            sys.executable,
            "-m",
            "simulator.cli",
            "--as",
            "ann",
            "practice",
            "--resume",
            session.id,
            "-b",
            "scripted",
            "--catalog",
            catalog,
        ],
        input="And what do the lights on your router show?\n/end\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert resumed.returncode == 0, resumed.stderr
    engine = open_engine(database_url)
    repo = Repository.acting_as(engine, "ann")
    after = repo.transcript(session.id)
    assert [(e.seq, e.type) for e in after.events][: len(kept)] == kept
    new = after.events[len(kept) :]
    assert [e.seq for e in new] == list(range(len(kept) + 1, len(after.events) + 1))
    assert all(e.t >= transcript.events[-1].t for e in new)
    assert any(e.role == "agent" and "lights" in (e.text or "") for e in new)
    assert after.outcome == "unfinished" and repo.report(session.id) is not None
    assert repo.session_info(session.id).status == "finished"
    engine.dispose()

    listed = sparring("--as", "ann", "sessions", "--status", "finished", env=env)
    assert listed.returncode == 0 and session.id in listed.stdout
    again = sparring("--as", "ann", "practice", "--resume", session.id, env=env)
    assert again.returncode == 2 and "abandoned" in again.stderr and "Traceback" not in again.stderr
