"""One small streaming interface for every model backend (local llama.cpp, OpenAI-compatible, scripted)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class Request:
    """Either a ``prompt`` to continue (transcript framing) or chat ``messages`` (chat framing)."""

    prompt: str | None = None
    messages: list[dict[str, str]] | None = None
    stop: tuple[str, ...] = ()
    max_tokens: int = 80
    temperature: float = 0.7
    seed: int | None = None
    fallback: str = ""
    """The authored line for this turn: what the scripted backend says, and what is used if the model fails."""
    json_schema: dict[str, Any] | None = None
    """Constrain the answer to JSON of this schema (a llama.cpp grammar, or the server's response_format)."""


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass
class Piece:
    """A streamed piece of text; the last piece may carry usage."""

    text: str
    usage: Usage | None = None


class BackendError(Exception):
    """A model call failed in a way the user should hear about (server down, model file missing…)."""


@runtime_checkable
class Backend(Protocol):
    name: str
    framing: str
    """"transcript" (continue a prompt) or "chat" (role-flipped messages)."""

    @property
    def model(self) -> str:
        """The model's name or file, for provenance."""
        ...

    def stream(self, request: Request) -> AsyncIterator[Piece]: ...

    def options(self) -> dict[str, Any]:
        """Settings worth recording as provenance (never secrets)."""
        ...


@dataclass
class Generation:
    text: str = ""
    usage: Usage = field(default_factory=Usage)
    first_token_s: float | None = None
    seconds: float = 0.0


async def generate(backend: Backend, request: Request) -> Generation:
    """Collect a whole streamed answer with timings."""
    start = time.perf_counter()
    out = Generation()
    parts: list[str] = []
    async for piece in backend.stream(request):
        if piece.text and out.first_token_s is None:
            out.first_token_s = time.perf_counter() - start
        parts.append(piece.text)
        if piece.usage:
            out.usage = piece.usage
    out.text = "".join(parts)
    out.seconds = time.perf_counter() - start
    return out
