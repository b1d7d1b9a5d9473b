"""Live coaching while the trainee types: what the grader would mark if the draft were sent now.

There is one rule set. The coach follows the conversation with the grader's own ``Walk`` and tries each
draft on a copy of it as the agent's next message; the faults that message would get become hints, worded
for before sending rather than after. One more hint has no mark behind it: a question of the customer's
that the draft leaves unanswered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from grading.cues import analyze, content_words, echoes, questions, words
from grading.grader import Walk, sentence_with
from simulator.catalog.models import Fact, Scenario
from transcripts.format import Event, Transcript
from transcripts.report import Mark

COACHED = ("interruption", "canned_answer", "missed_clarifying_question", "asked_again", "wrong_advice", "no_empathy")
"""The mark kinds the coach warns about, most urgent first (the line shows the first)."""
UNANSWERED = "unanswered"

HINTS: dict[str, dict[str, str]] = {
    "interruption": {
        "en": "They are still typing: let them finish first.",
        "ru": "Клиент ещё печатает: дайте ему договорить.",
    },
    "canned_answer": {
        "en": "\u201c{phrase}\u201d would fit any customer. Write about theirs: {details}.",
        "ru": "«{phrase}» подошло бы любому клиенту. Напишите о его случае: {details}.",
    },
    "canned_answer_bare": {
        "en": "\u201c{phrase}\u201d would fit any customer. Say it in your own words, about their case.",
        "ru": "«{phrase}» подошло бы любому клиенту. Скажите своими словами, о его случае.",
    },
    "missed_clarifying_question": {
        "en": "A fix before you know {label}. Ask first: \u201c{question}\u201d",
        "ru": "Решение до того, как выяснено: {label}. Сначала спросите: «{question}»",
    },
    "missed_any_question": {
        "en": "A fix before a single question. Ask what happened first.",
        "ru": "Решение без единого вопроса. Сначала спросите, что случилось.",
    },
    "asked_again": {
        "en": "They already told you: \u201c{value}\u201d.",
        "ru": "Клиент уже сказал: «{value}».",
    },
    "wrong_advice": {
        "en": "This ignores what they told you: {why}",
        "ru": "Это не учитывает сказанное клиентом: {why}",
    },
    "no_empathy": {
        "en": "They are upset (\u201c{quote}\u201d). Acknowledge it before anything else.",
        "ru": "Клиент расстроен («{quote}»). Сначала признайте это.",
    },
    UNANSWERED: {
        "en": "They asked \u201c{question}\u201d and the draft does not answer it.",
        "ru": "Клиент спросил «{question}», а в черновике нет ответа.",
    },
}
QUOTE = 60
QUOTES = {"en": ("\u201c", "\u201d"), "ru": ("«", "»")}


@dataclass(frozen=True)
class Hint:
    kind: str
    """A mark kind from ``COACHED``, or ``UNANSWERED``."""
    text: str
    phrase: str | None = None
    """The words of the draft the hint is about (a canned phrase), to highlight."""


@dataclass(frozen=True)
class NextStep:
    """What a mentor would whisper now: acknowledge the upset, ask for a fact, or resolve."""

    kind: Literal["empathy", "ask", "resolve"]
    fact: Fact | None = None
    """The fact to ask for (``ask``)."""


class Coach:
    """Follows one conversation (``hear`` every event) and advises on drafts (``advise``) or on what to do
    next (``next_step``)."""

    def __init__(self, scenario: Scenario | None, language: str):
        self.scenario = scenario
        self.lang = language
        self._walk = Walk(Transcript(id="coach", language=language), scenario, language)
        self._seq = 0
        self._asked: list[str] = []
        """The customer's questions since the agent last wrote."""
        self._last_customer = ""

    @classmethod
    def following(cls, transcript: Transcript, scenario: Scenario) -> Coach:
        """A coach that has heard ``transcript`` so far."""
        coach = cls(scenario, transcript.language)
        for event in transcript.events:
            coach.hear(event)
        return coach

    def next_step(self) -> NextStep:
        """From the grader's own reading of the conversation: an upset not yet acknowledged comes first, then
        the first required fact the customer has not stated (and the agent did not already know), then the fix."""
        if self._walk.upset is not None:
            return NextStep("empathy")
        known = self._walk.said | self._walk.stated
        hidden = self.scenario.facts.hidden if self.scenario else []
        missing = next((f for f in hidden if f.required and f.id not in known), None)
        return NextStep("ask", missing) if missing else NextStep("resolve")

    def hear(self, event: Event) -> None:
        self._walk.feed(event)
        self._seq = event.seq
        if not event.is_message:
            return
        if event.role == "agent":
            self._asked = []
        elif event.role == "customer":
            self._last_customer = event.text or ""
            self._asked += [q.strip() for q in questions(event.text or "", self.lang)]

    def advise(self, draft: str, t: float) -> list[Hint]:
        """What the grader would hold against ``draft`` sent at ``t``, most urgent first."""
        if not words(draft):
            return []
        trial = self._walk.fork()
        event = Event(seq=self._seq + 1, t=t, role="agent", type="message", text=draft)
        known = len(trial.marks)
        trial.agent(event)
        marks = {m.kind: m for m in trial.marks[known:] if not m.positive}
        hints = []
        for kind in COACHED:
            if kind == "no_empathy":
                if trial.upset is not None and trial.ignored_at is event:
                    hints.append(self._hint(kind, quote=_short(trial.upset.text or "")))
            elif kind in marks:
                hints.append(self._from_mark(marks[kind], draft))
        hints += self._unanswered(draft)
        return hints

    def _hint(self, key: str, kind: str | None = None, **values: str) -> Hint:
        return Hint(kind or key, HINTS[key][self.lang].format(**values), values.get("phrase"))

    def _from_mark(self, mark: Mark, draft: str) -> Hint:
        kind = mark.kind
        facts = {f.id: f for f in self.scenario.all_facts()} if self.scenario else {}
        if kind == "canned_answer":
            stock = analyze(draft, self.lang, self.scenario, self._walk.heard).canned
            phrase = _short(sentence_with(draft, stock[0].split()) if stock else draft)
            opening, closing = QUOTES[self.lang]
            details = ", ".join(f"{opening}{d}{closing}" for d in self._details())
            key = "canned_answer" if details else "canned_answer_bare"
            return self._hint(key, kind, phrase=phrase, details=details)
        if kind == "missed_clarifying_question":
            fact = facts.get(mark.fact or "")
            if fact is None:
                return self._hint("missed_any_question", kind)
            return self._hint(kind, label=fact.label, question=mark.better or "")
        if kind == "asked_again":
            return self._hint(kind, value=facts[mark.fact or ""].value if mark.fact in facts else "")
        if kind == "wrong_advice":
            return Hint(kind, mark.why)
        return self._hint(kind)

    def _details(self) -> list[str]:
        """This customer's own details, for a rewrite: the facts they stated, else words of their last line."""
        if self.scenario:
            stated = [f.value for f in self.scenario.all_facts() if f.id in self._walk.said]
            if stated:
                return stated[-3:]
        mine = content_words(self._last_customer, self.lang)
        return [w for w in dict.fromkeys(words(self._last_customer)) if w in mine][:3]

    def _unanswered(self, draft: str) -> list[Hint]:
        for question in reversed(self._asked):  # the latest question is the one waiting for an answer
            if content_words(question, self.lang) and not echoes(draft, question, self.lang):
                return [self._hint(UNANSWERED, question=_short(question))]
        return []


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE else text[: QUOTE - 1] + "\u2026"


@dataclass(frozen=True)
class CoachReview:
    """How the trainee's faults relate to what the live coach showed while they typed."""

    warned: list[Mark]
    """Faults the coach showed on the message as it was sent: the advice was ignored."""
    missed: list[Mark]
    """Faults on coached messages that the coach did not show."""
    fixed: int
    """Pieces of advice the trainee acted on before sending."""

    def status(self, mark: Mark) -> str | None:
        """ "warned", "missed", or None for a mark the coach had no say in."""
        return "warned" if mark in self.warned else "missed" if mark in self.missed else None


def review(transcript: Transcript, marks: list[Mark]) -> CoachReview | None:
    """None when the coach was off for the whole session."""
    coached = {e.seq: e.meta["coach"] for e in transcript.messages("agent") if isinstance(e.meta.get("coach"), dict)}
    if not coached:
        return None
    faults = [m for m in marks if not m.positive and m.seq in coached]
    shown = {seq: {h.get("kind") for h in c.get("shown", [])} for seq, c in coached.items()}
    return CoachReview(
        warned=[m for m in faults if m.kind in shown[m.seq]],
        missed=[m for m in faults if m.kind not in shown[m.seq]],
        fixed=sum(len(c.get("fixed", [])) for c in coached.values()),
    )
