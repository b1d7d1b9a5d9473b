"""One local model for a whole class: an OpenAI-compatible HTTP service on 127.0.0.1 around the local backend.

    python -m simulator.llm.service [--model PATH] [--threads N] [--context N]

``sparring serve`` starts it once and every browser session's process talks to it through the OpenAI backend,
instead of each loading its own copy of the model. It answers streamed ``POST /v1/completions`` and
``/v1/chat/completions`` (the two the OpenAI backend sends), one generation at a time on ``threads`` cores
(more at once would oversubscribe them), and keeps each conversation's cache (``SavedStates``), so sessions
taking turns do not make each other re-read their chats. It listens on a free port, prints
``serving URL`` once the model is loaded, and exits when its standard input closes: when serve stops, however
it stops.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncGenerator, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from aiohttp import web

from simulator.llm.base import BackendError, Piece, Request, Usage, generate
from simulator.llm.local import LocalBackend, SavedStates

HOST = "127.0.0.1"
READY = "serving "
"""What the service prints before its URL once it answers."""
STATES_LIMIT = 1 << 30
"""Bytes of conversation caches kept: about 45 sessions of 1,000 tokens with the embedded model."""
START_TIMEOUT = 120.0


def _request(body: dict[str, Any], chat: bool) -> Request:
    stop = body.get("stop") or ()
    schema = (body.get("response_format") or {}).get("json_schema", {}).get("schema")
    return Request(
        prompt=None if chat else str(body.get("prompt") or ""),
        messages=body.get("messages") if chat else None,
        stop=(stop,) if isinstance(stop, str) else tuple(stop),
        max_tokens=int(body.get("max_tokens") or 80),
        temperature=float(body.get("temperature", 0.7)),
        seed=body.get("seed"),
        json_schema=schema,
    )


def _chunk(kind: str, model: str, text: str | None, finish: str | None, usage: Usage | None = None) -> bytes:
    """One server-sent event shaped as the OpenAI API shapes it; ``text`` None for the usage-only chunk."""
    chat = kind == "chat"
    choice: dict[str, Any] = {"index": 0, "finish_reason": finish}
    if chat:
        choice["delta"] = {"content": text} if text else {}
    else:
        choice["text"] = text or ""
    payload: dict[str, Any] = {
        "id": f"cmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion.chunk" if chat else "text_completion",
        "created": int(time.time()),
        "model": model,
        "choices": [] if text is None and finish is None else [choice],
    }
    if usage is not None:
        total = usage.prompt_tokens + usage.completion_tokens
        payload["usage"] = {
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "total_tokens": total,
        }
    return f"data: {json.dumps(payload)}\n\n".encode()


def make_app(backend: LocalBackend) -> web.Application:
    async def complete(request: web.Request) -> web.StreamResponse:
        kind = "chat" if request.path.endswith("/chat/completions") else "text"
        try:
            body = await request.json()
            wanted = _request(body, chat=kind == "chat")
        except (ValueError, TypeError, AttributeError) as exc:
            return _error(400, f"not a completion request: {exc}")
        if not body.get("stream"):
            return _error(400, "this service only streams: send stream: true")
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        pieces = cast(AsyncGenerator[Piece, None], backend.stream(wanted))  # closed below, to stop the model
        try:
            first = await anext(pieces, None)  # an error before the first piece is still an HTTP status
        except BackendError as exc:
            return _error(500, str(exc))
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        usage = Usage()
        try:
            await response.prepare(request)
            piece = first
            while piece is not None:
                if piece.text:
                    await response.write(_chunk(kind, backend.model, piece.text, None))
                usage = piece.usage or usage
                piece = await anext(pieces, None)
        except BackendError as exc:
            await response.write(f"data: {json.dumps({'error': {'message': str(exc)}})}\n\n".encode())
            return response
        except ConnectionResetError:  # the session stopped listening: closing the stream stops the model
            return response
        finally:
            await pieces.aclose()
        finish = "length" if usage.completion_tokens >= wanted.max_tokens else "stop"
        await response.write(_chunk(kind, backend.model, "", finish))
        if include_usage:
            await response.write(_chunk(kind, backend.model, None, None, usage))
        await response.write(b"data: [DONE]\n\n")
        return response

    app = web.Application()
    app.router.add_post("/v1/completions", complete)
    app.router.add_post("/v1/chat/completions", complete)
    return app


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": {"message": message, "type": "server_error"}}, status=status)


async def _serve(backend: LocalBackend) -> None:
    await generate(backend, Request(prompt="Hello", max_tokens=1))  # load the model before saying we serve
    runner = web.AppRunner(make_app(backend), access_log=None)
    await runner.setup()
    listening = socket.create_server((HOST, 0))  # port 0: the system picks a free one
    await web.SockSite(runner, listening).start()
    port = listening.getsockname()[1]
    print(f"{READY}http://{HOST}:{port}/v1", flush=True)
    closed = asyncio.Event()
    loop = asyncio.get_running_loop()

    def watch_stdin() -> None:
        sys.stdin.read()
        loop.call_soon_threadsafe(closed.set)

    threading.Thread(target=watch_stdin, name="sparring-service-stdin", daemon=True).start()
    await closed.wait()
    await runner.cleanup()


@dataclass(frozen=True)
class Service:
    url: str
    """The base URL for an OpenAI client, ending in /v1."""
    pid: int


@contextmanager
def running_service(model: str | None, threads: int | None, context: int) -> Iterator[Service]:
    """Start the service in its own process for as long as the block runs."""
    command = [sys.executable, "-m", "simulator.llm.service", "--context", str(context)]
    if model:
        command += ["--model", model]
    if threads:
        command += ["--threads", str(threads)]
    # Its own session: Ctrl+C on serve reaches serve, which then closes the service's input.
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        yield Service(_read_url(process), process.pid)
    finally:
        with suppress(OSError):
            process.stdin.close()  # the service's signal to stop
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _read_url(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.append(process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(START_TIMEOUT)
    line = found[0] if found else ""
    if not line.startswith(READY):
        process.kill()
        raise BackendError(f"the model service did not start within {START_TIMEOUT:g}s (exit code {process.poll()})")
    return line[len(READY) :].strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--model", type=Path, help="a GGUF file (default: the embedded SmolLM2-135M)")
    parser.add_argument("--threads", type=int, help="llama.cpp threads (default: the free cores less one)")
    parser.add_argument("--context", type=int, default=4096, help="context size in tokens")
    args = parser.parse_args()
    backend = LocalBackend(args.model, args.threads, args.context, saved_states=SavedStates(STATES_LIMIT))
    asyncio.run(_serve(backend))


if __name__ == "__main__":
    main()
