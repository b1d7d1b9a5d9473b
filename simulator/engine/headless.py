"""Play a whole session without a screen: a bot or a script types, on virtual time."""

from __future__ import annotations

from collections.abc import Callable

from simulator.engine.bots import Agent
from simulator.engine.session import Session
from transcripts.format import Event, Transcript


async def play(session: Session, agent: Agent, on_event: Callable[[Event], None] | None = None) -> Transcript:
    async for event in session.run():
        if on_event:
            on_event(event)
        for text, delay in agent.on_event(event):
            if text is None:
                session.finish(delay)
            else:
                session.say(text, delay)
    return session.transcript
