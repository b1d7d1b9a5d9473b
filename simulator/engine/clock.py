"""Time for a session: real seconds in the TUI, virtual seconds headless (fast, deterministic tests).

The orchestrator waits for "the agent's next message or a deadline, whichever comes first". Agent
messages are timestamped when sent; a virtual clock simply jumps to the earlier of the two.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import time
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(order=True)
class Sent:
    t: float
    order: int
    text: str | None = field(compare=False)
    """None when the agent ended the session."""
    meta: dict[str, Any] = field(default_factory=dict, compare=False)
    """Recorded with the message (e.g. what the live coach showed when it was sent)."""


class Clock(Protocol):
    def now(self) -> float: ...

    def send(self, text: str | None, delay: float = 0.0, meta: dict[str, Any] | None = None) -> None:
        """The agent sends ``text`` now (plus ``delay`` seconds, headless bots only)."""

    async def next_message(self, until: float = math.inf) -> Sent | None:
        """The next agent message sent no later than ``until``, else None once ``until`` has passed."""


class VirtualClock:
    def __init__(self, already: float = 0.0) -> None:
        self._now = already
        self._inbox: list[Sent] = []
        self._order = itertools.count()

    def now(self) -> float:
        return self._now

    def send(self, text: str | None, delay: float = 0.0, meta: dict[str, Any] | None = None) -> None:
        heapq.heappush(self._inbox, Sent(self._now + max(0.0, delay), next(self._order), text, meta or {}))

    async def next_message(self, until: float = math.inf) -> Sent | None:
        if self._inbox and self._inbox[0].t <= until:
            sent = heapq.heappop(self._inbox)
            self._now = max(self._now, sent.t)
            return sent
        if math.isinf(until):
            return None  # nobody will ever write: the headless agent is done
        self._now = max(self._now, until)
        return None


class RealClock:
    def __init__(self, already: float = 0.0) -> None:
        """``already``: seconds the session had run before (when it is resumed)."""
        self._start = time.monotonic() - already
        self._inbox: asyncio.Queue[Sent] = asyncio.Queue()
        self._order = itertools.count()

    def now(self) -> float:
        return time.monotonic() - self._start

    def send(self, text: str | None, delay: float = 0.0, meta: dict[str, Any] | None = None) -> None:
        self._inbox.put_nowait(Sent(self.now(), next(self._order), text, meta or {}))

    async def next_message(self, until: float = math.inf) -> Sent | None:
        timeout = None if math.isinf(until) else max(0.0, until - self.now())
        try:
            return await asyncio.wait_for(self._inbox.get(), timeout)
        except TimeoutError:
            return None
