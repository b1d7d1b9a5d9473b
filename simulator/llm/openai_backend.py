"""Any OpenAI-compatible server (the OpenAI API, llama.cpp's server, vLLM, Ollama…) through the official SDK.

The SDK does the HTTP, the SSE parsing, the timeouts and the bounded retries (connection errors, 408, 409,
429 and 5xx, with backoff); this module turns its chunks into Pieces and its many exceptions into one
BackendError whose line tells the user what to do.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit, urlunsplit

from simulator.llm.base import BackendError, Piece, Request, Usage

if TYPE_CHECKING:
    import openai
    from openai.types.chat import ChatCompletionMessageParam

OPENAI_URL = "https://api.openai.com/v1"
MAX_STOP = 4
"""The OpenAI API rejects more than four stop strings: the first four are kept, so put the key ones first."""
PLACEHOLDER_KEY = "sk-no-key"
"""Sent to local servers that need no key: the SDK refuses to start without one."""
FRAMINGS = ("chat", "transcript")
_RETRIED = (408, 409, 429)  # and every 5xx: the statuses the SDK retries by itself
_SURROGATE = re.compile("[\ud800-\udfff]")


def chunk_limit(max_tokens: int) -> int:
    """Chunks read for one answer before the server is taken to ignore ``max_tokens``: about one a token, plus
    slack for role, finish and usage chunks and servers that split a token. Without it a server that never
    stops would hold the turn forever, since the timeout only bounds the silence between chunks."""
    return 2 * max_tokens + 16


def public_url(url: str) -> str:
    """The URL without user:password@ or a query string, which may hold credentials."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def is_local(url: str) -> bool:
    """A server on this machine or the local network, where a key is usually not needed."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return bool(host) and "." not in host  # a bare name such as a Docker Compose service
    return ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_unspecified


def _one_line(text: object, limit: int = 300) -> str:
    """Server messages can be multi-line or a whole HTML error page: keep one short line."""
    line = re.sub(r"\s+", " ", str(text)).strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


class OpenAIBackend:
    name = "openai"

    def __init__(
        self,
        base_url: str | None,
        model: str,
        api_key: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
        framing: str = "chat",
        read_ahead: bool = False,
    ):
        """``read_ahead``: ``warm`` has the server read the chat while the trainee types. Only for a server whose
        prompt cache makes that pay (Sparring's model service, a local llama-server): it is one more request a
        turn, which a paid API would bill for."""
        if framing not in FRAMINGS:
            raise ValueError(f"framing must be one of {FRAMINGS}, not {framing!r}")
        self.base_url = base_url or OPENAI_URL  # explicit, or the SDK reads OPENAI_BASE_URL itself
        self.model = model
        self.timeout = timeout
        self.max_retries = max_retries
        self.framing = framing
        self.read_ahead = read_ahead
        self._api_key = api_key
        # Imported now, at start-up, not on the first line, where it would stall the event loop ~0.3 s.
        import openai  # noqa: F401

    @property
    def url(self) -> str:
        return public_url(self.base_url)

    def options(self) -> dict[str, Any]:
        return {"base_url": self.url, "framing": self.framing, "timeout": self.timeout, "max_retries": self.max_retries}

    def _client(self) -> openai.AsyncOpenAI:
        key = self._api_key or (PLACEHOLDER_KEY if is_local(self.base_url) else None)
        if not key:
            raise BackendError(
                f"no API key for the model server at {self.url}: set SPARRING_API_KEY "
                "or OPENAI_API_KEY (any value for a server that needs none)"
            )
        import openai

        return openai.AsyncOpenAI(
            base_url=self.base_url, api_key=key, timeout=self.timeout, max_retries=self.max_retries
        )

    async def stream(self, request: Request) -> AsyncIterator[Piece]:
        import openai

        chat = request.messages is not None
        params: dict[str, Any] = {
            "model": self.model,
            "stream_options": {"include_usage": True},
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        }
        if request.stop:
            params["stop"] = list(request.stop[:MAX_STOP])
        if request.seed is not None:
            params["seed"] = request.seed
        if request.json_schema is not None and chat:
            params["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": request.json_schema, "strict": True},
            }
        count = 0
        chunks = 0
        finished = False
        usage: Usage | None = None
        # A client per answer: pooled connections belong to the event loop that opened them, and one left open
        # when its loop ends leaks sockets. Closing it (also on aclose() or cancellation) drops the HTTP
        # response, so the server stops generating; a new connection per turn is cheap next to generation.
        async with self._client() as client:
            try:
                sdk_stream: Any  # the SDK's two stream types share what is used below
                if chat:
                    messages = cast("list[ChatCompletionMessageParam]", request.messages)
                    sdk_stream = await client.chat.completions.create(messages=messages, stream=True, **params)
                else:
                    sdk_stream = await client.completions.create(prompt=request.prompt or "", stream=True, **params)
            except openai.OpenAIError as exc:
                raise self._error(exc, midway=False) from exc
            async with sdk_stream:
                try:
                    async for chunk in sdk_stream:
                        chunks += 1
                        if chunks > chunk_limit(request.max_tokens):
                            finished = True  # cut where max_tokens should have; closing the stream stops the server
                            break
                        text, done, reported = self._read(chunk, chat)
                        finished, usage = finished or done, reported or usage
                        if text:
                            count += 1
                            yield Piece(text)
                except openai.OpenAIError as exc:
                    raise self._error(exc, midway=True) from exc
                except ValueError as exc:  # a data: line that is not JSON (or not UTF-8)
                    raise self._malformed(exc) from exc
        if not finished:
            # A proxy or server that dies between chunks can end the body cleanly: only finish_reason proves
            # the answer is whole.
            raise BackendError(
                f"the model server at {self.url} cut the answer off mid-stream "
                f"(after {count} pieces, no finish reason); try again"
            )
        yield Piece("", usage or Usage(0, count))  # best effort when the server does not report usage

    async def warm(self, prompt: str) -> None:
        """Have the server read ``prompt`` now, while nobody waits (transcript framing): a one-token completion,
        which servers that keep a prompt cache (Sparring's model service, llama-server, vLLM with prefix
        caching) have ready when the real request comes. Only when asked to read ahead."""
        if not self.read_ahead:
            return
        async for _ in self.stream(Request(prompt=prompt, max_tokens=1, temperature=0.0)):
            pass

    def _read(self, chunk: Any, chat: bool) -> tuple[str, bool, Usage | None]:
        """A chunk's text, whether it ends the answer, and the usage it reports."""
        try:
            reported = chunk.usage
            usage = Usage(reported.prompt_tokens or 0, reported.completion_tokens or 0) if reported else None
            texts = [
                ((choice.delta and choice.delta.content) if chat else choice.text) or ""
                for choice in chunk.choices or ()
            ]
            done = any(choice.finish_reason is not None for choice in chunk.choices or ())
            odd = next((text for text in texts if not isinstance(text, str)), None)
            if odd is not None:
                raise TypeError(f"the text is not a string: {odd!r}")
        except (AttributeError, TypeError) as exc:  # JSON, but not shaped like a completion chunk
            raise self._malformed(exc) from exc
        # JSON can escape a lone UTF-16 surrogate, which no UTF-8 file, database or terminal accepts.
        return _SURROGATE.sub("\ufffd", "".join(texts)), done, usage

    def _malformed(self, exc: Exception) -> BackendError:
        return BackendError(
            f"the model server at {self.url} sent a malformed stream chunk ({_one_line(exc)}); is it OpenAI-compatible?"
        )

    def _error(self, exc: Exception, *, midway: bool) -> BackendError:
        import openai

        url = self.url
        if isinstance(exc, openai.APITimeoutError):
            if midway:
                return BackendError(
                    f"the model server at {url} went silent mid-answer for {self.timeout:g}s "
                    "(raise SPARRING_TIMEOUT if it is just slow)"
                )
            if type(exc.__cause__).__name__ == "ConnectTimeout":
                return BackendError(
                    f"cannot reach the model server at {url}: no connection within "
                    f"{self.timeout:g}s (is it running? set SPARRING_BASE_URL)"
                )
            tries = f" ({self.max_retries + 1} tries)" if self.max_retries else ""
            return BackendError(
                f"the model server at {url} timed out: no answer within {self.timeout:g}s"
                f"{tries} (raise SPARRING_TIMEOUT if it is just slow)"
            )
        if isinstance(exc, openai.APIConnectionError):
            cause = _one_line(exc.__cause__ or exc.message)
            if midway:
                return BackendError(f"the model server at {url} cut the answer off mid-stream: {cause}")
            if type(exc.__cause__).__name__ == "ConnectError":
                return BackendError(
                    f"cannot reach the model server at {url}: {cause} (is it running? set SPARRING_BASE_URL)"
                )
            return BackendError(
                f"the model server at {url} closed the connection without answering: {cause} "
                "(is SPARRING_BASE_URL an OpenAI-compatible server?)"
            )
        if isinstance(exc, openai.APIStatusError):
            code = exc.status_code
            body = exc.body
            message = body.get("message") if isinstance(body, dict) else body
            line = f"the model server at {url} answered HTTP {code}"
            if message:
                line += f": {_one_line(message)}"
            if code == 401:
                return BackendError(f"{line} (check the key: set SPARRING_API_KEY or OPENAI_API_KEY)")
            if code == 403:
                return BackendError(f"{line} (does the key give access to model {self.model!r}?)")
            if code == 404:
                return BackendError(
                    f"{line} (check SPARRING_MODEL={self.model!r} and that SPARRING_BASE_URL ends in /v1)"
                )
            if (code in _RETRIED or code >= 500) and self.max_retries:
                retries = "retry" if self.max_retries == 1 else "retries"
                return BackendError(f"{line} (gave up after {self.max_retries} {retries})")
            return BackendError(line)
        if isinstance(exc, openai.APIError):  # an error event inside the stream
            return BackendError(f"the model server at {url} failed mid-answer: {_one_line(exc.message)}")
        return BackendError(f"the OpenAI client failed for {url}: {_one_line(exc)}")
