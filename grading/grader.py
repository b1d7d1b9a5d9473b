"""The deterministic grader: a pure function of a transcript and, when known, its scenario.

It walks the events once, keeping what the customer has said and whether a customer turn is open, and
marks each agent message on the exact turn: faults with a quote, a reason and a better alternative, and
strengths. Same input, same report; no model, no network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from grading import feedback
from grading.cues import (
    Cues,
    already_done,
    analyze,
    credited,
    distress,
    gives_step,
    has_sequence,
    mentions,
    questions,
    repeats,
    tells_to,
    thanks,
    words,
)
from grading.details import Detail, advice, asks_for, been_to, confirms, detail_lexicon, details, says_told, sends_to
from grading.morphology import root
from grading.scoring import OUTCOME_SCORE, overall, skill_scores
from grading.team import SentElsewhere, TeamReplies
from grading.understanding import looked_up
from simulator.catalog.models import Fact, Scenario
from simulator.vocabulary import Outcome
from transcripts.format import Event, Transcript
from transcripts.report import SKILLS, Kind, Mark, Report, Severity, Skill

CODES = ("order", "ticket", "contract")
"""Kinds of code a customer may give without naming it ("it's 4471-B")."""
DEFAULT_PASS = 70
DEFAULT_FIRST_REPLY = 60.0
QUOTE_CHARS = 160
STALE_TYPING = 60.0
"""A typing indicator with no message for this long no longer makes a reply an interruption."""


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


@dataclass
class Walk:
    """What the grader knows at a point in the conversation."""

    transcript: Transcript
    scenario: Scenario | None
    lang: str
    team: TeamReplies | None = None
    """The team's macros and the replies sent to other customers of the same import."""
    marks: list[Mark] = field(default_factory=list)
    heard: str = ""
    said: set[str] = field(default_factory=set)
    """Facts the customer has stated."""
    stated: set[str] = field(default_factory=set)
    """Facts the agent stated correctly (looked up): known without asking."""
    elicited: set[str] = field(default_factory=set)
    """Facts the agent has asked for."""
    typing_since: float | None = None
    """When a customer typing indicator went up without a message yet."""
    chunk_open: bool = False
    first_turn_done: bool = False
    replied: bool = False
    """The agent has answered the customer's first complete message."""
    agent_stems: set[str] = field(default_factory=set)
    customer_stems: set[str] = field(default_factory=set)
    """Words the customer brought into the conversation (not ones they quoted back from the agent)."""
    flagged_facts: set[str] = field(default_factory=set)
    customer_spoke_at: float | None = None
    agent_messages: list[tuple[int, frozenset[str]]] = field(default_factory=list)
    interruptions: int = 0
    asked_before_fix: bool = False
    upset: Event | None = None
    """The first customer message of a distress episode the agent has not acknowledged yet."""
    ignored_at: Event | None = None
    """The first agent reply after ``upset`` that did not acknowledge it."""
    personalized: int = 0
    behaviour: str | None = None
    """What the customer just did to be hard (a ``Behaviour`` from the simulator) that the next reply can handle."""
    unanswered: set[str] = field(default_factory=set)
    """Facts the customer left out of a two-part answer."""
    since_customer: list[Event] = field(default_factory=list)
    """Agent messages since the customer's last one."""
    details: list[Detail] = field(default_factory=list)
    """Without a scenario: the details the customer has given (order numbers, emails, dates…)."""
    places: set[str] = field(default_factory=set)
    """Without a scenario: where the customer says they have been sent or have been."""
    last_agent: Event | None = None

    def mark(
        self,
        kind: Kind,
        event: Event,
        why: str,
        *,
        severity: Severity = "major",
        positive: bool = False,
        better: str | None = None,
        fact: str | None = None,
        quote: str | None = None,
    ) -> None:
        self.marks.append(
            Mark(
                kind=kind,
                seq=event.seq,
                positive=positive,
                severity=severity,
                quote=_quote(quote or event.text or ""),
                why=why,
                better=better,
                fact=fact,
            )
        )

    def feed(self, event: Event) -> None:
        """Take the next event of the conversation."""
        if event.role == "customer":
            self.customer(event)
        elif event.role == "agent" and event.is_message:
            self.agent(event)

    def fork(self) -> Walk:
        """An independent copy, to try a message on (the live coach) without changing this walk."""
        return replace(
            self,
            marks=list(self.marks),
            said=set(self.said),
            stated=set(self.stated),
            elicited=set(self.elicited),
            agent_stems=set(self.agent_stems),
            customer_stems=set(self.customer_stems),
            flagged_facts=set(self.flagged_facts),
            agent_messages=list(self.agent_messages),
            unanswered=set(self.unanswered),
            since_customer=list(self.since_customer),
            details=list(self.details),
            places=set(self.places),
        )

    # -- the customer's side
    def customer(self, event: Event) -> None:
        if event.type == "typing":
            self.typing_since = event.t
            return
        if event.type != "message":
            return
        text = event.text or ""
        self.typing_since = None
        self.chunk_open = not event.final
        self.first_turn_done = self.first_turn_done or event.final
        if self.customer_spoke_at is None and event.final:
            self.customer_spoke_at = event.t  # the wait starts when the customer's first message is complete
        self.heard += " " + text
        self.customer_stems |= {root(w) for w in words(text)} - self.agent_stems
        if self.scenario:
            self.said |= {f.id for f in self.scenario.all_facts() if mentions(text, f.value)}
        else:
            self._told_you(event)
            self.details += details(text, self.lang)
            self.places |= been_to(text, self.lang)
        behaviours = event.meta.get("behaviours") or []
        # The customer's own digression is not distress the trainee failed to acknowledge.
        if self.upset is None and "tangent" not in behaviours and distress(text, self.lang):
            self.upset = event
        self._behaviour(event, behaviours)

    def _behaviour(self, event: Event, behaviours: list[str]) -> None:
        """A harder customer's behaviour is never the trainee's fault; handling it well is credited."""
        self.unanswered |= set(event.meta.get("unanswered") or [])
        if "quiet" in behaviours and len(self.since_customer) > 1:  # a message after the reply: a check-in
            self._credit("quiet", self.since_customer[1])
        self.since_customer = []
        handled = [b for b in behaviours if b in ("false_claim", "tangent", "manager", "not_offered")]
        if handled and event.final:  # every chunk of the turn carries it; it is said by the turn's end
            self.behaviour = handled[0]

    def _handled(self, event: Event, cues: Cues) -> None:
        asked = [f for f in self._facts(cues.asked) if f.id in self.unanswered]
        if asked:
            self.unanswered -= {f.id for f in asked}
            self._credit("partial", event, label=asked[0].label, fact=asked[0].id)
        behaviour, self.behaviour = self.behaviour, None
        moves_on = cues.clarifying or cues.fix or bool(cues.resolutions)
        if (
            behaviour == "false_claim"
            and cues.clarifying
            or behaviour == "tangent"
            and moves_on
            or behaviour == "manager"
            and (cues.empathic or moves_on)
            and not cues.is_canned
            or behaviour == "not_offered"
            and moves_on
            and not cues.is_canned
        ):
            self._credit(behaviour, event)

    def _credit(self, behaviour: str, event: Event, label: str = "", fact: str | None = None) -> None:
        why = feedback.why(f"handled_{behaviour}", self.lang, label=label)
        self.mark("handled_customer", event, why, positive=True, severity="minor", fact=fact)

    # -- the agent's side
    def agent(self, event: Event) -> None:
        text = event.text or ""
        cues = analyze(text, self.lang, self.scenario, self.heard)
        # Words addressed to a grader or a system ("Grader: full marks?") earn no strength and excuse no fault.
        credit = credited(cues, text, self.lang, self.scenario, self.heard)
        # Only words the customer brought in can save a template: quoting the agent back does not count.
        own = replace(credit, echoed=[w for w in credit.echoed if root(w) in self.customer_stems])
        self.agent_stems |= {root(w) for w in words(text)}
        if self.scenario:
            self.stated |= looked_up(credit.states, self.said, self.scenario)
        self._timing(event)
        self._interruption(event)
        self._canned(event, own)
        self._repeated(event)
        self._asked_again(event, cues)
        self._premature_fix(event, credit)
        self._wrong_advice(event, cues)
        self._empathy(event, credit)
        if credit.clarifying and not credit.fix and not self._faulted(event, "asked_again", "wrong_advice"):
            self._good_question(event, credit)
        self._personalized(event, credit, canned=own.is_canned)
        self.since_customer.append(event)
        self._handled(event, credit)
        self.last_agent = event
        self.elicited |= set(credit.asked)
        self.asked_before_fix = self.asked_before_fix or credit.clarifying

    def _timing(self, event: Event) -> None:
        if self.replied or self.customer_spoke_at is None:
            return  # a greeting before the customer wrote is not a reply to them
        self.replied = True
        if self.transcript.meta.get("timing") == "missing":
            return
        limit = self.scenario.end.first_reply_seconds if self.scenario else DEFAULT_FIRST_REPLY
        waited = event.t - self.customer_spoke_at
        if waited > limit:
            self.mark(
                "slow_first_reply",
                event,
                feedback.why("slow_first_reply", self.lang, seconds=waited, limit=limit),
                severity="major" if waited > 2 * limit else "minor",
                better=feedback.better("slow_first_reply", self.lang),
            )

    def _interruption(self, event: Event) -> None:
        typing = self.typing_since is not None and event.t - self.typing_since <= STALE_TYPING
        if not (self.chunk_open or typing or event.meta.get("interruption")):
            return
        self.interruptions += 1
        opening = not self.first_turn_done
        # Cutting into the first explanation, or doing it again, is the habit that loses customers.
        severity: Severity = "critical" if opening or self.interruptions > 1 else "major"
        key = "interruption_opening" if opening else "interruption"
        self.mark(
            "interruption",
            event,
            feedback.why(key, self.lang),
            severity=severity,
            better=feedback.better("interruption", self.lang),
        )

    def _team_template(self, event: Event) -> tuple[str | None, SentElsewhere | None]:
        """The team's macro this reply is, or the other customers it went to nearly word for word."""
        if not self.team:
            return None, None
        return self.team.macro(event.text or ""), self.team.elsewhere(self.transcript.id, event.seq)

    def _canned(self, event: Event, cues: Cues) -> None:
        text = event.text or ""
        macro, elsewhere = self._team_template(event)
        if macro is not None:
            why = feedback.why("macro", self.lang, name=macro)
        elif elsewhere is not None:
            example = _quote(elsewhere.example)
            why = feedback.why("sent_elsewhere", self.lang, customers=elsewhere.customers, example=example)
        elif cues.is_canned:
            phrase = sentence_with(text, cues.canned[0].split()) if cues.canned else text
            why = feedback.why("canned_answer", self.lang, phrase=_quote(phrase))
        else:
            return
        self.mark("canned_answer", event, why, better=feedback.better("canned_answer", self.lang))

    def _repeated(self, event: Event) -> None:
        mine = frozenset(words(event.text or ""))
        if repeats(mine, (before for _, before in self.agent_messages)):
            self.mark(
                "repeated_answer",
                event,
                feedback.why("repeated_answer", self.lang),
                severity="minor",
                better=feedback.better("repeated_answer", self.lang),
            )
        self.agent_messages.append((event.seq, mine))

    def _asked_again(self, event: Event, cues: Cues) -> None:
        if not self.scenario:
            self._asked_for_detail_again(event)
            return
        for fact in self._facts(cues.asked):
            if fact.id in self.said and fact.id not in cues.checked:
                self.mark(
                    "asked_again",
                    event,
                    feedback.why("asked_again", self.lang, label=fact.label, value=fact.value),
                    better=feedback.better("asked_again", self.lang, value=fact.value),
                    fact=fact.id,
                )
                return

    def _asked_for_detail_again(self, event: Event) -> None:
        text = event.text or ""
        for kind in asks_for(text, self.lang):
            given = [d for d in self.details if d.kind == kind or (d.kind == "number" and kind in CODES)]
            if given and not any(confirms(text, d) for d in given):
                label = detail_lexicon(self.lang).labels[kind]
                self.mark(
                    "asked_again",
                    event,
                    feedback.why("asked_again", self.lang, label=label, value=given[-1].value),
                    better=feedback.better("asked_again", self.lang, value=given[-1].value),
                )
                return

    def _faulted(self, event: Event, *kinds: str) -> bool:
        return any(m.seq == event.seq and m.kind in kinds for m in self.marks)

    def _told_you(self, event: Event) -> None:
        """ "I just told you", «я же писал»: the agent's last message asked for or told them to do what they had
        said already. Evidence for asked_again (it asked) or wrong_advice (it advised), if not marked yet."""
        agent = self.last_agent
        if agent is None or not event.text or not says_told(event.text, self.lang):
            return
        if any(self._faulted(e, "asked_again", "wrong_advice") for e in self.since_customer):
            return  # already marked on what the customer is answering
        quote, text = _quote(event.text), agent.text or ""
        # "What's your email?" asks; "Have you tried restarting?" and "Contact the store" advise.
        if not asks_for(text, self.lang) and advice(text, self.lang):
            why = feedback.why("wrong_advice", self.lang, why=feedback.why("told_you", self.lang, quote=quote))
            self.mark(
                "wrong_advice", agent, why, severity="critical", better=feedback.better("wrong_advice", self.lang)
            )
        elif questions(text, self.lang):
            why = feedback.why("asked_again_told", self.lang, quote=quote)
            self.mark("asked_again", agent, why, better=feedback.better("asked_again_told", self.lang))

    def _premature_fix(self, event: Event, cues: Cues) -> None:
        if self.scenario is None:
            # Only a guess comes too early: not a reply that reports looking the case up first ("I can see both
            # payments; I've refunded one"), nor the team's macro (marked as one). Steps to try are a guess too
            # when the customer has given no detail to go on.
            jumps = cues.fix or (not self.details and gives_step(event.text or "", self.lang))
            if not jumps or cues.looked or any(self._team_template(event)):
                return
            if not self.asked_before_fix and not cues.clarifying and "any" not in self.flagged_facts:
                self.flagged_facts.add("any")
                self.mark(
                    "missed_clarifying_question",
                    event,
                    feedback.why("missed_any_question", self.lang),
                    better=feedback.better("missed_any_question", self.lang),
                )
            return
        # Only a resolution, in any wording, comes too early; what the grader could not place is not punished.
        offered = [r for r in self.scenario.resolutions if r.id in cues.resolutions]
        if not offered and not cues.traps:  # wrong advice is a fix too, and as early
            return
        known = self.said | self.stated | self.elicited | set(cues.asked) | self.flagged_facts  # flagged once
        every = [h.id for h in self.scenario.facts.hidden if h.required]
        needed = {f for r in offered for f in (r.requires or every)} | (set(every) if cues.traps else set())
        for fact in self.scenario.facts.hidden:
            if fact.id in needed and fact.id not in known:
                self.flagged_facts.add(fact.id)
                self.mark(
                    "missed_clarifying_question",
                    event,
                    feedback.why("missed_clarifying_question", self.lang, label=fact.label),
                    severity="critical",
                    better=fact.question,
                    fact=fact.id,
                )

    def _wrong_advice(self, event: Event, cues: Cues) -> None:
        if self.scenario:
            for trap in (t for t in self.scenario.traps if t.id in cues.traps):
                example = self.scenario.resolutions[0].example
                self.mark(
                    "wrong_advice",
                    event,
                    feedback.why("wrong_advice", self.lang, why=trap.why),
                    severity="critical",
                    better=example,
                )
                return
            return
        # "Please confirm the amount of the transfer" asks for a value; it does not tell them to transfer again.
        told = [s for s in advice(event.text or "", self.lang) if not asks_for(s, self.lang)]
        reason = None
        for done in already_done(self.heard, self.lang):
            if any(tells_to(sentence, done, self.lang) for sentence in told):
                reason = feedback.why("already_did", self.lang, quote=_quote(sentence_with(self.heard, [done])))
                break
        if reason is None and any(sends_to(sentence, self.places, self.lang) for sentence in told):
            reason = feedback.why("been_there", self.lang)
        if reason is not None:
            self.mark(
                "wrong_advice",
                event,
                feedback.why("wrong_advice", self.lang, why=reason),
                severity="critical",
                better=feedback.better("wrong_advice", self.lang),
            )

    def _empathy(self, event: Event, cues: Cues) -> None:
        if self.upset is None:
            return
        if cues.empathic:
            self.mark("empathy", event, feedback.why("empathy", self.lang), positive=True, severity="minor")
            self.upset = self.ignored_at = None
        elif self.ignored_at is None:
            self.ignored_at = event

    def _personalized(self, event: Event, cues: Cues, canned: bool) -> None:
        faulted = any(m.seq == event.seq and not m.positive and m.severity != "minor" for m in self.marks)
        if len(cues.echoed) >= 2 and not canned and not faulted and self.personalized < 2:
            self.personalized += 1
            details = ", ".join(cues.echoed[:4])
            self.mark(
                "personalized",
                event,
                feedback.why("personalized", self.lang, details=details),
                positive=True,
                severity="minor",
            )

    def _good_question(self, event: Event, cues: Cues) -> None:
        new = [f for f in self._facts(cues.asked) if f.id not in self.said and f.id not in self.elicited]
        if self.scenario is None or new:
            self.mark(
                "clarifying_question",
                event,
                feedback.why("clarifying_question", self.lang),
                positive=True,
                severity="minor",
                fact=new[0].id if new else None,
            )

    def _facts(self, ids: list[str]) -> list[Fact]:
        facts = {f.id: f for f in self.scenario.all_facts()} if self.scenario else {}
        return [facts[i] for i in ids if i in facts]

    # -- after the last event
    def finish(self) -> None:
        if self.upset is not None and self.ignored_at is not None:
            self.mark(
                "no_empathy",
                self.ignored_at,
                feedback.why("no_empathy", self.lang, quote=_quote(self.upset.text or "")),
                better=feedback.better("no_empathy", self.lang),
            )
        calmed = _calmed_after(self.transcript, self.lang)
        if calmed is not None:
            self.mark("deescalated", calmed, feedback.why("deescalated", self.lang), positive=True, severity="minor")


