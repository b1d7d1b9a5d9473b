"""The orchestrator: runs one practice session and yields transcript events as they happen.

The TUI, the headless ``sparring simulate`` and the tests all drive it the same way: iterate ``run()``
and call ``say()`` whenever the agent sends something, even while the customer is still typing (that
is an interruption, and the customer reacts to it). Nothing here knows whether a person or a bot types.
"""

from __future__ import annotations

import asyncio
import math
import random
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from simulator.catalog.models import Persona, Scenario
from simulator.engine.actor import Actor
from simulator.engine.audit import audit
from simulator.engine.clock import Clock, Sent
from simulator.engine.difficulty import level_for
from simulator.engine.director import AgentMessage, Decision, Director
from simulator.i18n import t
from simulator.llm.base import Backend
from simulator.vocabulary import Outcome
from transcripts.format import Event, EventType, Role, Transcript

REPLY_PAUSE = 1.5
"""Seconds the customer waits after an agent message in case another follows."""
THINK = 0.6
"""Seconds before the customer starts typing a chunk."""


class Session:
    def __init__(
        self,
        scenario: Scenario,
        persona: Persona,
        backend: Backend,
        clock: Clock,
        seed: int = 0,
        session_id: str | None = None,
        difficulty: int | None = None,
    ):
        """``difficulty``: play the scenario at this level (1-5) instead of its own."""
        self.scenario = scenario
        self.persona = persona
        self.clock = clock
        self.level = level_for(scenario, persona, difficulty)
        self.director = Director(scenario, persona, self.level, random.Random(seed + 2))
        self.actor = Actor(backend, persona, scenario, random.Random(seed))
        self.rng = random.Random(seed + 1)
        self.transcript = Transcript(
            id=session_id or uuid.uuid4().hex[:12],
            scenario=scenario.id,
            language=scenario.language,
            meta={
                "persona": persona.id,
                "customer": persona.name.get(scenario.language) or persona.id,
                "temperament": persona.temperament.value,
                "seed": seed,
                "difficulty": self.level.level,
                "backend": backend.name,
                "model": backend.model,
                "options": backend.options(),
                "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            },
        )
        self.ended = False
        self.warming: asyncio.Future[None] | None = None
        """The model reading the conversation while the agent types (see ``Actor.warm``)."""
        self._pending: list[AgentMessage] = []
        self._quiet: float | None = None
        """Seconds the customer will stay away before this turn (decided with the turn's first agent message,
        so the model reads ahead the note it will get); 0 when they won't."""
        self._leftover: list[str] = []

    def resume(self, stored: Transcript) -> None:
        """Continue a stored session (one whose process died): the director and the actor catch up on
        everything said, and the customer answers whatever the agent said last."""
        self.transcript = stored.model_copy(deep=True)
        self.transcript.events = [e for e in self.transcript.events if e.type != "end"]
        self.director.catch_up(self.transcript)
        turn: list[str] = []
        for event in self.transcript.messages():
            if event.role == "agent":
                self.actor.heard_agent(event.text or "")
                continue
            turn.append(event.text or "")
            if event.final:
                self.actor.said(" ".join(turn))
                turn = []
        last_customer = max((e.seq for e in self.transcript.messages("customer")), default=0)
        self._pending = [AgentMessage(e.text or "") for e in self.transcript.messages("agent") if e.seq > last_customer]

    # The agent's side: callable at any moment, from any task on the loop.
    def say(self, text: str, delay: float = 0.0, meta: dict[str, Any] | None = None) -> None:
        """``meta`` is recorded with the message (what the live coach showed, say)."""
        if not self.ended and text.strip():
            self.clock.send(text.strip(), delay, meta)

    def finish(self, delay: float = 0.0) -> None:
        """The agent ends the session (after anything already sent)."""
        self.clock.send(None, delay)

    async def run(self) -> AsyncIterator[Event]:
        if not self.transcript.messages("customer"):  # new, or killed before the opening was stored
            typing = self._open_turn()
            yield typing
            # The opening message was written before the chat began: it arrives at once, the rest is typed.
            opening = list(self.scenario.opening)
            async for event in self._deliver(opening, self._provenance_authored(), typing.t, True):
                yield event
            self.actor.said(" ".join(opening))
            self._warm()
        last_customer = self.clock.now()
        while not self.ended:
            if not self._pending:
                sent = await self.clock.next_message(last_customer + self.scenario.end.silence_seconds)
                if sent is None:
                    async for event in self._turn(self.director.silence()):
                        yield event
                    last_customer = self.clock.now()
                    continue
                if sent.text is None:
                    yield self._end("unfinished", reason="agent_ended")
                    return
                yield self._agent(sent, interruption=False)
            # Give the agent a moment to add to what they sent before the customer answers.
            async for event in self._more():
                yield event
            back = bool(self._quiet)
            if back:
                # The customer is away for a while; whatever the agent sends meanwhile waits for them.
                away = self.clock.now() + (self._quiet or 0.0)
                async for event in self._more(until=away):
                    yield event
            if self.ended:
                return
            messages, self._pending, self._quiet = self._pending, [], None
            async for event in self._turn(self.director.react(messages, back=back)):
                yield event
            last_customer = self.clock.now()

    async def _more(self, until: float | None = None) -> AsyncIterator[Event]:
        """What the agent adds until the deadline (by default, a reply pause after their latest message), or their
        ending the session."""
        while not self.ended:
            more = await self.clock.next_message(self.clock.now() + REPLY_PAUSE if until is None else until)
            if more is None:
                return
            if more.text is None:
                yield self._end("unfinished", reason="agent_ended")
                return
            yield self._agent(more, interruption=False)

    async def _turn(self, decision: Decision) -> AsyncIterator[Event]:
        typing = self._open_turn()
        yield typing
        began = self.transcript.events[0].t if self.transcript.events else self.clock.now()
        self.actor.waited = self.clock.now() - began
        spoken = await self.actor.speak(decision)
        if not decision.end:
            self._warm()
        chunks = self._chunks(spoken.text)
        # What the customer was saying when interrupted comes after the reaction, or before a last word: a
        # fact the director counts as told is always shown.
        chunks = self._leftover + chunks if decision.end else chunks + self._leftover
        self._leftover = []
        self.director.hear(spoken.text)
        provenance = {
            **spoken.provenance,
            "patience": decision.patience,
            "mood": decision.mood,
            "reasons": decision.reasons,
        }
        if decision.behaviours:
            provenance["behaviours"] = [str(b) for b in decision.behaviours]
        if decision.unanswered:
            provenance["unanswered"] = decision.unanswered
        if "error" in spoken.provenance:
            error = spoken.provenance["error"]
            note = t("note.model_unavailable", error=error)
            yield self._emit("system", "note", note, meta={"code": "model_unavailable", "error": error})
        async for event in self._deliver(chunks, provenance, since=typing.t):
            yield event
        if decision.end:
            yield self._end(decision.end)

    def _warm(self, direction: str | None = None) -> None:
        # The model reads each new line while nobody waits for it: the customer's while it is typed out,
        # the agent's (with the note the director would add) during the reply pause.
        self.warming = self.actor.warm(direction)

    def _open_turn(self) -> Event:
        return self._emit("customer", "typing")

    async def _deliver(
        self, chunks: list[str], provenance: dict[str, Any], since: float, pretyped: bool = False
    ) -> AsyncIterator[Event]:
        """Type out a turn chunk by chunk; an agent message meanwhile interrupts it.

        ``since`` is when the typing indicator went up: time the model spent counts as typing time.
        ``pretyped``: the first chunk was written before the chat, so it needs no typing time.
        """
        for i, chunk in enumerate(chunks):
            if i:
                indicator = self._emit("customer", "typing")
                since = indicator.t
                yield indicator
            typing = 0.0 if pretyped and i == 0 else len(chunk) / self.persona.speech.typing_cps
            due = since + THINK + typing
            interrupted = False
            while (sent := await self.clock.next_message(due)) is not None:
                if sent.text is None:
                    self.clock.send(None)  # finish after this turn
                    break
                interrupted = True
                yield self._agent(sent, interruption=True)
            final = interrupted or i == len(chunks) - 1
            meta = {**provenance, "chunk": i}
            yield self._emit("customer", "message", chunk, final=final, meta=meta)
            if interrupted:
                self._leftover = chunks[i + 1 :]
                break

    def _chunks(self, text: str) -> list[str]:
        sentences = [s for s in _sentences(text) if s]
        if not sentences:
            return [text]
        low, high = (min(6, n + self.level.chunks) for n in self.persona.speech.chunks)
        count = max(1, min(len(sentences), self.rng.randint(low, high)))
        size = math.ceil(len(sentences) / count)
        return [" ".join(sentences[i : i + size]) for i in range(0, len(sentences), size)]

    def _agent(self, sent: Sent, interruption: bool) -> Event:
        text = sent.text or ""
        self._pending.append(AgentMessage(text, interruption))
        self.actor.heard_agent(text)
        if self._quiet is None:
            self._quiet = self.director.goes_quiet() or 0.0
        self._warm(self.actor.direction(self.director.preview(self._pending, back=bool(self._quiet))))
        meta = {**sent.meta, "interruption": True} if interruption else dict(sent.meta)
        return self._emit("agent", "message", text, meta=meta, t=sent.t)

    def _end(self, outcome: Outcome, reason: str | None = None) -> Event:
        self.ended = True
        self.transcript.meta.update(
            outcome=outcome,
            patience=self.director.patience,
            facts_learned=sorted(self.director.said),
            audit=audit(self.transcript, self.scenario),
        )
        return self._emit("system", "end", outcome, meta={"reason": reason} if reason else {})

    def _provenance_authored(self) -> dict[str, Any]:
        return {
            "backend": "scenario",
            "intents": ["opening"],
            "fallback": False,
            "patience": self.director.patience,
            "mood": self.director.mood,
        }

    def _emit(
        self,
        role: Role,
        kind: EventType,
        text: str | None = None,
        final: bool = True,
        meta: dict[str, Any] | None = None,
        t: float | None = None,
    ) -> Event:
        events = self.transcript.events
        now = max(t if t is not None else self.clock.now(), events[-1].t if events else 0.0)
        event = Event(
            seq=len(events) + 1, t=round(now, 3), role=role, type=kind, text=text, final=final, meta=meta or {}
        )
        events.append(event)
        return event


def _sentences(text: str) -> list[str]:
    # A new sentence starts with a capital, a digit or a quote, so "ул. Ленина" stays whole.
    return [s.strip() for s in re.split(r"(?<=[.!?…])\s+(?=[A-ZА-ЯЁ0-9«\"“])", text.strip())]
