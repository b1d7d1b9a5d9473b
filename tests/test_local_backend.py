"""The real llama.cpp with the embedded SmolLM2-135M: offline, streaming, bounded threads, clear failures."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.engine.bots import BOTS
from simulator.llm.base import BackendError, Request, generate
from simulator.llm.local import LocalBackend, embedded_model, free_cores

PROMPT = "A support chat. Dana is an angry customer whose internet is down.\nAgent: Hello, what happened?\nDana:"
ROOT = Path(__file__).resolve().parent.parent
STOPS = ("\nAgent:", "\nDana:", "\n\n", "[")

pytestmark = pytest.mark.llama


@pytest.fixture(scope="module")
def local() -> LocalBackend:
    return LocalBackend()


def test_the_embedded_model_ships_in_a_package():
    path = embedded_model()
    assert path.suffix == ".gguf" and path.stat().st_size > 50_000_000
    assert "site-packages" in str(path) or "dist-packages" in str(path)


def test_streams_text_in_pieces_with_usage(local):
    pieces = []

    async def collect():
        async for piece in local.stream(Request(prompt=PROMPT, stop=STOPS, max_tokens=24, seed=7)):
            pieces.append(piece)

    asyncio.run(collect())
    text = "".join(p.text for p in pieces)
    assert len([p for p in pieces if p.text]) >= 2 and text.strip()
    assert pieces[-1].usage and pieces[-1].usage.prompt_tokens > 10
    assert pieces[-1].usage.completion_tokens <= 24


def test_same_seed_same_text(local):
    request = Request(prompt=PROMPT, stop=STOPS, max_tokens=20, seed=11, temperature=0.7)
    first = asyncio.run(generate(local, request)).text
    second = asyncio.run(generate(local, request)).text
    assert first == second


def test_stopping_early_frees_the_model(local):
    async def first_piece_then_stop():
        stream = local.stream(Request(prompt=PROMPT, max_tokens=200, seed=1))
        async for piece in stream:
            await stream.aclose()
            return piece

    assert asyncio.run(first_piece_then_stop()) is not None
    again = asyncio.run(asyncio.wait_for(generate(local, Request(prompt=PROMPT, stop=STOPS, max_tokens=8)), 60))
    assert again.usage.completion_tokens > 0


def test_threads_never_oversubscribe_the_cores(local):
    usable = len(os.sched_getaffinity(0))
    assert 1 <= free_cores() <= max(1, usable - 1)
    assert local.options()["threads"] == local.threads <= max(1, usable - 1)


def test_a_missing_model_file_is_a_clear_error(tmp_path):
    backend = LocalBackend(tmp_path / "nowhere.gguf")
    with pytest.raises(BackendError, match="model file not found: .*nowhere.gguf"):
        asyncio.run(generate(backend, Request(prompt="x")))
    with pytest.raises(BackendError, match="model file not found"):  # reading ahead fails the same way
        asyncio.run(backend.warm("x"))


def test_a_corrupt_model_file_is_a_clear_error(tmp_path):
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + os.urandom(4096))
    with pytest.raises(BackendError, match="cannot load model .*broken.gguf"):
        asyncio.run(generate(LocalBackend(broken), Request(prompt="x")))


@pytest.mark.parametrize("bot", sorted(BOTS))
def test_english_scenarios_play_to_the_end_on_the_embedded_model(catalog, run_session, local, bot):
    english = sorted(sid for sid, doc in catalog.scenarios.items() if doc.model.language == "en")
    assert english
    for scenario_id in english:
        transcript = run_session(scenario_id, bot, backend=local)
        assert transcript.outcome in ("resolved", "customer_left", "unfinished")
        lines = [e for e in transcript.messages("customer") if e.meta.get("backend") == "local"]
        assert lines, "the local model was asked for the customer's lines"
        assert all(e.meta["model"].endswith(".gguf") and "threads" in e.meta["options"] for e in lines)
        # Whatever the small model wrote, nothing in the agent's voice reached the trainee.
        for event in lines:
            if not event.meta["fallback"]:
                assert not any(r["text"] == event.text for r in event.meta["rejected"])


def test_reading_ahead_caches_the_prompt_and_changes_nothing_said(local):
    request = Request(prompt=PROMPT, stop=STOPS, max_tokens=16, seed=5, temperature=0.7)
    local._load().reset()
    cold = asyncio.run(generate(local, request)).text

    history = PROMPT.rsplit("\n", 1)[0] + "\n"
    local._llama.reset()
    asyncio.run(local.warm(history))
    llama = local._llama
    assert llama.input_ids[: llama.n_tokens].tolist() == llama.tokenize(history.encode(), special=True)
    assert asyncio.run(generate(local, request)).text == cold
    local._llama.reset()
    asyncio.run(local.warm(PROMPT))  # the whole prompt: the first token is sampled from the cache at once
    assert asyncio.run(generate(local, request)).text == cold


CHATTER = """
import threading, time
from simulator.llm.local import LocalBackend
stop = threading.Event()
def chatter():
    i = 0
    while not stop.is_set():
        print(f"line {i}", flush=True)
        i += 1
        time.sleep(0.002)
    print(f"total {i}", flush=True)
thread = threading.Thread(target=chatter)
thread.start()
time.sleep(0.05)
LocalBackend()._load()
time.sleep(0.05)
stop.set()
thread.join()
"""


def test_loading_the_model_loses_nothing_other_threads_print():
    """llama-cpp-python's quiet mode points the process's stdout at /dev/null while it loads: the app's frames
    and simulate's events written meanwhile were lost. Every line printed during the load must arrive."""
    result = subprocess.run([sys.executable, "-c", CHATTER], capture_output=True, text=True, timeout=120, cwd=ROOT)
    lines = result.stdout.splitlines()
    total = int(lines[-1].split()[1])
    assert total > 20 and lines[:-1] == [f"line {i}" for i in range(total)]
    assert result.stderr == ""
