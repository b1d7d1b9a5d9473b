"""Failing model servers and broken model files, soaked: nothing crashes, hangs, loses an event or retries for ever.

A real OpenAI-compatible server on 127.0.0.1 (tests/openai_server.py) plays a seeded schedule of every fault it
knows across many headless sessions, recorded in the store the way ``sparring simulate`` records them. The local
backend gets a missing, an empty, a garbage and a truncated GGUF file, in process and through ``sparring simulate``.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from simulator.catalog import Catalog
from simulator.engine.actor import MAX_CHARS, Spoken
from simulator.engine.bots import BOTS
from simulator.engine.clock import VirtualClock
from simulator.engine.director import Decision
from simulator.engine.headless import play
from simulator.i18n import t
from simulator.llm.base import BackendError, Request, generate
from simulator.llm.local import embedded_model
from simulator.llm.openai_backend import OpenAIBackend, chunk_limit
from simulator.sessions import RecordedSession, backend_for, cast, transcript_path
from simulator.settings import Settings, load_settings
from simulator.storage import open_repository
from tests.openai_server import MODEL, OpenAIServer, Received
from transcripts.format import Transcript, load_transcript, save_transcript

RETRIED: tuple[str | int, ...] = ("refuse", "timeout", 429, 500, 503)
"""Faults before the answer: the SDK retries them by itself."""
BROKEN: tuple[str | int, ...] = ("cut", "truncated", "malformed", "wrongtype", "error")
"""Faults in an answer under way: not retried, the line falls back with a note."""
ANSWERED: tuple[str | int, ...] = ("empty", "long", "flood", "surrogate")
"""Faults that still answer: the actor judges the text, and uses it or retries once and falls back."""
KINDS = (*RETRIED, *BROKEN, *ANSWERED)
ROUNDS = 8
"""Each kind this many times: 112 faults, with as many clean answers shuffled in among them."""
TIMEOUT = 0.5
MAX_RETRIES = 1
BACKOFF = 0.5
"""The SDK's longest wait before a first retry without a retry-after header (openai._constants)."""
SAYS = {  # what the trainee reads when the last try failed this way
    "refuse": "closed the connection without answering",
    "timeout": f"timed out: no answer within {TIMEOUT:g}s",
    429: "answered HTTP 429: Rate limit reached for requests. (gave up after 1 retry)",
    500: "answered HTTP 500: The server had an error",
    503: "answered HTTP 503: The engine is currently overloaded",
    "cut": "cut the answer off mid-stream",
    "truncated": "cut the answer off mid-stream (after",
    "malformed": "sent a malformed stream chunk",
    "wrongtype": "sent a malformed stream chunk (the text is not a string: 7)",
    "error": "failed mid-answer: Context size has been exceeded.",
}
REJECTED = {"empty": "empty", "flood": "too long"}
"""Answers the actor can never use, and what it says of them."""
PLAYS = [  # (scenario, bot, framing) in turn until the schedule is played out
    ("home-internet-down", "good", "chat"),
    ("slow-mobile-internet", "interrupter", "transcript"),
    ("duplicate-card-charge", "canned", "chat"),
    ("chatbot-loop", "hasty", "transcript"),
    ("online-school-mentor", "good", "transcript"),
    ("domashniy-internet-ru", "good", "chat"),
    ("home-internet-down", "interrupter", "chat"),
    ("kurier-do-dveri", "canned", "transcript"),
]
REPLIES = [
    "It is still not working, I checked again.",
    "Nothing has changed on my side at all.",
    "I already restarted everything twice today.",
    "Please just tell me when it will be fixed.",
    "The contract number is 77-4410, by the way.",
]


@dataclass
class Line:
    """One customer line the actor produced, with the HTTP requests it took and how long."""

    spoken: Spoken
    requests: list[Received]
    seconds: float


@dataclass
class Played:
    transcript: Transcript
    lines: list[Line] = field(default_factory=list)


def warming(request: Received) -> bool:
    """The backend reading the chat ahead while the agent types: a one-token completion."""
    return isinstance(request.body, dict) and request.body.get("max_tokens") == 1


