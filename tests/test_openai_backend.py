"""The OpenAI-compatible backend against a real local server (tests/openai_server.py), no SDK patching."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from typing import Any

import pytest

from simulator.llm.base import Backend, BackendError, Generation, Piece, Request, Usage, generate
from simulator.llm.openai_backend import MAX_STOP, PLACEHOLDER_KEY, OpenAIBackend, is_local, public_url
from tests.openai_server import DEFAULT_REPLY, OpenAIServer

MESSAGES = [{"role": "system", "content": "You are a customer."}, {"role": "user", "content": "Hello, how can I help?"}]
CHAT = Request(messages=MESSAGES)
PROMPT = Request(prompt="Agent: Hello, how can I help?\nCustomer:")


def make(url: str, **overrides: Any) -> OpenAIBackend:
    options: dict[str, Any] = {
        "model": "test-model",
        "api_key": None,
        "timeout": 2.0,
        "max_retries": 0,
        "framing": "chat",
    }
    return OpenAIBackend(base_url=url, **{**options, **overrides})


def run(backend: OpenAIBackend, request: Request = CHAT) -> Generation:
    return asyncio.run(generate(backend, request))


def pieces(backend: OpenAIBackend, request: Request = CHAT) -> list[Piece]:
    async def collect() -> list[Piece]:
        return [piece async for piece in backend.stream(request)]

    return asyncio.run(collect())


def failure(backend: OpenAIBackend, request: Request = CHAT) -> str:
    with pytest.raises(BackendError) as caught:
        run(backend, request)
    return str(caught.value)


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Streaming and the request sent.


def test_is_a_backend(openai_server: OpenAIServer) -> None:
    backend = make(openai_server.url)
    assert isinstance(backend, Backend)
    assert (backend.name, backend.model, backend.framing) == ("openai", "test-model", "chat")


def test_chat_streams_the_reply_in_pieces(openai_server: OpenAIServer) -> None:
    openai_server.reply("I have been waiting for an hour and nobody calls back.")
    got = pieces(make(openai_server.url))
    texts = [piece.text for piece in got if piece.text]
    assert len(texts) == 11
    assert "".join(texts) == "I have been waiting for an hour and nobody calls back."
    assert got[-1] == Piece("", Usage(prompt_tokens=9, completion_tokens=11))


def test_generate_collects_text_usage_and_timing(openai_server: OpenAIServer) -> None:
    result = run(make(openai_server.url))
    assert result.text == DEFAULT_REPLY
    assert result.usage == Usage(9, 5)
    assert result.first_token_s is not None and result.first_token_s <= result.seconds


def test_chat_framing_sends_messages_to_chat_completions(openai_server: OpenAIServer) -> None:
    stops = ("\nAgent:", "\nCustomer:", "###", "\n\n", "Agent:", "END")
    request = Request(messages=MESSAGES, stop=stops, max_tokens=42, temperature=0.3, seed=7)
    run(make(openai_server.url), request)
    [sent] = openai_server.requests
    assert (sent.method, sent.path) == ("POST", "/v1/chat/completions")
    body = sent.body
    assert body["messages"] == MESSAGES and "prompt" not in body
    assert body["model"] == "test-model"
    assert body["stop"] == list(stops[:MAX_STOP]) == ["\nAgent:", "\nCustomer:", "###", "\n\n"]
    assert (body["max_tokens"], body["temperature"], body["seed"]) == (42, 0.3, 7)
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}


def test_transcript_framing_sends_a_prompt_to_completions(openai_server: OpenAIServer) -> None:
    openai_server.reply(" My router blinks red.")
    backend = make(openai_server.url, framing="transcript")
    result = run(backend, Request(prompt=PROMPT.prompt, stop=("\nAgent:", "\n", "a", "b", "c"), max_tokens=20, seed=3))
    assert result.text == " My router blinks red."
    assert result.usage == Usage(7, 4)
    [sent] = openai_server.requests
    assert sent.path == "/v1/completions"
    body = sent.body
    assert body["prompt"] == PROMPT.prompt and "messages" not in body
    assert body["stop"] == ["\nAgent:", "\n", "a", "b"]
    assert (body["max_tokens"], body["seed"]) == (20, 3)
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}


def test_no_stop_and_no_seed_are_left_out(openai_server: OpenAIServer) -> None:
    run(make(openai_server.url))
    body = openai_server.requests[0].body
    assert "stop" not in body and "seed" not in body


def test_max_tokens_reached_is_a_normal_end(openai_server: OpenAIServer) -> None:
    result = run(make(openai_server.url), Request(messages=MESSAGES, max_tokens=2))
    assert result.text == "My internet"


def test_usage_is_counted_when_the_server_reports_none(openai_server: OpenAIServer) -> None:
    openai_server.report_usage = False
    got = pieces(make(openai_server.url))
    assert got[-1] == Piece("", Usage(0, 5))


def test_one_backend_serves_several_event_loops(openai_server: OpenAIServer) -> None:
    backend = make(openai_server.url)
    openai_server.reply("First.", "Second.")
    assert run(backend).text == "First."
    assert run(backend).text == "Second."


def test_keys_placeholder_and_provenance(openai_server: OpenAIServer) -> None:
    run(make(openai_server.url))
    assert openai_server.requests[-1].headers["authorization"] == f"Bearer {PLACEHOLDER_KEY}"
    backend = make(openai_server.url, api_key="sk-secret-123")
    run(backend)
    assert openai_server.requests[-1].headers["authorization"] == "Bearer sk-secret-123"
    assert backend.options() == {"base_url": openai_server.url, "framing": "chat", "timeout": 2.0, "max_retries": 0}
    assert "sk-secret" not in repr(backend.options()) + repr(backend)


def test_options_hide_credentials_in_the_url() -> None:
    backend = make("https://user:hunter2@llm.example.com:8443/v1?api-key=sk-secret", api_key="sk-secret")
    assert backend.options()["base_url"] == "https://llm.example.com:8443/v1"
    assert "hunter2" not in repr(backend.options()) and "sk-secret" not in repr(backend.options())
    assert public_url("http://[::1]:8080/v1") == "http://[::1]:8080/v1"


def test_remote_server_without_key_asks_for_one() -> None:
    message = failure(make(None))
    assert "https://api.openai.com/v1" in message and "SPARRING_API_KEY" in message


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8080/v1", True),
        ("http://localhost:11434/v1", True),
        ("http://[::1]:8080/v1", True),
        ("http://192.168.1.20:8000/v1", True),
        ("http://llama:8080/v1", True),
        ("https://api.openai.com/v1", False),
        ("https://openrouter.ai/api/v1", False),
    ],
)
def test_is_local(url: str, local: bool) -> None:
    assert is_local(url) is local


def test_unknown_framing_is_refused() -> None:
    with pytest.raises(ValueError, match="framing"):
        make("http://127.0.0.1:1/v1", framing="auto")


def test_importing_the_module_does_not_import_the_sdk() -> None:
    code = "import sys, simulator.llm.openai_backend; print('openai' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# Faults.


def test_connection_refused_names_the_url() -> None:
    url = f"http://127.0.0.1:{unused_port()}/v1"
    message = failure(make(url))
    assert message.startswith(f"cannot reach the model server at {url}: ")
    assert "is it running? set SPARRING_BASE_URL" in message


def test_refused_answer_is_a_backend_error(openai_server: OpenAIServer) -> None:
    openai_server.fail("refuse")
    message = failure(make(openai_server.url))
    assert "closed the connection without answering" in message


def test_refused_answer_is_retried(openai_server: OpenAIServer) -> None:
    openai_server.fail("refuse")
    assert run(make(openai_server.url, max_retries=1)).text == DEFAULT_REPLY
    assert len(openai_server.requests) == 2


def test_timeout_is_bounded(openai_server: OpenAIServer) -> None:
    openai_server.fail("timeout")
    start = time.perf_counter()
    message = failure(make(openai_server.url, timeout=0.5))
    assert time.perf_counter() - start < 2.0
    assert "timed out: no answer within 0.5s" in message and "SPARRING_TIMEOUT" in message


@pytest.mark.parametrize(("status", "words"), [(429, "Rate limit reached"), (500, "had an error"), (503, "overloaded")])
def test_status_errors_without_retries(openai_server: OpenAIServer, status: int, words: str) -> None:
    openai_server.fail(status)
    message = failure(make(openai_server.url))
    assert f"answered HTTP {status}: " in message and words in message
    assert len(openai_server.requests) == 1


@pytest.mark.parametrize("status", [429, 500, 503])
def test_status_errors_are_retried(openai_server: OpenAIServer, status: int) -> None:
    openai_server.fail(status)
    assert run(make(openai_server.url, max_retries=1)).text == DEFAULT_REPLY
    assert len(openai_server.requests) == 2


def test_retries_are_bounded(openai_server: OpenAIServer) -> None:
    openai_server.fail(503, 503, 503, 503)
    message = failure(make(openai_server.url, max_retries=2))
    assert "HTTP 503" in message and "gave up after 2 retries" in message
    assert len(openai_server.requests) == 3


def test_bad_key_points_at_the_setting(openai_server: OpenAIServer) -> None:
    openai_server.fail(401)
    message = failure(make(openai_server.url, max_retries=2))
    assert "HTTP 401" in message and "SPARRING_API_KEY" in message and "OPENAI_API_KEY" in message
    assert len(openai_server.requests) == 1  # 4xx other than 408/409/429 is not retried


def test_unknown_model_points_at_the_setting(openai_server: OpenAIServer) -> None:
    openai_server.fail(404)
    assert "SPARRING_MODEL='test-model'" in failure(make(openai_server.url))


@pytest.mark.parametrize("framing", ["chat", "transcript"])
def test_cut_stream_is_an_error_not_a_partial_answer(openai_server: OpenAIServer, framing: str) -> None:
    openai_server.fail("cut")
    request = CHAT if framing == "chat" else PROMPT
    message = failure(make(openai_server.url, framing=framing, max_retries=2), request)
    assert "cut the answer off mid-stream" in message
    assert len(openai_server.requests) == 1  # a broken stream is not retried by the SDK


def test_stream_ending_without_finish_is_an_error(openai_server: OpenAIServer) -> None:
    openai_server.fail("truncated")
    message = failure(make(openai_server.url))
    assert "cut the answer off mid-stream" in message and "no finish reason" in message


def test_malformed_chunk_is_an_error(openai_server: OpenAIServer) -> None:
    openai_server.fail("malformed")
    assert "malformed stream chunk" in failure(make(openai_server.url))


def test_error_event_mid_stream_is_an_error(openai_server: OpenAIServer) -> None:
    openai_server.fail("error")
    assert "failed mid-answer: Context size has been exceeded." in failure(make(openai_server.url))


def test_silence_mid_stream_is_bounded(openai_server: OpenAIServer) -> None:
    openai_server.delay = 2.0  # the headers and the first chunk arrive, then nothing
    start = time.perf_counter()
    message = failure(make(openai_server.url, timeout=0.3, max_retries=2))
    assert time.perf_counter() - start < 1.5
    assert "went silent mid-answer for 0.3s" in message
    assert len(openai_server.requests) == 1


def test_empty_answer_is_not_an_error(openai_server: OpenAIServer) -> None:
    openai_server.fail("empty")
    result = run(make(openai_server.url))
    assert result.text == "" and result.usage.completion_tokens == 0


def test_long_answer_is_collected(openai_server: OpenAIServer) -> None:
    openai_server.fail("long")
    backend = make(openai_server.url, framing="transcript")
    result = run(backend, Request(prompt="Customer:", max_tokens=10_000))
    words = result.text.split()
    assert len(words) == openai_server.long_words and words[-1] == f"word{openai_server.long_words - 1}"
    assert result.usage.completion_tokens == openai_server.long_words


# Stopping early closes the HTTP stream, so the server stops generating.


def test_aclose_closes_the_http_stream(openai_server: OpenAIServer) -> None:
    openai_server.delay = 0.02
    openai_server.reply(" ".join(["word"] * 200))

    async def read_two() -> list[str]:
        agen = make(openai_server.url).stream(CHAT)
        got = [(await anext(agen)).text, (await anext(agen)).text]
        await agen.aclose()
        await asyncio.to_thread(openai_server.wait_aborted)
        return got

    assert asyncio.run(read_two()) == ["word", " word"]
    assert openai_server.aborted == 1


def test_cancel_closes_the_http_stream(openai_server: OpenAIServer) -> None:
    openai_server.delay = 0.02
    openai_server.reply(" ".join(["word"] * 200))
    first = asyncio.Event()

    async def consume() -> None:
        async for _ in make(openai_server.url).stream(CHAT):
            first.set()

    async def main() -> None:
        task = asyncio.create_task(consume())
        await first.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.to_thread(openai_server.wait_aborted)

    asyncio.run(main())
    assert openai_server.aborted == 1


# The test server also answers without streaming, like a real one.


def test_server_answers_whole_and_lists_models(openai_server: OpenAIServer) -> None:
    import openai

    async def main() -> tuple[Any, Any, Any]:
        async with openai.AsyncOpenAI(base_url=openai_server.url, api_key="sk-test", max_retries=0) as client:
            chat = await client.chat.completions.create(model="m", messages=MESSAGES)
            text = await client.completions.create(model="m", prompt="Customer:")
            models = await client.models.list()
            return chat, text, models

    chat, text, models = asyncio.run(main())
    assert chat.choices[0].message.content == DEFAULT_REPLY and chat.usage.completion_tokens == 5
    assert text.choices[0].text == DEFAULT_REPLY
    assert [model.id for model in models.data] == ["sparring-test-model"]
    assert [request.method for request in openai_server.requests] == ["POST", "POST", "GET"]
