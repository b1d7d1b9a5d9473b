"""One model for a class: the model service that ``sparring serve`` starts, with the real embedded model."""

from __future__ import annotations

import asyncio
import os
import shlex
import socket
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from simulator.llm import make_backend
from simulator.llm.base import Request, generate
from simulator.llm.local import LocalBackend, SavedStates
from simulator.settings import Settings, load_settings
from simulator.tui.serve import child_command, shared_model
from tests.openai_server import MODEL, OpenAIServer

pytestmark = pytest.mark.llama

NAMES = ("Dana", "Oleg")


def asking(name: str) -> str:
    """A prompt the embedded model continues with ``name`` (greedy decoding)."""
    return f"{name}, " * 6


def app_settings(command: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The settings the app opens with when textual-serve runs ``command`` for a tab."""
    import simulator.tui.app
    from simulator.cli import app

    opened: list[tuple[Settings, bool]] = []
    monkeypatch.setattr(simulator.tui.app, "run_app", lambda settings, sign_in: opened.append((settings, sign_in)))
    arguments = shlex.split(command)
    assert arguments[1:3] == ["-m", "simulator.cli"]
    result = CliRunner().invoke(app, arguments[3:])
    assert result.exit_code == 0, result.output
    settings, sign_in = opened[0]
    assert sign_in  # a served tab always opens on the sign-in screen
    return settings


def test_a_class_shares_one_model_service_that_stops_with_serve(monkeypatch):
    with shared_model(load_settings(backend="local")) as shared:
        assert shared.service is not None
        url = urlsplit(shared.service.url)
        assert url.hostname == "127.0.0.1" and url.path == "/v1"
        settings = app_settings(child_command(shared.settings), monkeypatch)
        assert (settings.backend, settings.base_url, settings.framing) == ("openai", shared.service.url, "transcript")
        assert settings.model == "SmolLM2-135M-Instruct.Q4_1.gguf" and settings.read_ahead
        backend = make_backend(settings)

        async def both() -> list[str]:
            requests = [Request(prompt=asking(name), max_tokens=4, temperature=0.0) for name in NAMES]
            return [g.text for g in await asyncio.gather(*(generate(backend, r) for r in requests))]

        replies = asyncio.run(both())
        for name, reply in zip(NAMES, replies, strict=True):
            assert name in reply, replies  # each session hears its own conversation, not the other's
    with pytest.raises(ProcessLookupError):
        os.kill(shared.service.pid, 0)
    with pytest.raises(OSError), socket.create_connection((url.hostname, url.port or 80), timeout=1):
        pass


def test_the_embedded_model_served_still_leaves_russian_to_authored_lines():
    from simulator.llm import writes_language

    assert not writes_language("openai", "SmolLM2-135M-Instruct.Q4_1.gguf", "ru")
    assert writes_language("openai", "SmolLM2-135M-Instruct.Q4_1.gguf", "en")
    assert writes_language("openai", "qwen2.5-7b-instruct", "ru")


def test_a_remote_server_is_passed_on_unchanged(openai_server: OpenAIServer, monkeypatch):
    monkeypatch.setenv("SPARRING_BACKEND", "openai")
    monkeypatch.setenv("SPARRING_BASE_URL", openai_server.url)
    monkeypatch.setenv("SPARRING_MODEL", MODEL)
    with shared_model(load_settings()) as shared:
        assert shared.service is None and shared.settings == {}
        settings = app_settings(child_command(shared.settings), monkeypatch)  # the tab reads the same settings
    assert (settings.backend, settings.base_url, settings.model) == ("openai", openai_server.url, MODEL)
    assert not settings.read_ahead  # a server of one's own choosing gets no extra requests
    openai_server.reply("My router is blinking red.")
    answer = asyncio.run(generate(make_backend(settings), Request(messages=[{"role": "user", "content": "Hi"}])))
    assert answer.text == "My router is blinking red."
    assert [r.path for r in openai_server.requests] == ["/v1/chat/completions"]


def test_conversations_taking_turns_keep_their_own_cache():
    """Two conversations read in turn on one model: the first comes back from its saved state and reads only
    its new line, instead of its whole chat again."""
    backend = LocalBackend(threads=1, saved_states=SavedStates(1 << 28))
    first, second = (asking(name) * 8 for name in NAMES)
    asyncio.run(backend.warm(first))
    asyncio.run(backend.warm(second))
    llama = backend._llama
    read: list[int] = []
    evaluate = llama.eval
    llama.eval = lambda tokens: (read.append(len(tokens)), evaluate(tokens))
    asyncio.run(backend.warm(first + "Dana."))
    assert 0 < sum(read) < 10, read  # the new line (and one token to refresh), not the ~250 tokens of the chat
    assert 0 < backend.saved_states.size < 1 << 28  # type: ignore[union-attr]
