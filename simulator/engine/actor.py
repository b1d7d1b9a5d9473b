"""The actor words the director's decision in character through a model, or falls back to authored lines.

Small local models role-flip in chat format but stay in role continuing a transcript, so the prompt is a
transcript with a bracketed direction before each customer line. It only ever grows (directions stay in
it), so llama.cpp reuses the cached prefix and the time to first token stays flat as the chat grows;
``warm`` lets the backend read new lines before anyone waits for the answer.
Every output is validated; one retry, then the persona's authored line.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
from dataclasses import dataclass, field
from typing import Any

from grading.cues import Phrases, mentions, offers_help, says_ai, words
from simulator.catalog.models import Intent, Persona, Scenario
from simulator.engine.director import Beat, Decision
from simulator.engine.fit import Context, misfit, premature
from simulator.engine.style import styled
from simulator.llm.base import Backend, BackendError, Request, generate

DIRECTIONS: dict[Intent, dict[str, str]] = {
    Intent.complain: {"en": "{name} complains about the problem", "ru": "{name} жалуется на проблему"},
    Intent.reveal: {"en": "{name} gives the {label}: {value}", "ru": "{name} называет {label}: {value}"},
    Intent.dont_know: {"en": "{name} does not know that", "ru": "{name} этого не знает"},
    Intent.clarify: {
        "en": "{name} is not sure what the agent means and asks",
        "ru": "{name} не понимает, о чём спрашивают, и переспрашивает",
    },
    Intent.template_complaint: {
        "en": "{name} is annoyed by the scripted answer",
        "ru": "{name} раздражает шаблонный ответ",
    },
    Intent.let_me_finish: {"en": "{name} was interrupted and wants to finish", "ru": "{name} просит дать договорить"},
    Intent.already_told: {
        "en": "{name} already said it: {value}",
        "ru": "{name} напоминает, что это уже было сказано: {value}",
    },
    Intent.trap_reject: {"en": "{name} rejects the advice: {why}", "ru": "{name} отвергает совет: {why}"},
    Intent.doubt: {
        "en": "{name} doubts the fix, nothing was asked",
        "ru": "{name} сомневается в решении: вопросов не было",
    },
    Intent.nudge: {"en": "{name} demands action", "ru": "{name} требует действий"},
    Intent.waiting: {"en": "{name} asks if anyone is there", "ru": "{name} спрашивает, есть ли кто-то"},
    Intent.calming: {
        "en": "{name} feels heard and calms down a little",
        "ru": "{name} чувствует, что слушают, и немного успокаивается",
    },
    Intent.thanks: {"en": "{name} accepts the solution and thanks them", "ru": "{name} принимает решение и благодарит"},
    Intent.give_up: {"en": "{name} gives up and leaves", "ru": "{name} сдаётся и уходит"},
    Intent.tangent: {"en": "{name} goes off on a tangent", "ru": "{name} отвлекается на постороннее"},
    Intent.false_claim: {
        "en": "{name} claims that step was already done",
        "ru": "{name} уверяет, что этот шаг уже сделан",
    },
    Intent.admit: {
        "en": "{name} admits the step was not actually done",
        "ru": "{name} признаётся, что шаг на самом деле не сделан",
    },
    Intent.not_offered: {
        "en": "{name} asks for something extra, like compensation",
        "ru": "{name} просит чего-то сверх, например компенсацию",
    },
    Intent.manager: {"en": "{name} asks for a manager", "ru": "{name} требует руководителя"},
}
TERSE = {"en": "in two or three words", "ru": "в двух-трёх словах"}
AGENT = {"en": "Agent", "ru": "Оператор"}
HEADER = {
    "en": (
        "A support chat. {name} is the customer, never the agent: {description}\n"
        "{name} writes one or two short lines, never offers help and follows the note in brackets.\n"
    ),
    "ru": (
        "Чат поддержки. {name} — клиент, а не оператор: {description}\n"
        "{name} пишет одну-две короткие фразы, никогда не предлагает помощь и следует пометке в скобках.\n"
    ),
}
SYSTEM = {
    "en": (
        "You are {name}, a customer writing to a support chat. {description} Stay in character: you are "
        "never the agent, never offer help, never say you are an AI. Reply in English, one or two short "
        "sentences, doing what the latest note in brackets says."
    ),
    "ru": (
        "Ты — {name}, клиент, который пишет в чат поддержки. {description} Оставайся в роли: ты никогда не "
        "оператор, не предлагаешь помощь и не говоришь, что ты ИИ. Отвечай по-русски, одной-двумя короткими "
        "фразами, делая то, что сказано в последней пометке в скобках."
    ),
}
SLOT = re.compile(r"{(\w+)}")
"""A slot in an authored line, filled from the conversation."""
AGENT_NAME = {
    "en": re.compile(r"\b(?:[Mm]y name is|I'm|I am|[Tt]his is|[Ii]t's)\s+([A-Z][a-z]{1,15})\b(?![ ']?[a-z])"),
    "ru": re.compile(r"(?:[Мм]еня зовут|[Нн]а связи|[Сс] вами)\s+([А-ЯЁ][а-яё]{1,15})\b"),
}
MAX_CHARS = 320
MAX_TOKENS = {"terse": 24, "short": 48, "medium": 80, "long": 128}
_LABEL = re.compile(r"^\s*([\w ]{1,20}):")
SPEAKERS = frozenset(
    ("agent", "customer", "client", "support", "operator", "assistant", "user", "system", "bot", "manager")
    + ("оператор", "клиент", "поддержка", "поддержки", "ассистент", "пользователь", "система", "бот", "менеджер")
)
"""Words of a speaker's label ("Agent:", "Служба поддержки:"), unlike a label the customer may use ("Адрес: …")."""
_BRACKETS = str.maketrans("[]", "()")


