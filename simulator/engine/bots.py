"""Scripted trainees for headless runs and dry-runs: simple, deterministic, and each bad in its own way.

A bot sees the same events a person would and answers with (text, delay) actions; text None ends the
session. Bots know the scenario (they play a trainee who read the briefing well, or badly).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError

from grading.cues import content_words
from simulator.catalog.models import Fact, Scenario
from simulator.catalog.yamlfile import read_yaml
from transcripts.format import Event

Action = tuple[str | None, float]

GREETING = {
    "en": "Hi, I'm sorry, that sounds really frustrating: \"{quote}\". Let's sort it out together.",
    "ru": "Здравствуйте! Очень жаль, понимаю, как это неприятно: «{quote}». Давайте разберёмся вместе.",
}
ASK = {"en": "Could you tell me the {label}?", "ru": "Подскажите, пожалуйста, {label}?"}
THANKS = {"en": "Thank you, that helps.", "ru": "Спасибо, это помогает."}
CANNED = {
    "en": [
        "Thank you for contacting us. We apologize for any inconvenience.",
        "Our specialists are working on it. Thank you for your patience.",
        "Please be advised that your request has been forwarded. Have a nice day!",
    ],
    "ru": [
        "Спасибо за обращение! Приносим извинения за доставленные неудобства.",
        "Наши специалисты уже работают над решением. Спасибо за ожидание.",
        "Ваше обращение передано. Ожидайте, пожалуйста. Хорошего дня!",
    ],
}


class Agent(Protocol):
    def on_event(self, event: Event) -> list[Action]: ...


def _typing(text: str) -> float:
    """A trainee types about 8 characters a second after a short read."""
    return 3.0 + len(text) / 8


class _ScenarioBot:
    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.lang = scenario.language
        self.heard = ""
        self.greeted = False
        self.to_ask: list[Fact] = [f for f in scenario.facts.hidden if f.required]

    def question(self, fact: Fact) -> str:
        return fact.question or ASK[self.lang].format(label=fact.label)

    def greeting(self) -> str:
        words = sorted(content_words(self.heard, self.lang), key=len, reverse=True)
        quote = next((c for c in self.scenario.opening if words and words[0] in c.casefold()), self.scenario.opening[0])
        return GREETING[self.lang].format(quote=quote.rstrip(".!?"))

    def good_reply(self) -> str:
        parts = []
        if not self.greeted:
            self.greeted = True
            parts.append(self.greeting())
        else:
            parts.append(THANKS[self.lang])
        if self.to_ask:
            parts.append(self.question(self.to_ask.pop(0)))
        else:
            parts.append(self.scenario.resolutions[0].example)
        return " ".join(parts)

    def on_event(self, event: Event) -> list[Action]:
        if event.role == "customer" and event.type == "message":
            self.heard += " " + (event.text or "")
            return self.react(event)
        return []

    def react(self, event: Event) -> list[Action]:
        raise NotImplementedError


class GoodBot(_ScenarioBot):
    """Greets, acknowledges, asks for every required fact, then offers the resolution."""

    def react(self, event: Event) -> list[Action]:
        if not event.final:
            return []
        text = self.good_reply()
        return [(text, _typing(text))]


class InterrupterBot(_ScenarioBot):
    """Says the right things, but answers after the first chunk of every turn."""

    def __init__(self, scenario: Scenario):
        super().__init__(scenario)
        self.answered_turn = False

    def react(self, event: Event) -> list[Action]:
        if self.answered_turn:
            self.answered_turn = not event.final
            return []
        self.answered_turn = not event.final
        return [(self.good_reply(), 0.5)]


class HastyBot(_ScenarioBot):
    """Proposes the fix before asking anything."""

    def react(self, event: Event) -> list[Action]:
        if not event.final:
            return []
        text = self.scenario.resolutions[0].example
        return [(text, _typing(text))]


class CannedBot(_ScenarioBot):
    """Answers every turn with a template."""

    def __init__(self, scenario: Scenario):
        super().__init__(scenario)
        self.replies = [*scenario.templates, *CANNED[self.lang]]
        self.turn = 0

    def react(self, event: Event) -> list[Action]:
        if not event.final:
            return []
        text = self.replies[self.turn % len(self.replies)]
        self.turn += 1
        return [(text, _typing(text))]


BOTS: dict[str, Callable[[Scenario], Agent]] = {
    "good": GoodBot,
    "canned": CannedBot,
    "interrupter": InterrupterBot,
    "hasty": HastyBot,
}


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    say: str = Field(min_length=1)
    when: Literal["after_turn", "now", "after_chunk"] = "after_turn"
    """after_turn: once the customer finishes a turn; after_chunk: after any customer message; now: at once."""
    delay: float = Field(default=0.0, ge=0, le=3600)
    """Seconds to wait after the trigger before sending."""


class Script(RootModel[Annotated[list[Step], Field(min_length=1)]]):
    """An agent script: a YAML list of steps."""


def load_script(path: Path) -> list[Step]:
    doc = read_yaml(path)
    try:
        return Script.model_validate(doc.data).root
    except ValidationError as exc:
        first = exc.errors()[0]
        raise doc.error(tuple(first["loc"]), first["msg"]) from None


class ScriptedAgent:
    """Plays an agent script step by step; after the last step it lets the customer answer, then ends."""

    def __init__(self, steps: list[Step]):
        self.steps = list(steps)
        self.done = False

    def on_event(self, event: Event) -> list[Action]:
        if event.role != "customer" or event.type != "message":
            return []
        if not self.steps:
            if event.final and not self.done:
                self.done = True
                return [(None, 0.0)]
            return []
        actions: list[Action] = []
        delay = 0.0
        while self.steps:
            step = self.steps[0]
            # One customer message answers at most one waiting step; only "now" steps follow at once.
            if step.when != "now" and (actions or (step.when == "after_turn" and not event.final)):
                break
            self.steps.pop(0)
            delay += step.delay
            actions.append((step.say, delay))
        return actions