def sentence_with(text: str, stems: list[str]) -> str:
    """The sentence of ``text`` whose words start with these stems, in order (else the whole text)."""
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        if has_sequence(words(sentence), stems) or all(any(w.startswith(s) for w in words(sentence)) for s in stems):
            return sentence
    return text


def _calmed_after(transcript: Transcript, lang: str) -> Event | None:
    """The agent message after which an upset customer calmed down (patience rose, or they signed off thankful)."""
    last_agent: Event | None = None
    was_upset = False
    patience: int | None = None
    for event in transcript.events:
        if event.role == "agent" and event.is_message:
            last_agent = event
        if event.role != "customer" or not event.is_message:
            continue
        text = event.text or ""
        now = event.meta.get("patience")
        calmer = isinstance(now, int) and patience is not None and now >= patience + 10 and was_upset
        signed_off = was_upset and thanks(text, lang) and not distress(text, lang)
        if last_agent is not None and (calmer or signed_off):
            return last_agent
        was_upset = was_upset or bool(distress(text, lang))
        if isinstance(now, int):
            patience = now if patience is None else min(patience, now)
    return None


def voided_by_the_simulator(marks: list[Mark], transcript: Transcript) -> list[Mark]:
    """The simulator's audit of its own customer (``transcript.meta["audit"]``): a fault of the customer's that
    hindered the trainee voids the faults marked on their next message, one that helped voids its strengths."""
    agent = [e.seq for e in transcript.messages("agent")]
    voids: dict[tuple[int, bool], str] = {}  # (the agent message after the fault, strengths?) -> the fault's kind
    for found in transcript.meta.get("audit") or []:
        after = next((s for s in agent if s > found.get("seq", 0)), None) if isinstance(found, dict) else None
        if after is not None:
            voids.setdefault((after, found.get("effect") == "helped"), str(found.get("kind")))
    return [
        mark.model_copy(update={"voided": voids[mark.seq, mark.positive]})
        if (mark.seq, mark.positive) in voids
        else mark
        for mark in marks
    ]


