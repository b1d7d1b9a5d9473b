"""SIGKILL real sessions at seeded random points, again and again on one database.

After every kill: each event the process had committed is stored, once, in order; a session whose conversation
did not end shows as abandoned the next time the store opens, and resuming it (with ``sparring practice
--resume``) or closing it works; the database passes its integrity checks.

The killed processes are the real ``sparring simulate`` and ``sparring practice`` commands and the real app in
a pseudo-terminal, on the scripted backend. ``probe`` runs them with a report line written after each store
call returns, so the test knows what was committed before the kill. Headless commands kill themselves (SIGKILL
from a timer thread, so it lands wherever the main thread is, mid-commit included) a random delay after a chosen
point; the app is killed by the test a random delay after what it typed.
"""

from __future__ import annotations

import json
import os
import pty
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from tests.support import ROOT, fast_catalog
from transcripts.repository import Repository
from transcripts.store import open_engine

pytestmark = pytest.mark.pty

SEED = 20240611
CASE = "a-fast-case"
"""The fast case, renamed to come first in the app's list of scenarios (sorted by id)."""
AGENT_LINE = "Hi, I'm so sorry about the three days. What is your contract number?"
RESUME_LINE = "And what do the lights on your router show?"
FOLLOW_UPS = ("close", "close", "resume", "close", "kill-resumed")
"""What is done in turn with each session a kill leaves abandoned."""


