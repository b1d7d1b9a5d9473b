"""A small, real OpenAI-compatible HTTP server for tests, with faults on demand.

Serves ``POST /v1/chat/completions`` and ``POST /v1/completions`` (streamed as SSE with chunked encoding, as
real servers do, or whole) and ``GET /v1/models`` on 127.0.0.1. Replies come from ``reply()``'s queue (one
per answered request, else ``DEFAULT_REPLY``), streamed a word at a time; ``max_tokens`` counts words and
cuts the reply with finish_reason "length". Faults from ``fail()`` are consumed one per request:

- ``"refuse"``: read the request, close the socket without answering;
- ``"timeout"``: answer nothing for ``stall`` seconds (cut short at shutdown), then close;
- an HTTP status (``429``, ``500``, ``503``, ``401``…): an OpenAI-style JSON error;
- ``"cut"``: stream half the words, then drop the connection mid-body, without finish or ``[DONE]``;
- ``"truncated"``: stream half the words, then end the body cleanly, without finish or ``[DONE]``;
- ``"malformed"``: a ``data:`` line that is not JSON after the first word;
- ``"wrongtype"``: a chunk whose text is a number, not a string, after the first word;
- ``"surrogate"``: a lone UTF-16 surrogate (valid JSON, invalid Unicode) after the first word;
- ``"error"``: an error event after the first word, then the end of the stream (as llama.cpp does);
- ``"empty"``: a well-formed stream with no content;
- ``"long"``: ``long_words`` words;
- ``"flood"``: ``long_words`` words, ignoring ``max_tokens`` as some servers do.

A ``None`` in the queue answers one request normally, so a schedule can place faults on chosen requests. Every
request records the fault it got. Requests that fail with a status or before answering leave the reply queue
alone, so a retry gets the reply.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

DEFAULT_REPLY = "My internet is still down."
MODEL = "sparring-test-model"
MALFORMED = b"data: {this is not json\n\n"
ERRORS = {
    400: ("invalid_request_error", "Bad request."),
    401: ("invalid_request_error", "Incorrect API key provided."),
    403: ("permission_denied", "You do not have access to this model."),
    404: ("invalid_request_error", "The model does not exist."),
    429: ("rate_limit_exceeded", "Rate limit reached for requests."),
    500: ("server_error", "The server had an error while processing your request."),
    503: ("server_error", "The engine is currently overloaded, please try again later."),
}


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: Any = None
    """The parsed JSON body (None for GET)."""
    fault: str | int | None = None
    """The fault played on this request, if any."""


@dataclass
class OpenAIServer:
    retry_after_ms: int | None = 10
    """Sent with 429 and 5xx so the SDK's retries wait milliseconds instead of its ~0.5 s backoff."""
    stall: float = 5.0
    """How long a ``"timeout"`` fault keeps the client waiting (shutdown cuts it short)."""
    long_words: int = 5000
    delay: float = 0.0
    """Seconds between streamed words, to catch a client mid-stream."""
    report_usage: bool = True
    """Honour ``stream_options.include_usage`` (some servers do not)."""
    replies: deque[str] = field(default_factory=deque)
    faults: deque[str | int | None] = field(default_factory=deque)
    requests: list[Received] = field(default_factory=list)
    aborted: int = 0
    """Streams the client hung up on before the end."""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="openai-test-server", daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def reply(self, *texts: str) -> None:
        self.replies.extend(texts)

    def fail(self, *faults: str | int | None) -> None:
        self.faults.extend(faults)

    @property
    def injected(self) -> list[str | int]:
        """The faults played so far, in order."""
        with self._lock:
            return [r.fault for r in self.requests if r.fault is not None]

    def wait_aborted(self, count: int = 1, timeout: float = 3.0) -> bool:
        deadline = time.monotonic() + timeout
        while self.aborted < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.aborted >= count

    def close(self) -> None:
        """Stop accepting, wake stalled handlers, hang up on open connections and join every thread."""
        self._stopping.set()
        self._httpd.shutdown()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with self._httpd.track_lock:
                open_ = dict(self._httpd.open)
            if not open_:
                break
            for sock, thread in open_.items():
                with contextlib.suppress(OSError):  # unblocks a handler waiting on a keep-alive connection
                    sock.shutdown(socket.SHUT_RDWR)
                thread.join(timeout=max(0.0, deadline - time.monotonic()))
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> OpenAIServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Used by the handler threads.

    def _record(self, received: Received) -> str | int | None:
        with self._lock:
            self.requests.append(received)
            received.fault = self.faults.popleft() if self.faults else None
            return received.fault

    def _next_reply(self) -> str:
        with self._lock:
            return self.replies.popleft() if self.replies else DEFAULT_REPLY


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: OpenAIServer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.track_lock = threading.Lock()
        self.open: dict[socket.socket, threading.Thread] = {}
        super().__init__(*args, **kwargs)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self.track_lock:
            self.open[request] = threading.current_thread()
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.track_lock:
                self.open.pop(request, None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # hang-ups are the point of several faults
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked streaming, like real servers
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        if self._fault(self._record(None)):
            return
        if self.path.rstrip("/") == "/v1/models":
            self._json(
                200,
                {
                    "object": "list",
                    "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "sparring-tests"}],
                },
            )
        else:
            self._error(404, f"Unknown path {self.path}")

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            self._record(raw.decode("utf-8", "replace"))
            self._error(400, "The request body is not valid JSON.")
            return
        fault = self._record(body)
        if self._fault(fault):
            return
        if self.path not in ("/v1/chat/completions", "/v1/completions") or not isinstance(body, dict):
            self._error(404, f"Unknown path {self.path}")
            return
        self._complete(body, fault)

    def _record(self, body: Any) -> str | int | None:
        headers = {key.lower(): value for key, value in self.headers.items()}
        return self.server.owner._record(Received(self.command, self.path, headers, body))

    def _fault(self, fault: str | int | None) -> bool:
        """Play a fault that replaces the answer; False when there is none or it shapes the answer instead."""
        owner = self.server.owner
        if fault == "refuse":
            self.close_connection = True
        elif fault == "timeout":
            owner._stopping.wait(owner.stall)
            self.close_connection = True
        elif isinstance(fault, int) or (isinstance(fault, str) and fault.isdigit()):
            self._error(int(fault), ERRORS.get(int(fault), ("server_error", f"HTTP {fault}."))[1])
        else:
            return False
        return True

    def _complete(self, body: dict[str, Any], fault: str | int | None) -> None:
        owner = self.server.owner
        chat = self.path == "/v1/chat/completions"
        if fault == "empty":
            text = ""
        elif fault in ("long", "flood"):
            text = None
        else:
            text = owner._next_reply()
        # A long answer is made word by word as it is sent: a million words built first kept the first one
        # back for a second, long enough for a loaded machine's client to time out and retry.
        words: Sequence[str] = re.findall(r"\s*\S+", text) if text is not None else _Words(owner.long_words)
        finish = "stop"
        limit = body.get("max_tokens")
        if isinstance(limit, int) and len(words) > limit and fault != "flood":
            words, finish = list(words[:limit]), "length"
        prompt = (
            " ".join(str(m.get("content", "")) for m in body.get("messages") or [])
            if chat
            else str(body.get("prompt", ""))
        )
        usage = {
            "prompt_tokens": len(prompt.split()),
            "completion_tokens": len(words),
            "total_tokens": len(prompt.split()) + len(words),
        }
        if body.get("stream"):
            options = body.get("stream_options") or {}
            include_usage = bool(options.get("include_usage")) and owner.report_usage
            self._stream(chat, words, finish, usage if include_usage else None, fault)
            return
        result = "".join(words)
        choice: dict[str, Any] = {"index": 0, "logprobs": None, "finish_reason": finish}
        if chat:
            choice["message"] = {"role": "assistant", "content": result}
        else:
            choice["text"] = result
        payload = {
            "id": "cmpl-test",
            "object": "chat.completion" if chat else "text_completion",
            "created": int(time.time()),
            "model": body.get("model", MODEL),
            "choices": [choice],
            "usage": usage,
        }
        if fault == "malformed":
            self._send(200, b"{not json", "application/json")
        elif fault == "cut":
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self._hang_up()
        else:
            self._json(200, payload)

    def _stream(
        self, chat: bool, words: Sequence[str], finish: str, usage: dict[str, int] | None, fault: str | int | None
    ) -> None:
        owner = self.server.owner
        base = {
            "id": "chatcmpl-test" if chat else "cmpl-test",
            "object": "chat.completion.chunk" if chat else "text_completion",
            "created": int(time.time()),
            "model": MODEL,
        }

        def chunk(text: str | None, finish_reason: str | None = None, role: bool = False) -> dict[str, Any]:
            if chat:
                delta: dict[str, Any] = {"role": "assistant"} if role else {}
                if text is not None:
                    delta["content"] = text
                choice: dict[str, Any] = {"index": 0, "delta": delta}
            else:
                choice = {"index": 0, "text": text or ""}
            return {**base, "choices": [{**choice, "logprobs": None, "finish_reason": finish_reason}]}

        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            if chat:
                self._event(chunk("", role=True))
            for i, word in enumerate(words):
                if fault in ("cut", "truncated") and i >= len(words) // 2:
                    break
                if fault == "malformed" and i == 1:
                    self._chunk(MALFORMED)
                if fault == "error" and i == 1:
                    self._event({"error": {"message": "Context size has been exceeded.", "code": 500}})
                    break
                if fault == "wrongtype" and i == 1:
                    self._event(chunk(7))  # type: ignore[arg-type]  # a number where the text belongs
                if fault == "surrogate" and i == 1:
                    self._event(chunk("\ud800"))  # json.dumps escapes it as \ud800
                if owner.delay and owner._stopping.wait(owner.delay):
                    self._hang_up()  # shutting down
                    return
                self._event(chunk(word))
            if fault == "malformed" and len(words) < 2:
                self._chunk(MALFORMED)
            if fault == "cut":
                self._hang_up()
                return
            if fault == "truncated":
                self.wfile.write(b"0\r\n\r\n")
                return
            if fault != "error":
                self._event(chunk(None if chat else "", finish))
            if usage is not None:
                self._event({**base, "choices": [], "usage": usage})
            self._chunk(b"data: [DONE]\n\n")
            self.wfile.write(b"0\r\n\r\n")
        except OSError:  # the client hung up (aclose, cancel, timeout)
            with owner._lock:
                owner.aborted += 1
            self.close_connection = True

    def _event(self, payload: dict[str, Any]) -> None:
        self._chunk(b"data: " + json.dumps(payload).encode() + b"\n\n")

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    def _hang_up(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _error(self, status: int, message: str) -> None:
        kind = ERRORS.get(status, ("server_error", ""))[0]
        payload = {"error": {"message": message, "type": kind, "param": None, "code": kind}}
        headers = {}
        retry_after = self.server.owner.retry_after_ms
        if retry_after is not None and (status == 429 or status >= 500):
            headers["retry-after-ms"] = str(retry_after)
        self._json(status, payload, headers)

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json", headers)

    def _send(self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    """A running server on 127.0.0.1 (``.url`` ends in /v1), shut down and joined at teardown."""
    with OpenAIServer() as server:
        yield server


class _Words(Sequence[str]):
    """``count`` words ("word0 word1 …"), made only as they are read."""

    def __init__(self, count: int):
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.count))]
        if not -self.count <= index < self.count:
            raise IndexError(index)
        index %= self.count
        return f"word{index}" if index == 0 else f" word{index}"