def _outcome(transcript: Transcript) -> Outcome:
    for outcome in OUTCOME_SCORE:
        if transcript.outcome == outcome:
            return outcome
    return "unfinished"


def grade(transcript: Transcript, scenario: Scenario | None = None, team: TeamReplies | None = None) -> Report:
    """Grade a transcript; with its scenario the marks know the facts, traps and company templates, with ``team``
    the team's macros and what its agents sent to other customers."""
    walk = Walk(transcript, scenario, transcript.language, team=team)
    for event in transcript.events:
        walk.feed(event)
    walk.finish()
    marks = voided_by_the_simulator(sorted(walk.marks, key=lambda m: (m.seq, m.positive)), transcript)
    outcome = _outcome(transcript)
    skills = skill_scores(marks, outcome)
    weights: dict[Skill, float] = dict.fromkeys(SKILLS, 1.0)
    if scenario:
        weights = {skill: getattr(scenario.rubric, skill) for skill in SKILLS}
    score = overall(skills, weights)
    pass_score = scenario.pass_score if scenario else DEFAULT_PASS
    critical = any(m.severity == "critical" and not m.positive and not m.voided for m in marks)
    return Report(
        transcript=transcript.id,
        scenario=scenario.id if scenario else transcript.scenario,
        language=transcript.language,
        score=score,
        passed=score >= pass_score and not critical and outcome != "customer_left",  # a lost customer never passes
        pass_score=pass_score,
        skills=skills,
        outcome=outcome,
        marks=marks,
    )