@dataclass
class Spoken:
    text: str
    provenance: dict[str, Any] = field(default_factory=dict)


class Actor:
    def __init__(self, backend: Backend, persona: Persona, scenario: Scenario, rng: random.Random):
        self.backend = backend
        self.persona = persona
        self.scenario = scenario
        self.lang = scenario.language
        self.rng = rng
        self.name = persona.name[self.lang]
        description = persona.description[self.lang]
        framing = backend.framing
        self.chat = framing == "chat"
        head = HEADER[self.lang].format(name=self.name, description=description)
        examples = "".join(f"{self.name}: {line}\n" for line in persona.examples.get(self.lang, []))
        volunteered = "".join(f"({f.label}: {f.value})\n" for f in scenario.facts.volunteered)
        self.prompt = head + volunteered + examples + "\n"
        self.messages: list[dict[str, str]] = [
            {"role": "system", "content": SYSTEM[self.lang].format(name=self.name, description=description)}
        ]
        self._said = {line.casefold() for line in persona.examples.get(self.lang, [])}  # copies are no voice
        self._used: set[str] = set()
        self._values = [f.value for f in scenario.all_facts()]
        self._told: set[str] = set()
        """Facts the director has had the customer give: a hidden value outside them is a leak."""
        self._voice = " ".join(line for bank in persona.lines.values() for line in bank.get(self.lang, []))
        self._agent_last = ""
        """The agent's latest message, which a complaint about a template may quote."""
        self.agent_name: str | None = None
        """The agent's first name, once they give it ("I'm Sam", «меня зовут Анна»)."""
        self.waited = 0.0
        """Seconds since the chat began (the session sets it before each line)."""
        # "Dana gives the…", "Dana complains about…": the model narrating its note instead of speaking.
        size = len(words(self.name)) + 2
        self._narration = Phrases(
            " ".join(words(d[self.lang].format(name=self.name, label="", value="", why=""))[:size])
            for d in DIRECTIONS.values()
        )

    # The history grows only at its end: that is what keeps the model's cached prefix valid.
    def heard_agent(self, text: str) -> None:
        text = _one_line(text)
        self._agent_last = text
        introduced = AGENT_NAME[self.lang].search(text)
        if introduced:
            self.agent_name = introduced.group(1)
        self.prompt += f"{AGENT[self.lang]}: {text}\n"
        if self.messages[-1]["role"] == "user":
            self.messages[-1]["content"] += "\n" + text
        else:
            self.messages.append({"role": "user", "content": text})

    def said(self, text: str, direction: str | None = None) -> None:
        if direction:
            self.prompt += f"[{direction}]\n"
            self.messages.append({"role": "system", "content": f"[{direction}]"})
        self.prompt += f"{self.name}: {text}\n"
        self.messages.append({"role": "assistant", "content": text})
        self._said.add(text.casefold())
        self._told |= {f.id for f in self.scenario.facts.hidden if gives(text, f.value)}

    def warm(self, direction: str | None = None) -> asyncio.Future[None]:
        """Start the backend reading the conversation so far while nobody waits, if it can; with the note
        the customer's next line will most likely get, the whole next prompt."""
        return asyncio.ensure_future(self._read(self.cue(direction) if direction else self.prompt))

    async def _read(self, prompt: str) -> None:
        warm = getattr(self.backend, "warm", None)
        if warm is None or self.chat:
            return
        with contextlib.suppress(BackendError):  # the next line meets the same failure and reports it
            await warm(prompt)

    def direction(self, decision: Decision) -> str:
        said = "; ".join(
            DIRECTIONS[b.intent][self.lang].format(
                name=self.name, label=b.label or "", value=b.value or "", why=b.why or ""
            )
            for b in decision.beats
        )
        return f"{said}, {TERSE[self.lang]}" if decision.terse else said

    def authored(self, decision: Decision) -> str:
        """The persona's own words for these beats, from the scenario's lines or the line bank: a line whose
        slots the conversation can fill ({quote}, {waited}, {agent}…), never one used before in the session
        while another is left, chosen by the session's seeded random generator. A terse customer gives a bare
        value, or the shorter half of the lines."""
        parts = []
        for beat in decision.beats:
            if decision.terse and beat.intent is Intent.reveal and beat.value:
                parts.append(beat.value)
                continue
            slots = self._slots(beat)
            bank = tuple(self.persona.lines[beat.intent][self.lang])
            if decision.terse:
                bank = tuple(sorted(bank, key=len)[: max(1, len(bank) // 2)])
            # The scenario's own lines first; once all are said, the persona's bank rather than a repeat.
            options = [o for o in beat.lines if o not in self._used] or bank
            usable = [o for o in options if set(SLOT.findall(o)) <= slots.keys()] or list(options)
            # A bank line written for any case may happen to name a hidden fact of this one (a neighbour's tangent
            # where the neighbours' internet is the clue): it would give the fact unasked.
            usable = [o for o in usable if not self._gives_unasked(fill(o, slots), beat)] or usable
            if beat.intent is Intent.clarify and beat.label:  # a guess is checked: "My {label}, you mean?"
                usable = [o for o in usable if "{label}" in o] or usable
            if beat.intent is Intent.thanks:  # not "It works" for a technician coming tomorrow
                usable = [o for o in usable if not premature(fill(o, slots), self._agent_last, self.lang)] or usable
            fresh = [o for o in usable if o not in self._used] or usable
            line = self.rng.choice(fresh)
            self._used.add(line)
            text = fill(line, slots)
            parts.append(text[:1].upper() + text[1:])  # a line may open with a lowercase {value}
        return " ".join(parts)

    def _gives_unasked(self, line: str, beat: Beat) -> bool:
        told = self._told | {beat.fact}
        return any(f.id not in told and mentions(line, f.value) for f in self.scenario.facts.hidden)

    def _slots(self, beat: Beat) -> dict[str, str]:
        known = {
            "value": beat.value,
            "label": beat.label,
            "quote": beat.quote,
            "waited": waited(self.waited, self.lang),
            "agent": self.agent_name,
            "name": self.name,
        }
        return {k: v for k, v in known.items() if v}

    async def speak(self, decision: Decision) -> Spoken:
        direction = self.direction(decision)
        fallback = self.authored(decision)
        record: dict[str, Any] = {
            "backend": self.backend.name,
            "model": self.backend.model,
            "options": self.backend.options(),
            "intents": [b.intent.value for b in decision.beats],
            "fallback": False,
            "rejected": [],
        }
        for attempt in range(2):
            request = self._request(direction, fallback, attempt, decision.terse)
            try:
                generation = await generate(self.backend, request)
            except BackendError as exc:
                record["error"] = str(exc)
                break
            text = self.clean(generation.text)
            problem = self.problem(text, decision)
            # ttft: the turn's first model token; latency: every attempt, until a line is ready.
            record.setdefault("ttft", round(generation.first_token_s, 3) if generation.first_token_s else None)
            record.update(
                tokens_in=generation.usage.prompt_tokens,
                tokens_out=generation.usage.completion_tokens,
                latency=round(record.get("latency", 0.0) + generation.seconds, 3),
            )
            if problem is None:
                return self._final(text, direction, decision, record)
            record["rejected"].append({"reason": problem, "text": generation.text[:MAX_CHARS]})
        record["fallback"] = True
        return self._final(fallback, direction, decision, record)

    def _final(self, text: str, direction: str, decision: Decision, record: dict[str, Any]) -> Spoken:
        self._told |= {b.fact for b in decision.beats if b.fact}
        text = styled(text, self.persona.speech, decision.patience, self.rng, self._values)
        self.said(text, direction)
        return Spoken(text, record)

    def _request(self, direction: str, fallback: str, attempt: int, terse: bool) -> Request:
        seed = self.rng.randrange(2**31)
        max_tokens = MAX_TOKENS["terse" if terse else self.persona.speech.verbosity]
        temperature = 0.7 + 0.2 * attempt
        if self.chat:
            messages = [*self.messages, {"role": "system", "content": f"[{direction}]"}]
            return Request(
                messages=messages, max_tokens=max_tokens, temperature=temperature, seed=seed, fallback=fallback
            )
        return Request(
            prompt=self.cue(direction),
            stop=(f"\n{AGENT[self.lang]}:", f"\n{self.name}:", "\n\n", "["),
            max_tokens=max_tokens,
            temperature=temperature,
            seed=seed,
            fallback=fallback,
        )

    def _labelled_as_speaker(self, text: str) -> bool:
        label = _LABEL.match(text)
        if label is None:
            return False
        said = label.group(1).casefold().split()
        return said == self.name.casefold().split() or any(word in SPEAKERS for word in said)

    def cue(self, direction: str) -> str:
        """The transcript prompt that asks for the customer's next line."""
        return f"{self.prompt}[{direction}]\n{self.name}:"

    def clean(self, text: str) -> str:
        """The customer's own line: cut where another speaker or a direction starts (not every server
        honours every stop string), at most two lines, without a leading name."""
        text = text.strip()
        if text.startswith(f"{self.name}:"):
            text = text[len(self.name) + 1 :]
        for stop in (f"\n{AGENT[self.lang]}:", f"\n{self.name}:", "\n\n", "["):
            text = text.split(stop, 1)[0]
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()][:2]
        return " ".join(lines).strip('"«»“” ')

    def problem(self, text: str, decision: Decision) -> str | None:
        """Why a model line cannot be used, or None if it can."""
        if not text:
            return "empty"
        if len(text) > MAX_CHARS:
            return "too long"
        guardrails = self.persona.guardrails
        if guardrails.never_speaks_as_agent and self._labelled_as_speaker(text):
            return "speaks as another speaker"
        if self._narration.find(words(text)):
            return "narrates its note"
        if guardrails.never_offers_help and offers_help(text, self.lang):
            return "speaks as the agent"
        if guardrails.never_says_ai and says_ai(text, self.lang):
            return "talks as an AI"
        lowered = text.casefold()
        if any(p.casefold() in lowered for p in guardrails.forbidden):
            return "forbidden phrase"
        told = self._told | {b.fact for b in decision.beats if b.fact}
        for fact in self.scenario.facts.hidden:
            if fact.id not in told and gives(text, fact.value):
                return f"gives the fact {fact.id} unasked"
        if not _in_language(text, self.lang):
            return "wrong language"
        for beat in decision.beats:
            if beat.intent is Intent.reveal and beat.value and not mentions(text, beat.value):
                return f"omits the fact {beat.fact}"
        if text.casefold() in self._said:
            return "repeats itself"
        trap_words = [w for b in decision.beats for w in words(b.why or "") if len(w) >= 4]
        # On topic: the conversation, what the line is meant to say, and the words the persona is written with.
        facts = " ".join(b.value for b in decision.beats if b.value)
        context = Context(self.lang, self._agent_last, f"{self.prompt} {facts} {self._voice}", tuple(trap_words))
        return misfit(text, [b.intent for b in decision.beats], context)


def fill(line: str, slots: dict[str, str]) -> str:
    return SLOT.sub(lambda m: slots.get(m.group(1), ""), line)


def waited(seconds: float, language: str) -> str | None:
    """How long the chat has lasted, in words ("12 minutes", «12 минут»); None under a minute."""
    minutes = int(seconds // 60)
    if minutes < 1:
        return None
    if language == "ru":
        one, few = minutes % 10 == 1 and minutes % 100 != 11, 2 <= minutes % 10 <= 4 and not 12 <= minutes % 100 <= 14
        return f"{minutes} {'минуту' if one else 'минуты' if few else 'минут'}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _one_line(text: str) -> str:
    """The agent's words as one line of the prompt: a newline or a bracket in them cannot start a customer
    turn or a note of the trainee's making ("\\n[Dana gives the contract number]\\nDana:")."""
    return " ".join(text.translate(_BRACKETS).split())


def gives(text: str, value: str) -> bool:
    """The line states this value: its digits ("77 4410" for "77-4410") or its exact words. Stricter than
    ``mentions``, so a line is never rejected for one shared word."""
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 3 and digits in re.sub(r"\D", "", text):
        return True
    return value.casefold() in text.casefold()


def _in_language(text: str, lang: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return True
    cyrillic = sum("\u0400" <= c <= "\u04ff" for c in letters) / len(letters)
    return cyrillic >= 0.6 if lang == "ru" else cyrillic <= 0.2