def probe() -> None:
    """The child: ``sparring`` with its arguments, reporting each committed store call to ``KILL_REPORT``.

    With ``KILL_AFTER`` (``<call>[:<event type>]:<n>``, e.g. ``append_event:typing:2``, or ``ddl:<n>`` for the
    n-th CREATE of a migration) it SIGKILLs itself ``KILL_DELAY`` seconds after the n-th such call returned.
    """
    from transcripts import store

    report_fd = os.open(os.environ["KILL_REPORT"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    after, delay = os.environ.get("KILL_AFTER", ""), float(os.environ.get("KILL_DELAY", "0"))
    counts: Counter[str] = Counter()

    def report(call: str, **fields: Any) -> None:
        os.write(report_fd, (json.dumps({"call": call, **fields}) + "\n").encode())  # unbuffered: survives a kill
        point = ":".join([call, *([fields["type"]] if "type" in fields else [])])
        counts[point] += 1
        if after == f"{point}:{counts[point]}":
            threading.Timer(delay, os.kill, (os.getpid(), signal.SIGKILL)).start()

    def reporting(name: str, describe: Any) -> None:
        original = getattr(Repository, name)

        def wrapped(self: Repository, *args: Any, **kwargs: Any) -> Any:
            result = original(self, *args, **kwargs)
            report(name, **describe(*args))
            return result

        setattr(Repository, name, wrapped)

    reporting("start_session", lambda transcript, *_: {"session": transcript.id})
    reporting("append_event", lambda session, e: {"session": session, **e.model_dump(include=set(EVENT_KEY))})
    reporting("reopen_session", lambda session, *_: {"session": session})
    reporting("finish_session", lambda transcript: {"session": transcript.id})
    reporting("save_report", lambda grade: {"session": grade.transcript})
    migrate = store.migrate

    def migrating(engine: Any) -> None:
        report("migrate")
        migrate(engine)
        report("migrated")

    store.migrate = migrating

    def executed(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("CREATE"):
            report("ddl")

    event.listen(Engine, "after_cursor_execute", executed)
    from simulator.cli import main

    sys.argv = ["sparring", *sys.argv[1:]]
    main()


EVENT_KEY = ("seq", "role", "type", "text", "final")


@dataclass(frozen=True)
class Kill:
    phase: str
    """start, mid, stream or end: where in a session the kill is aimed (``landed`` tells where it hit)."""
    command: str
    """simulate, practice or app."""
    after: str
    """The probe point the delay counts from (headless), or what the test waits for in the app."""
    delay: float


def kill_plan(rng: random.Random, full: bool) -> list[Kill]:
    """At least 20 kills on SQLite (``full``); a subset of every kind on PostgreSQL."""
    n = (lambda count: count) if full else (lambda count: 1)
    return [
        Kill("start", "simulate", f"ddl:{rng.randint(2, 22)}", 0.0),  # a fresh database, between two CREATEs
        *(Kill("start", "simulate", "migrate:1", rng.uniform(0, 0.1)) for _ in range(n(1))),
        *(Kill("start", "practice", "start_session:1", rng.uniform(0, 0.5)) for _ in range(n(3))),
        *(
            Kill("mid", "simulate", f"append_event:message:{rng.randint(2, 7)}", rng.uniform(0, 0.01))
            for _ in range(n(5))
        ),
        *(
            Kill("stream", "practice", f"append_event:typing:{rng.randint(2, 3)}", rng.uniform(0, 0.6))
            for _ in range(n(4))
        ),
        *(Kill("end", "simulate", "append_event:end:1", rng.uniform(0, 0.05)) for _ in range(n(3))),
        *(Kill("end", "practice", "append_event:end:1", rng.uniform(0, 0.1)) for _ in range(n(1))),
        Kill("start", "app", "start_session", rng.uniform(0, 1.0)),
        *([Kill("stream", "app", "agent", rng.uniform(0, 2.0))] if full else []),
        *([Kill("end", "app", "end", rng.uniform(0, 0.3))] if full else []),
    ]


def quick_catalog(tmp_path: Path) -> Path:
    root = fast_catalog(tmp_path)
    case = root / "scenarios" / "fast-case.yaml"
    renamed = case.read_text(encoding="utf-8").replace("id: fast-case", f"id: {CASE}")
    (root / "scenarios" / f"{CASE}.yaml").write_text(renamed, encoding="utf-8")
    case.unlink()
    return root


def landed(reports: list[dict[str, Any]]) -> str:
    """Where a kill landed, from what the child had reported before it."""
    calls = [r["call"] for r in reports]
    if "migrated" not in calls:
        return "migrating" if "migrate" in calls else "starting"
    events = [r for r in reports if r["call"] == "append_event"]
    if any(e["type"] == "end" for e in events):
        return "end"
    if not any(e["type"] == "message" for e in events):
        return "start"  # nothing said yet
    last = events[-1]
    return "stream" if last["role"] == "customer" and (last["type"] == "typing" or not last["final"]) else "mid"


def read_reports(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(0.02)


class Rig:
    """One database, the children killed on it, and everything they reported as committed."""

    def __init__(self, url: str, tmp_path: Path, rng: random.Random):
        self.url, self.tmp, self.rng = url, tmp_path, rng
        self.env = {
            **os.environ,
            "SPARRING_DATABASE_URL": url,
            "SPARRING_HOME": str(tmp_path / "home"),
            "SPARRING_USER": "ann",
            "SPARRING_BACKEND": "scripted",
            "SPARRING_CATALOG": json.dumps([str(quick_catalog(tmp_path))]),
        }
        self.committed: dict[str, dict[int, tuple[Any, ...]]] = {}
        """Per session, each event some child reported committed."""
        self.closed: set[str] = set()
        self.runs = 0
        self.tally: Counter[str] = Counter()
        self.landed: list[str] = []
        """Where each kill landed, in turn."""

    # -- children
    def spawn(self, args: list[str], after: str = "", delay: float = 0.0, **popen: Any) -> tuple[Any, Path]:
        self.runs += 1
        report = self.tmp / f"run-{self.runs:02d}.jsonl"
        env = {**self.env, "KILL_REPORT": str(report), "KILL_AFTER": after, "KILL_DELAY": f"{delay:.4f}"}
        command = [sys.executable, "-c", "from tests.test_kill import probe; probe()", *args]
        return subprocess.Popen(command, cwd=ROOT, env={**env, **popen.pop("env", {})}, **popen), report

    def killed(self, process: subprocess.Popen[Any], report: Path, timeout: float = 30) -> list[dict[str, Any]]:
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise AssertionError(f"the kill point was never reached: {read_reports(report)[-3:]}") from None
        assert process.returncode == -signal.SIGKILL, process.returncode
        reports = self.learn(report)
        self.landed.append(landed(reports))
        return reports

    def learn(self, report: Path) -> list[dict[str, Any]]:
        reports = read_reports(report)
        for line in reports:
            if line["call"] != "append_event":
                continue
            events = self.committed.setdefault(line["session"], {})
            assert line["seq"] not in events, f"seq {line['seq']} of {line['session']} committed twice"
            assert not events or line["seq"] > max(events), "committed out of order"
            events[line["seq"]] = tuple(line[k] for k in EVENT_KEY)
        return reports

    def headless(self, kill: Kill) -> None:
        if kill.command == "simulate":
            args = ["simulate", "-s", CASE, "-q", "--seed", str(self.rng.randrange(1000))]
            process, report = self.spawn(args, kill.after, kill.delay, stdout=subprocess.DEVNULL)
        else:
            args = ["practice", "-s", CASE]
            popen = {"stdin": subprocess.PIPE, "stdout": subprocess.DEVNULL, "text": True}
            process, report = self.spawn(args, kill.after, kill.delay, **popen)
            # The line interrupts the opening or answers it; stdin stays open, so the session runs on.
            lines = {"start": "", "end": f"{AGENT_LINE}\n/end\n"}.get(kill.phase, f"{AGENT_LINE}\n")
            process.stdin.write(lines)
            process.stdin.flush()
        self.killed(process, report)

    def app(self, kill: Kill) -> None:
        """The TUI in a pseudo-terminal: Enter starts the first case, then the test types as a trainee would."""
        master, slave = pty.openpty()
        env = {"TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
        process, report = self.spawn([], stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        screen = bytearray()

        def drain() -> None:  # a full terminal would block the app
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                screen.extend(chunk)

        threading.Thread(target=drain, daemon=True).start()

        def seen(call: str, role: str | None = None, type_: str | None = None) -> bool:
            return any(
                r["call"] == call and role in (None, r.get("role")) and type_ in (None, r.get("type"))
                for r in read_reports(report)
            )

        try:
            deadline = time.monotonic() + 30
            while not seen("start_session"):  # Enter before the home screen is up does nothing: press again
                assert time.monotonic() < deadline and process.poll() is None, bytes(screen[-2000:])
                os.write(master, b"\r")
                time.sleep(0.5)
            if kill.after in ("agent", "end"):
                os.write(master, AGENT_LINE.encode() + b"\r")
                wait_for(lambda: seen("append_event", "agent", "message"), 20, "the agent's line stored")
            if kill.after == "end":
                os.write(master, b"\x0f")  # ctrl+o ends the session: the report is graded and shown
                wait_for(lambda: seen("append_event", "system", "end"), 20, "the end stored")
            time.sleep(kill.delay)
            process.send_signal(signal.SIGKILL)
            self.killed(process, report)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            os.close(master)

    def resume(self, session_id: str, kill_after: str = "", delay: float = 0.0) -> None:
        popen = {"stdin": subprocess.PIPE, "stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "text": True}
        process, report = self.spawn(["practice", "--resume", session_id], kill_after, delay, **popen)
        process.stdin.write(RESUME_LINE + "\n")
        process.stdin.flush()
        if kill_after:
            self.killed(process, report)
            return

        def answered() -> bool:
            return any(r.get("role") == "customer" and r.get("type") == "message" for r in read_reports(report))

        wait_for(answered, 30, "the customer answer after the resume")
        _, errors = process.communicate("/end\n", timeout=30)
        assert process.returncode == 0, errors
        self.learn(report)

    # -- after each kill
    def check(self) -> dict[str, tuple[str, str | None]]:
        """Open the store as a command does and check everything; (status, outcome) per session."""
        engine = open_engine(self.url)  # a migration cut short would fail here
        try:
            repo = Repository.acting_as(engine, "ann")
            repo.mark_abandoned()
            states = {}
            for summary in repo.sessions(limit=1000):
                events = repo.transcript(summary.id).events
                assert [e.seq for e in events] == list(range(1, len(events) + 1)), summary.id
                assert all(a.t <= b.t for a, b in zip(events, events[1:], strict=False)), summary.id
                stored = {e.seq: tuple(getattr(e, k) for k in EVENT_KEY) for e in events}
                committed = self.committed.get(summary.id, {})
                lost = {seq: event for seq, event in committed.items() if stored.get(seq) != event}
                assert not lost, f"{summary.id}: committed but not stored as committed: {lost}"
                ended = any(e.type == "end" for e in events)
                if ended or summary.id in self.closed:
                    assert summary.status == "finished", (summary.id, summary.status)
                else:
                    assert summary.status == "abandoned", (summary.id, summary.status)
                states[summary.id] = (summary.status, summary.outcome)
            assert set(self.committed) <= set(states), "a session with committed events is gone"
            sound(engine)
            return states
        finally:
            engine.dispose()

    def follow_up(self, session_id: str, how: str) -> None:
        self.tally[f"then {how}"] += 1
        if how == "close":
            engine = open_engine(self.url)
            Repository.acting_as(engine, "ann").close_session(session_id)
            engine.dispose()
            self.closed.add(session_id)
        elif how == "resume":
            self.resume(session_id)
        else:
            after = self.rng.choice(["reopen_session:1", "append_event:message:1", "append_event:typing:1"])
            self.resume(session_id, after, self.rng.uniform(0, 0.3))
        states = self.check()
        if how == "close":
            assert states[session_id] == ("finished", "unfinished")
        elif how == "resume":
            engine = open_engine(self.url)
            repo = Repository.acting_as(engine, "ann")
            transcript = repo.transcript(session_id)
            assert states[session_id][0] == "finished" and repo.report(session_id) is not None
            lines = [e for e in transcript.events if e.type == "message"]
            said = next(i for i, e in enumerate(lines) if e.role == "agent" and e.text == RESUME_LINE)
            assert any(e.role == "customer" for e in lines[said + 1 :]), "the customer did not go on"
            engine.dispose()
        elif states[session_id][0] == "abandoned":  # killed again while resumed: close it for good
            self.follow_up(session_id, "close")


def sound(engine: Engine) -> None:
    """The database's own integrity checks, and every session's events numbered 1..n with no gap or repeat."""
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            assert connection.execute(text("PRAGMA integrity_check")).scalars().all() == ["ok"]
            assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
        else:  # amcheck verifies every B-tree index against its table
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
            indexes = connection.execute(
                text(
                    "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am a ON a.oid = c.relam "
                    "WHERE n.nspname = 'public' AND a.amname = 'btree'"
                )
            ).scalars()
            for index in indexes.all():
                connection.execute(text("SELECT bt_index_check(CAST(:index AS regclass), true)"), {"index": index})
            unchecked = (
                "SELECT conname FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND NOT convalidated"
            )
            assert connection.execute(text(unchecked)).all() == []
        gaps = connection.execute(
            text(
                "SELECT session_id FROM event GROUP BY session_id "
                "HAVING min(seq) <> 1 OR max(seq) <> count(*) OR count(DISTINCT seq) <> count(*)"
            )
        ).all()
        assert gaps == []
        orphans = "SELECT count(*) FROM event WHERE session_id NOT IN (SELECT id FROM session)"
        assert connection.execute(text(orphans)).scalar() == 0


def test_sessions_killed_at_random_points_keep_what_they_committed(database_url, tmp_path):
    full = database_url.startswith("sqlite")
    rng = random.Random(SEED + (0 if full else 1))
    rig = Rig(database_url, tmp_path, rng)
    plan = kill_plan(rng, full)
    follow_ups = iter(FOLLOW_UPS * len(plan))
    known: set[str] = set()
    for kill in plan:
        if kill.command == "app":
            rig.app(kill)
        else:
            rig.headless(kill)
        rig.tally[f"{kill.command} at {kill.phase}"] += 1
        states = rig.check()
        left = sorted(set(states) - known)
        for session_id in left:
            rig.tally[f"left {states[session_id][0]}"] += 1
        print(f"{kill.command:8} {kill.after:24} +{kill.delay * 1000:4.0f} ms, landed {rig.landed[-1]}:", *left)
        for session_id in left:
            if states[session_id][0] == "abandoned":
                rig.follow_up(session_id, next(follow_ups))
        known = set(rig.check())
    where = Counter(rig.landed)
    print(dict(sorted(rig.tally.items())), dict(where), sum(len(e) for e in rig.committed.values()), "events")
    assert len(rig.landed) >= (20 if full else 5)
    assert {"start", "mid", "stream", "end"} <= set(where) if full else len(where) >= 3, where
    assert rig.tally["left abandoned"] >= (10 if full else 3) and rig.tally["then resume"] >= 1
