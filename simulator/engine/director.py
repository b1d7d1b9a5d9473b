"""The director decides what the customer does next; the actor only words it.

Deterministic for a seed. It keeps patience, the facts ledger and the turn count. A hidden fact is
handed to the actor only once the agent has asked for it, so the model can never leak it.
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from grading.cues import Cues, analyze, credited, gives_step, mentions, repeats, words
from grading.grader import sentence_with
from grading.understanding import looked_up
from simulator.catalog.models import Behaviour, Fact, Intent, Persona, Scenario
from simulator.engine.difficulty import Level, level_for
from simulator.vocabulary import Outcome
from transcripts.format import Transcript

MAX_BEATS = 3
TANGENTS = 2
"""At most this many tangents a session: a customer who only digresses is no longer a case."""
QUIET = (40.0, 90.0)
"""Seconds a quiet customer stays away before coming back with "hello??"."""


@dataclass(frozen=True)
class Beat:
    """One thing the customer does in a turn."""

    intent: Intent
    fact: str | None = None
    value: str | None = None
    label: str | None = None
    why: str | None = None
    lines: tuple[str, ...] = ()
    """Lines the scenario wrote for exactly this moment (preferred to the persona's bank)."""
    quote: str | None = None
    """The agent's template sentence, for a complaint that quotes it back."""


@dataclass(frozen=True)
class AgentMessage:
    text: str
    interruption: bool = False


@dataclass
class Decision:
    beats: list[Beat]
    patience: int
    mood: str
    end: Outcome | None = None
    reasons: list[str] = field(default_factory=list)
    """What moved patience, e.g. "template -15"."""
    behaviours: list[str] = field(default_factory=list)
    """What the customer does this turn to be harder than the persona as written (``Behaviour`` values)."""
    unanswered: list[str] = field(default_factory=list)
    """Facts the agent asked for this turn that the customer left out (the ``partial`` behaviour)."""
    terse: bool = False


def mood_of(patience: int) -> str:
    return "calm" if patience >= 70 else "annoyed" if patience >= 45 else "upset" if patience >= 20 else "furious"


class Director:
    def __init__(
        self, scenario: Scenario, persona: Persona, level: Level | None = None, rng: random.Random | None = None
    ):
        self.scenario = scenario
        self.persona = persona
        self.level = level or level_for(scenario, persona)
        self.rng = rng or random.Random(0)
        """Decides the behaviours; seeded by the session, so a seed replays the same customer."""
        self.patience = max(1, min(100, persona.patience + self.level.patience))
        self.heat = (0.6 + 0.08 * persona.intensity) * self.level.cost
        """How hard bad behaviour lands: x1 at intensity 5, x1.4 at 10, times the level's cost."""
        self.claimed = False
        """The customer said they had done the agent's step, and has not owned up yet."""
        self.done: set[Behaviour] = set()
        """Behaviours a customer does once a session, already done."""
        self.tangents = 0
        self.turns = 0
        self.heard = " ".join(scenario.opening)
        opening = self.heard.casefold()
        self.said: set[str] = {f.id for f in scenario.facts.volunteered if f.value.casefold() in opening}
        self._facts = {f.id: f for f in scenario.all_facts()}
        self._agent_said: list[frozenset[str]] = []
        self._credited: set[str] = set()
        self.stated: set[str] = set()
        """Facts the agent stated correctly themselves (looked up): known, so never revealed or demanded."""

    @property
    def mood(self) -> str:
        return mood_of(self.patience)

    def missing_for(self, resolution_id: str) -> list[Fact]:
        resolution = next(r for r in self.scenario.resolutions if r.id == resolution_id)
        needed = resolution.requires
        if needed is None:
            needed = [f.id for f in self.scenario.facts.hidden if f.required]
        return [self._facts[i] for i in needed if i not in self.said and i not in self.stated]

    def catch_up(self, transcript: Transcript) -> None:
        """Take up a stored conversation where it stopped: what was said, and how patient the customer is."""
        customer = transcript.messages("customer")
        self.heard = " ".join(e.text or "" for e in customer)
        self.said |= {f.id for f in self.scenario.all_facts() if mentions(self.heard, f.value)}
        self.turns = sum(1 for e in customer if e.meta.get("chunk") == 0 and e.meta.get("intents") != ["opening"])
        patience = [e.meta["patience"] for e in customer if isinstance(e.meta.get("patience"), int)]
        if patience:
            self.patience = patience[-1]
        self._agent_said = [frozenset(words(e.text or "")) for e in transcript.messages("agent")]

    def hear(self, customer_text: str) -> None:
        self.heard += " " + customer_text

    def react(self, messages: list[AgentMessage], back: bool = False) -> Decision:
        """The customer's next turn after the agent's messages since the last one. ``back``: the customer went
        quiet (``goes_quiet``) and comes back now."""
        reasons: list[str] = []
        esc, calm = self.persona.escalates, self.persona.calms
        lang = self.scenario.language

        def move(points: int, why: str) -> None:
            if points < 0:
                points = round(points * self.heat)
            if points:
                self.patience += points
                reasons.append(f"{why} {points:+d}")

        seen = [analyze(m.text, lang, self.scenario, self.heard) for m in messages]
        # What was said to a grader or a system, not to the customer, soothes and answers nothing (it still annoys).
        cues = [credited(c, m.text, lang, self.scenario, self.heard) for c, m in zip(seen, messages, strict=True)]
        first: list[Beat] = []  # reactions to how the agent behaved
        middle: list[Beat] = []  # answers
        last: list[Beat] = []  # where the customer stands now

        if back:
            first.append(Beat(Intent.waiting))
        if self.claimed and any(c.question or c.fix for c in cues):  # the agent checks the step: the truth comes out
            self.claimed = False
            first.append(Beat(Intent.admit))
        if any(m.interruption for m in messages):
            move(-esc.interruption, "interruption")
            first.append(Beat(Intent.let_me_finish))
        repeated = [self._repeats(m.text) for m in messages]
        if any(c.is_canned for c in cues) or any(repeated):  # what the report marks as canned, the customer hears so
            move(-esc.template, "template")
            first.append(Beat(Intent.template_complaint, quote=_template_quote(messages, seen)))
        trap_ids = _union(c.traps for c in cues)
        for trap in (t for t in self.scenario.traps if t.id in trap_ids):
            move(-esc.trap, f"trap:{trap.id}")
            first.append(Beat(Intent.trap_reject, why=trap.why, lines=tuple(trap.reaction)))
            break

        self.stated |= looked_up(_union(c.states for c in cues), self.said, self.scenario)
        asked = _union(c.asked for c in cues)
        checked = _union(c.checked for c in seen)  # "unplug it, then tell me if the light changes"
        again = [self._facts[i] for i in _union(c.asked for c in seen) if i in self.said and i not in checked]
        if again:
            move(-esc.asked_again, "asked_again")
            fact = again[0]
            first.append(Beat(Intent.already_told, fact.id, fact.value, fact.label))
        fresh = [self._facts[i] for i in asked if i not in self.said and i not in self.stated]
        if fresh:
            move(calm.relevant_question, "relevant_question")
        answered = fresh[:2]
        if len(answered) == 2 and self._does(Behaviour.partial):  # the second half of a two-part question is lost
            answered = fresh[:1]
        for fact in answered:
            self.said.add(fact.id)
            middle.append(Beat(Intent.reveal, fact.id, fact.value, fact.label, lines=tuple(fact.reveal)))
        unknown = _union(c.asked_unknown for c in cues)
        for item in (u for u in self.scenario.facts.unknown if u.id in unknown):
            middle.append(Beat(Intent.dont_know, item.id, label=item.label, lines=(item.line,) if item.line else ()))
            break
        offered = [r for c in cues for r in c.resolutions]
        unplaced = [c.understanding for c in cues if c.understanding is not None and c.understanding.unplaced]
        if unplaced and not back and not (asked or unknown or middle or offered or trap_ids):
            # Never "I don't know" to a question the customer could not place: they ask what is meant.
            guess = next((u.guess for u in unplaced if u.guess is not None), None)
            near = self._facts.get(guess.id) if guess is not None else None
            middle.append(Beat(Intent.clarify, label=near.label if near and near.id not in self.said else None))

        if any(c.empathic for c in cues) and not any(repeated):  # the same kind words again are a script
            move(calm.empathy, "empathy")
        echoed = set(_union(c.echoed for c in cues)) - self._credited
        if echoed and not any(c.canned for c in cues) and not any(repeated):
            self._credited |= echoed  # the same words echoed again are no longer news
            move(calm.acknowledgement, "acknowledgement")

        end: Outcome | None = None
        if offered and not trap_ids:
            if not self.missing_for(offered[0]):
                end = "resolved"
                last.append(Beat(Intent.thanks))
            else:
                move(-esc.hasty_fix, "hasty_fix")
                last.append(Beat(Intent.doubt))
        elif any(c.fix for c in cues) and not trap_ids and self._required_missing():
            move(-esc.hasty_fix, "hasty_fix")
            last.append(Beat(Intent.doubt))
        if not any(_progress(c) for c in cues):
            move(-esc.no_progress, "no_progress")
            if not first and not last:
                last.append(Beat(Intent.nudge))
        if not end and any(c.empathic for c in cues) and not first and self.patience >= 45:
            last.append(Beat(Intent.calming))

        volunteer = self._volunteer()
        if volunteer and not end:
            middle.append(volunteer)

        beats = [*first, *middle, *last]
        decision = self._conclude(beats, end, reasons)
        if not decision.end:
            # A step the customer could claim to have done: an instruction, not a question or the resolution.
            step = any(c.fix or gives_step(m.text, lang) for c, m in zip(cues, messages, strict=True))
            step = step and not (asked or offered or trap_ids)
            self._harder(decision, step, [f.id for f in fresh[len(answered) : 2]], back)
        return decision

    def goes_quiet(self) -> float | None:
        """Seconds the customer stays away before answering this turn, if they go quiet now (once a session)."""
        if self.turns < 1 or Behaviour.quiet in self.done or not self._does(Behaviour.quiet):
            return None
        self.done.add(Behaviour.quiet)
        return round(self.rng.uniform(*QUIET), 1)

    def _does(self, behaviour: Behaviour) -> bool:
        chance = self.level.chance(behaviour)
        return chance > 0 and self.rng.random() < chance

    def _harder(self, decision: Decision, step: bool, unanswered: list[str], back: bool) -> None:
        """What a harder customer does on top of the decision: at most one behaviour line a turn, and a line
        said never crowds out an answer the agent asked for."""
        said = decision.behaviours
        if back:
            said.append(Behaviour.quiet)
        if unanswered:
            said.append(Behaviour.partial)
            decision.unanswered = unanswered
        extra: Beat | None = None
        if step and not self.claimed and Behaviour.false_claim not in self.done and self._does(Behaviour.false_claim):
            self.claimed = True
            self.done.add(Behaviour.false_claim)
            extra = Beat(Intent.false_claim)
        elif self.patience < 45 and Behaviour.manager not in self.done and self._does(Behaviour.manager):
            self.done.add(Behaviour.manager)
            extra = Beat(Intent.manager)
        elif self.turns > 2 and Behaviour.not_offered not in self.done and self._does(Behaviour.not_offered):
            self.done.add(Behaviour.not_offered)
            extra = Beat(Intent.not_offered)
        elif self.turns > 1 and self.tangents < TANGENTS and self._does(Behaviour.tangent):
            self.tangents += 1
            extra = Beat(Intent.tangent)
        if extra is not None:
            said.append(Behaviour(extra.intent.value))
            decision.beats = [*decision.beats[: MAX_BEATS - 1], extra]
        elif not back and self._does(Behaviour.terse):  # the same reactions, in as few words as possible
            said.append(Behaviour.terse)
            decision.terse = True

    def preview(self, messages: list[AgentMessage], back: bool = False) -> Decision:
        """What ``react`` would decide now, without deciding it: the model can read the note in advance."""
        draft = copy.copy(self)
        draft.said, draft._agent_said, draft._credited = set(self.said), list(self._agent_said), set(self._credited)
        draft.stated, draft.done = set(self.stated), set(self.done)
        draft.rng = random.Random()
        draft.rng.setstate(self.rng.getstate())  # the preview must not move the session's own dice
        return draft.react(messages, back)

    def _repeats(self, text: str) -> bool:
        """The agent says (nearly) what they already said: customers read that as a script (the same rule as the
        report's repeated_answer)."""
        mine = frozenset(words(text))
        repeat = repeats(mine, self._agent_said)
        self._agent_said.append(mine)
        return repeat

    def silence(self) -> Decision:
        """The agent has said nothing for too long."""
        self.patience -= self.persona.escalates.silence
        return self._conclude([Beat(Intent.waiting)], None, [f"silence -{self.persona.escalates.silence}"])

    def _conclude(self, beats: list[Beat], end: Outcome | None, reasons: list[str]) -> Decision:
        self.turns += 1
        self.patience = max(0, min(100, self.patience))
        beats = beats or [Beat(Intent.complain)]  # nothing specific to answer: back to the problem
        if end is None and self.patience <= 0:
            end, beats = "customer_left", [Beat(Intent.give_up)]
        elif end is None and self.turns >= self.scenario.end.max_turns:
            end, beats = "unfinished", [Beat(Intent.give_up)]
        return Decision(_trimmed(beats, end is not None), self.patience, self.mood, end, reasons)

    def _required_missing(self) -> bool:
        return any(f.required and f.id not in self.said for f in self.scenario.facts.hidden)

    def _volunteer(self) -> Beat | None:
        """Volunteered facts not in the opening come out along the way, one a turn."""
        for fact in self.scenario.facts.volunteered:
            if fact.id not in self.said:
                self.said.add(fact.id)
                return Beat(Intent.reveal, fact.id, fact.value, fact.label, lines=tuple(fact.reveal))
        return None


_MARKUP = re.compile(r"[\[\]{}<>\n]|\w+:")
QUOTE_WORDS = 10
"""The longest template sentence a customer quotes back whole; a longer one is cut at a word."""


def _template_quote(messages: list[AgentMessage], cues: list[Cues]) -> str | None:
    """The sentence of the agent's messages that holds their stock phrase or company template."""
    for message, cue in zip(messages, cues, strict=True):
        if cue.canned:
            sentence = sentence_with(message.text, words(cue.canned[0])).strip().rstrip(".!")
            if _MARKUP.search(sentence):
                return None  # never echo what could pass for a note or a speaker's label
            said = sentence.split()
            return " ".join(said[:QUOTE_WORDS]) + ("…" if len(said) > QUOTE_WORDS else "")
    return None


def _trimmed(beats: list[Beat], ends: bool) -> list[Beat]:
    """At most ``MAX_BEATS``, in their order. The line that ends the session (the last) and the answers the agent
    asked for are kept first: a turn that says too much loses its reactions, never the customer's thanks."""
    if len(beats) <= MAX_BEATS:
        return beats
    first = ([len(beats) - 1] if ends else []) + [i for i, b in enumerate(beats) if b.intent is Intent.reveal]
    order = list(dict.fromkeys([*first, *range(len(beats))]))
    return [beats[i] for i in sorted(order[:MAX_BEATS])]


def _union(groups: Iterable[Iterable[str]]) -> list[str]:
    out: list[str] = []
    for group in groups:
        out.extend(i for i in group if i not in out)
    return out


def _progress(cues: Cues) -> bool:
    return cues.question or cues.fix or cues.empathic or bool(cues.echoed)