def play_recorded(
    settings: Settings, catalog: Catalog, scenario_id: str, bot: str, seed: int, server: OpenAIServer | None = None
) -> Played:
    """A headless session recorded in the store and saved to a file, as ``sparring simulate`` does it."""
    casting = cast(catalog, scenario_id)
    scenario = casting.scenario
    backend, _ = backend_for(settings, scenario)
    recorded = RecordedSession.start(
        open_repository(settings), casting, backend, VirtualClock(), mode="practice", seed=seed
    )
    session = recorded.session
    played = Played(session.transcript)
    speak = session.actor.speak

    async def speak_and_count(decision: Decision) -> Spoken:
        before, start = len(server.requests) if server else 0, time.monotonic()
        spoken = await speak(decision)
        # A one-token completion reading the chat ahead (``warm``) may land meanwhile: it is not the line's.
        requests = [r for r in server.requests[before:] if not warming(r)] if server else []
        played.lines.append(Line(spoken, requests, time.monotonic() - start))
        return spoken

    session.actor.speak = speak_and_count  # type: ignore[method-assign]
    asyncio.run(play(session, BOTS[bot](scenario), recorded.record))
    recorded.close()
    save_transcript(session.transcript, transcript_path(scenario, session.transcript.id))
    return played


def schedule(seed: int) -> list[str | int | None]:
    rng = random.Random(seed)
    plan: list[str | int | None] = []
    for _ in range(ROUNDS):
        batch: list[str | int | None] = [*KINDS, *[None] * len(KINDS)]
        rng.shuffle(batch)
        plan += batch
    return plan


def attempts(requests: list[Received]) -> list[list[Received]]:
    """The actor's tries: the SDK resends the same body when it retries, the actor's second try differs."""
    groups: list[list[Received]] = []
    for request in requests:
        if groups and groups[-1][-1].body == request.body:
            groups[-1].append(request)
        else:
            groups.append([request])
    return groups


def assert_whole(played: Played, settings: Settings) -> None:
    """Ended, numbered without gaps, every line noted where it fell back for an error, and stored as played."""
    transcript = played.transcript
    events = transcript.events
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[-1].type == "end" and transcript.outcome
    firsts = [
        e for e in transcript.messages("customer") if e.meta.get("chunk") == 0 and e.meta.get("intents") != ["opening"]
    ]
    assert len(firsts) == len(played.lines)
    for line, first in zip(played.lines, firsts, strict=True):
        record = line.spoken.provenance
        assert first.meta["fallback"] == record["fallback"] and first.meta.get("error") == record.get("error")
        before = events[first.seq - 2]
        if "error" in record:
            error = record["error"]
            assert before.type == "note" and before.role == "system"
            assert before.meta == {"code": "model_unavailable", "error": error}
            assert before.text == t("note.model_unavailable", error=error)
            assert "\n" not in error and "Traceback" not in error and len(error) < 400
        else:
            assert before.type != "note"
        # A wall of text never reaches the trainee: a model line is short or replaced by an authored one.
        assert len(line.spoken.text) <= MAX_CHARS or record["fallback"]
    assert sum(e.type == "note" for e in events) == sum("error" in line.spoken.provenance for line in played.lines)
    for event in transcript.messages("customer"):
        assert len(event.text or "") <= MAX_CHARS
    stored = open_repository(settings).transcript(transcript.id)
    assert [e.model_dump() for e in stored.events] == [e.model_dump() for e in events], "no event lost in the store"
    json.dumps(transcript.model_dump(mode="json"), ensure_ascii=False).encode("utf-8")  # no lone surrogate


