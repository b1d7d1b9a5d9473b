"""The one session lifecycle (``simulator.sessions``) that the app, ``practice`` and ``simulate`` share: started in
the store, each event appended as it happens, finished and graded once; resumed at the level, seed and time it
stopped at; restarted after a cancelled line without losing what was said. A real SQLite store, the scripted
customer and the real engine."""

from __future__ import annotations

import asyncio
import multiprocessing
from typing import Any

from simulator.catalog import Catalog
from simulator.engine.bots import BOTS
from simulator.engine.clock import VirtualClock
from simulator.engine.headless import play
from simulator.llm.scripted import ScriptedBackend
from simulator.sessions import RecordedSession, cast
from simulator.settings import load_settings
from simulator.storage import open_repository
from transcripts.format import Transcript


def _repo():
    return open_repository(load_settings(user="tess"))


def test_a_played_session_is_stored_as_it_happens_and_graded_once(catalog):
    repo = _repo()
    recorded = RecordedSession.start(
        repo, cast(catalog, "home-internet-down"), ScriptedBackend(), VirtualClock(), mode="practice", seed=4
    )
    stored_before = repo.transcript(recorded.session.transcript.id)
    assert stored_before.events == []  # started in the store before anything was said

    asyncio.run(play(recorded.session, BOTS["good"](recorded.casting.scenario), recorded.record))
    report = recorded.close()

    assert report is not None and recorded.close() is report  # graded once, however often it is closed
    stored = repo.transcript(report.transcript)
    assert [e.seq for e in stored.events] == [e.seq for e in recorded.session.transcript.events]
    (summary,) = repo.sessions(limit=5)
    assert summary.status == "finished" and summary.score == report.score


def test_closing_a_session_that_has_not_ended_grades_nothing(catalog):
    repo = _repo()
    recorded = RecordedSession.start(
        repo, cast(catalog, "home-internet-down"), ScriptedBackend(), VirtualClock(), mode="practice"
    )
    assert recorded.close() is None
    (summary,) = repo.sessions(limit=5)
    assert summary.status != "finished" and summary.score is None


def _play_then_die(catalog: Catalog, out: Any) -> None:
    """In a child process: start a session, get one answer from the customer, and exit without finishing."""
    first = RecordedSession.start(
        _repo(),
        cast(catalog, "home-internet-down"),
        ScriptedBackend(),
        VirtualClock(),
        mode="practice",
        seed=9,
        difficulty=5,
        meta={"assignment": 3},
    )
    first.session.say("Hello, I'm sorry to hear that. What is your contract number?", delay=1.0)
    first.session.finish(delay=40.0)

    async def until_the_customer_answers() -> None:
        async for event in first.events():
            if event.role == "customer" and event.final and event.seq > 3:
                return

    asyncio.run(until_the_customer_answers())
    out.put(first.session.transcript.model_dump_json())


def test_a_resumed_session_keeps_its_level_seed_and_clock(catalog):
    fork = multiprocessing.get_context("fork")
    out = fork.Queue()
    child = fork.Process(target=_play_then_die, args=(catalog, out))
    child.start()
    said = Transcript.model_validate_json(out.get(timeout=60))
    child.join(timeout=60)
    assert said.elapsed > 0
    repo = _repo()  # opening the store finds its process gone
    assert [s.status for s in repo.sessions(limit=5)] == ["abandoned"]

    again = RecordedSession.resume(repo, said.id, lambda key: cast(catalog, key), lambda scenario: ScriptedBackend())
    assert again.session.transcript.id == said.id
    assert again.session.level.level == 5 and again.session.transcript.meta["seed"] == 9
    assert again.session.transcript.meta["assignment"] == 3
    assert again.session.clock.now() >= said.elapsed  # the clock goes on; it does not start again at 0
    assert [e.seq for e in again.session.transcript.events] == [e.seq for e in repo.transcript(said.id).events]


def test_a_restart_after_a_cancelled_line_keeps_everything_said(catalog):
    repo = _repo()
    recorded = RecordedSession.start(
        repo, cast(catalog, "home-internet-down"), ScriptedBackend(), VirtualClock(), mode="practice", difficulty=2
    )
    recorded.session.say("Hi, what happened?", delay=1.0)

    async def two_events() -> None:
        seen = 0
        async for _ in recorded.events():
            seen += 1
            if seen == 2:
                return

    asyncio.run(two_events())
    before = [e.seq for e in recorded.session.transcript.events]
    old = recorded.session
    recorded.restart(ScriptedBackend())
    assert recorded.session is not old
    assert [e.seq for e in recorded.session.transcript.events] == before
    assert recorded.session.level.level == 2
