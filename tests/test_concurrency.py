"""Fifty sessions played at once into one database: no event lost, duplicated or reordered, no writer failing.

Each writer is its own process, forked so that fifty of them start in a moment on two cores. Each plays the
real session engine on the scripted backend and a virtual clock, stored by ``simulator.sessions.RecordedSession`` as
``sparring simulate`` stores it: one commit per event. A barrier lets all fifty start writing together.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import subprocess
import time
import traceback
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from simulator.engine.bots import BOTS
from simulator.engine.clock import VirtualClock
from simulator.engine.headless import play
from simulator.engine.session import Session
from simulator.llm.scripted import ScriptedBackend
from simulator.sessions import Casting, RecordedSession, choose
from simulator.settings import load_settings
from simulator.storage import open_repository
from tests.support import fast_catalog
from transcripts.format import Event, Transcript
from transcripts.repository import Refused, Repository
from transcripts.store import open_engine

pytestmark = pytest.mark.slow  # the fast tier (-m "not slow") leaves it out

WRITERS = 50
BOT_NAMES = sorted(BOTS)
FORK = multiprocessing.get_context("fork")


def _in_child(work: Any, result: Path) -> None:
    """Run ``work`` in a forked child and leave its result in a file; never return into pytest's code."""
    code = 0
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        outcome = work()
    except BaseException:  # whatever a writer hits is a finding, reported to the parent
        outcome, code = {"error": traceback.format_exc()}, 1
    result.write_text(json.dumps(outcome), encoding="utf-8")
    os._exit(code)


def _run_all(targets: list[Any], results: list[Path], timeout: float = 120) -> list[dict[str, Any]]:
    pairs = zip(targets, results, strict=True)
    processes = [FORK.Process(target=_in_child, args=(work, result)) for work, result in pairs]
    for process in processes:
        process.start()
    deadline = time.monotonic() + timeout
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            process.kill()
            process.join()
    outcomes = [json.loads(r.read_text(encoding="utf-8")) if r.exists() else {"error": "no result"} for r in results]
    failed = [(i, o.get("error")) for i, (p, o) in enumerate(zip(processes, outcomes, strict=True)) if p.exitcode]
    assert not failed, f"{len(failed)} of {len(processes)} failed; the first: {failed[0]}"
    return outcomes


def _session(casting: Casting, number: int) -> tuple[Session, Any]:
    """Writers differ: each plays its own seed with one of the bots (some interrupt, some end early)."""
    bot = BOTS[BOT_NAMES[number % len(BOT_NAMES)]](casting.scenario)
    return Session(casting.scenario, casting.persona, ScriptedBackend(), VirtualClock(), seed=number), bot


class Writer:
    """One trainee playing one session; notes each event once its commit has returned."""

    def __init__(self, number: int, casting: Casting, barrier: Any):
        self.number, self.casting, self.barrier = number, casting, barrier

    def __call__(self) -> dict[str, Any]:
        settings = load_settings(backend="scripted", user=f"writer-{self.number:02d}")
        bot = BOTS[BOT_NAMES[self.number % len(BOT_NAMES)]](self.casting.scenario)
        committed: list[tuple[int, float]] = []
        self.barrier.wait(timeout=60)
        recorded = RecordedSession.start(
            open_repository(settings),
            self.casting,
            ScriptedBackend(),
            VirtualClock(),
            mode="practice",
            seed=self.number,
        )
        session = recorded.session

        def store(event: Event) -> None:
            recorded.record(event)
            committed.append((event.seq, time.time()))

        asyncio.run(play(session, bot, store))
        recorded.close()
        return {"committed": committed, "transcript": session.transcript.model_dump(mode="json")}


def test_fifty_sessions_write_at_once_and_every_event_lands_once_in_order(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SPARRING_DATABASE_URL", database_url)
    engine = open_engine(database_url)
    boss = Repository.acting_as(engine, "boss")
    boss.add_group("floor")
    for number in range(WRITERS):
        boss.add_person(f"writer-{number:02d}", "trainee", groups=["floor"])
    engine.dispose()
    casting = choose("fast-case", [fast_catalog(tmp_path)])
    session, bot = _session(casting, 0)
    asyncio.run(play(session, bot))  # warm up here, once, what every child would otherwise do on its first run
    barrier = FORK.Barrier(WRITERS)
    writers = [Writer(n, casting, barrier) for n in range(WRITERS)]
    outcomes = _run_all(writers, [tmp_path / f"writer-{n:02d}.json" for n in range(WRITERS)])

    engine = open_engine(database_url)
    staff = Repository.acting_as(engine, "boss")
    total = 0
    for number, outcome in enumerate(outcomes):
        produced = Transcript.model_validate(outcome["transcript"])
        stored = staff.transcript(produced.id)
        seqs = [e.seq for e in stored.events]
        assert seqs == list(range(1, len(produced.events) + 1)), (number, seqs)
        assert stored.events == produced.events, number  # same text, times, flags and provenance, same order
        assert [seq for seq, _ in outcome["committed"]] == seqs, number
        info = staff.session_info(produced.id)
        assert (info.status, info.outcome) == ("finished", produced.outcome) and staff.report(produced.id), number
        total += len(seqs)
    with engine.connect() as connection:
        counts = connection.execute(text("SELECT count(*), count(DISTINCT session_id) FROM event")).one()
        seen = connection.execute(text("SELECT count(*) FROM (SELECT DISTINCT session_id, seq FROM event) AS s")).one()
    assert (counts[0], counts[1], seen[0]) == (total, WRITERS, total)
    engine.dispose()

    # The writes really overlapped: at the busiest moment many writers were between their first and last commit.
    spans = [(o["committed"][0][1], o["committed"][-1][1]) for o in outcomes]
    busiest = max(sum(first <= moment <= last for first, last in spans) for moment, _ in spans)
    print(f"{WRITERS} writers, {total} events, {busiest} writing at once at the busiest moment")
    assert busiest >= WRITERS // 5, busiest


def test_fifty_processes_opening_an_empty_database_at_once_all_get_one_schema(database_url, tmp_path):
    barrier = FORK.Barrier(WRITERS)

    def open_it() -> dict[str, Any]:
        barrier.wait(timeout=60)
        engine = open_engine(database_url)
        engine.dispose()
        return {}

    _run_all([open_it] * WRITERS, [tmp_path / f"opener-{n:02d}.result" for n in range(WRITERS)])
    engine = open_engine(database_url)
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert len(versions) == 1
    engine.dispose()


def test_an_abandoned_session_is_taken_up_by_one_process_only(database_url, tmp_path):
    """Two windows resuming the same session would both write its next event: only one may take it up."""
    engine = open_engine(database_url)
    ann = Repository.acting_as(engine, "ann")
    gone = subprocess.Popen(["true"])  # a finished process: what a killed session leaves behind
    gone.wait()
    ann.start_session(Transcript(id="taken-once", scenario="fast-case"), pid=gone.pid)
    ann.append_event("taken-once", Event(seq=1, t=0.0, role="customer", type="typing"))
    assert ann.mark_abandoned() == 1
    engine.dispose()
    barrier = FORK.Barrier(WRITERS)

    def take_up() -> dict[str, Any]:
        repo = Repository.acting_as(open_engine(database_url), "ann")
        barrier.wait(timeout=60)
        try:
            repo.reopen_session("taken-once")
        except Refused:
            return {"took": False}
        return {"took": True}

    outcomes = _run_all([take_up] * WRITERS, [tmp_path / f"taker-{n:02d}.result" for n in range(WRITERS)])
    assert sum(o["took"] for o in outcomes) == 1
