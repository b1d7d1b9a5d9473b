"""A deterministic backend: says the authored line, or replies queued by a test; can type slowly."""

from __future__ import annotations

import asyncio
import re
from collections import deque
from collections.abc import AsyncIterator, Iterable
from typing import Any

from simulator.llm.base import Piece, Request, Usage


class ScriptedBackend:
    name = "scripted"
    model = "line-bank"
    framing = "transcript"

    def __init__(self, replies: Iterable[str] = (), delay: float = 0.0):
        self.replies = deque(replies)
        self.delay = delay
        """Seconds between streamed words, to imitate a slow model."""
        self.requests: list[Request] = []

    async def stream(self, request: Request) -> AsyncIterator[Piece]:
        self.requests.append(request)
        text = self.replies.popleft() if self.replies else request.fallback
        pieces = re.findall(r"\S+\s*", text) or [""]
        for i, piece in enumerate(pieces):
            if self.delay:
                await asyncio.sleep(self.delay)
            last = i == len(pieces) - 1
            yield Piece(piece, Usage(0, len(pieces)) if last else None)

    def options(self) -> dict[str, Any]:
        return {"delay": self.delay} if self.delay else {}