@pytest.fixture
def remote(openai_server: OpenAIServer, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings as a user sets them for a model server that answers within TIMEOUT, retried MAX_RETRIES times."""
    for name, value in {
        "SPARRING_BACKEND": "openai",
        "SPARRING_BASE_URL": openai_server.url,
        "SPARRING_MODEL": MODEL,
        "SPARRING_TIMEOUT": str(TIMEOUT),
        "SPARRING_MAX_RETRIES": str(MAX_RETRIES),
    }.items():
        monkeypatch.setenv(name, value)
    openai_server.stall = 2 * TIMEOUT  # a "timeout" outlasts the client's patience, then lets the thread go
    openai_server.reply(*REPLIES * 200)
    return load_settings()


@pytest.mark.slow
def test_a_hundred_faults_across_sessions_crash_nothing_and_lose_nothing(
    openai_server: OpenAIServer, remote: Settings, catalog: Catalog
) -> None:
    plan = schedule(seed=20240611)
    openai_server.fail(*plan)
    start = time.monotonic()
    sessions: list[Played] = []
    while openai_server.faults:
        assert len(sessions) < 60, "the schedule should be played out long before this"
        scenario, bot, framing = PLAYS[len(sessions) % len(PLAYS)]
        settings = remote.model_copy(update={"framing": framing})
        sessions.append(play_recorded(settings, catalog, scenario, bot, seed=len(sessions), server=openai_server))
    wall = time.monotonic() - start

    injected = Counter(openai_server.injected)
    assert sum(injected.values()) >= 100 and injected == dict.fromkeys(KINDS, ROUNDS)
    lines = [line for played in sessions for line in played.lines]
    # Besides the lines' own, only reading the chat ahead: no hidden retries.
    ahead = sum(warming(r) for r in openai_server.requests)
    lined = sum(len(line.requests) for line in lines)
    assert lined + ahead == len(openai_server.requests), "every request is a line's, or reads ahead"

    bound = MAX_RETRIES + 1  # what the backend is configured with, as the provenance records it
    assert all(line.spoken.provenance["options"]["max_retries"] == MAX_RETRIES for line in lines)
    fates: Counter[tuple[str | int, str]] = Counter()
    for line in lines:
        record = line.spoken.provenance
        tries = attempts(line.requests)
        assert 1 <= len(tries) <= 2 and len(line.requests) <= 2 * bound
        for attempt in tries:
            assert len(attempt) <= bound, "retries are bounded"
            assert all(r.fault in RETRIED for r in attempt[:-1]), "only a failure before the answer is retried"
            fates.update((r.fault, "retried") for r in attempt[:-1] if r.fault is not None)
        # Generous: every try of both attempts timing out, with the SDK's backoff between.
        assert line.seconds < 2 * (bound * TIMEOUT + MAX_RETRIES * BACKOFF) + 2
        last = tries[-1][-1].fault
        if "error" in record:
            assert last in SAYS and record["fallback"], record
            assert SAYS[last] in record["error"] and openai_server.url in record["error"]
            if last in RETRIED:
                assert len(tries[-1]) == bound, "gave up only after every retry"
            fates[last, "fell back with a note"] += 1
        else:
            assert all(attempt[-1].fault in (None, *ANSWERED) for attempt in tries)
        assert len(record["rejected"]) == len(tries) - (0 if record["fallback"] and "error" not in record else 1)
        for rejected, attempt in zip(record["rejected"], tries, strict=False):
            fault = attempt[-1].fault
            assert fault not in REJECTED or rejected["reason"] == REJECTED[fault]
        judged = [attempt[-1].fault for attempt in tries if attempt[-1].fault in ANSWERED]
        fates.update((fault, "judged by the actor") for fault in judged if fault is not None)
    assert fates.total() == sum(injected.values()), "every fault was retried, noted or judged"
    assert {kind for kind, _ in fates} == set(KINDS)

    for played in sessions:
        assert_whole(played, remote)
    assert len(sessions) >= len(PLAYS)
    assert wall < 60, "timeouts and retries are bounded"
    print(
        f"\n{len(sessions)} sessions, {len(lines)} model lines, {len(openai_server.requests)} requests, "
        f"{sum(injected.values())} faults; {wall:.1f}s\n"
        + "\n".join(f"{kind!s:>10} {fate}: {n}" for (kind, fate), n in sorted(fates.items(), key=str))
    )


# Single faults the soak found: each once crashed a session, or could hold it for ever.

CHAT = Request(messages=[{"role": "user", "content": "Hi"}], max_tokens=24)


def backend(server: OpenAIServer, framing: str = "chat") -> OpenAIBackend:
    return OpenAIBackend(server.url, MODEL, timeout=TIMEOUT, max_retries=MAX_RETRIES, framing=framing)


@pytest.mark.parametrize("framing", ["chat", "transcript"])
def test_text_that_is_not_a_string_is_a_malformed_chunk(openai_server: OpenAIServer, framing: str) -> None:
    openai_server.fail("wrongtype")  # was a TypeError out of the backend, which the actor does not catch
    request = CHAT if framing == "chat" else Request(prompt="Customer:", max_tokens=24)
    with pytest.raises(BackendError, match=r"malformed stream chunk \(the text is not a string: 7\)"):
        asyncio.run(generate(backend(openai_server, framing), request))


def test_a_lone_surrogate_is_replaced_before_anything_stores_it(openai_server: OpenAIServer) -> None:
    openai_server.fail("surrogate")  # was stored as is, and SQLite and the transcript file refused it mid-session
    answer = asyncio.run(generate(backend(openai_server), CHAT))
    assert answer.text == "My\ufffd internet is still down."


def test_an_endless_answer_is_cut_where_max_tokens_should_have(openai_server: OpenAIServer) -> None:
    openai_server.long_words = 1_000_000  # a server that ignores max_tokens and never stops
    openai_server.fail("flood")
    start = time.monotonic()
    answer = asyncio.run(generate(backend(openai_server), CHAT))
    assert time.monotonic() - start < 5
    assert 24 <= len(answer.text.split()) < chunk_limit(24)
    assert openai_server.wait_aborted(), "closing the stream stops the server"


# Local model files that are missing or broken.


@pytest.fixture(scope="module")
def broken_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("models")
    garbage = folder / "garbage.gguf"
    garbage.write_bytes(b"GGUF" + random.Random(7).randbytes(1 << 20))
    truncated = folder / "truncated.gguf"
    with embedded_model().open("rb") as whole:
        truncated.write_bytes(whole.read(4 << 20))
    empty = folder / "empty.gguf"
    empty.touch()
    return {"missing": folder / "missing.gguf", "empty": empty, "garbage": garbage, "truncated": truncated}


@pytest.mark.llama
@pytest.mark.parametrize("kind", ["missing", "empty", "garbage", "truncated"])
def test_a_session_on_a_broken_model_file_goes_on_in_authored_lines(
    kind: str, broken_models: dict[str, Path], catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    import llama_cpp

    path = broken_models[kind]
    loads: list[Any] = []
    real = llama_cpp.Llama

    def counted(*args: Any, **kwargs: Any) -> Any:
        loads.append(kwargs.get("model_path"))
        return real(*args, **kwargs)

    monkeypatch.setattr(llama_cpp, "Llama", counted)
    settings = load_settings(backend="local", model=str(path))
    played = play_recorded(settings, catalog, "home-internet-down", "interrupter", seed=3)
    assert_whole(played, settings)
    says = f"model file not found: {path}" if kind == "missing" else f"cannot load model {path}: "
    assert played.lines and all(
        line.spoken.provenance["fallback"] and says in line.spoken.provenance["error"] for line in played.lines
    )
    # Tried once, not for every line and every read-ahead: llama.cpp mutes the whole process while it loads.
    assert len(loads) == (0 if kind == "missing" else 1)


@pytest.mark.parametrize("kind", ["missing", "garbage", "truncated"])
@pytest.mark.slow
def test_sparring_simulate_on_a_broken_model_file_shows_every_event(
    kind: str, broken_models: dict[str, Path], tmp_path: Path
) -> None:
    path = broken_models[kind]
    out = tmp_path / "session.json"
    result = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "simulate", "-s", "home-internet-down", "--agent-bot", "interrupter"]
        + ["--model", str(path), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr and not result.stderr.strip()
    transcript = load_transcript(out)
    shown = [e for e in transcript.events if e.type != "typing"]
    printed = [line for line in result.stdout.splitlines() if re.match(r"\s*\d+\.\d+s ", line)]
    assert len(printed) == len(shown), "every event is printed, even while llama.cpp fails to load the model"
    notes = [line for line in printed if str(path) in line]
    assert notes and len(notes) == sum(e.type == "note" for e in transcript.events)
    lines = [e for e in transcript.messages("customer") if e.meta.get("chunk") == 0 and "error" in e.meta]
    assert f"{len(lines)}/{len(lines)} model lines replaced by authored ones" in result.stdout
    stored = open_repository(load_settings()).transcript(transcript.id)
    assert [e.model_dump() for e in stored.events] == [e.model_dump() for e in transcript.events]
