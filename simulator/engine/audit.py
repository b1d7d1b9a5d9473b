"""The simulator audits itself after every session: where did the customer not keep to what the director
decided or to the facts ledger? τ²-bench found up to 30% of its failures were simulator errors until it
reviewed its own user simulator; a trainee should never be marked for the customer's mistake.

Each finding names the customer message, what went wrong, and whether it could have helped the trainee (a
fact given unasked) or hindered them (a wrong value, a line that makes no sense, the customer speaking as
the agent, an end that came too soon). The grader voids the marks that depend on it.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from grading.cues import analyze, mentions, offers_help, words
from simulator.catalog.models import Intent, Scenario
from simulator.engine.actor import gives
from simulator.engine.fit import Context, fit_lexicon, misfit
from transcripts.format import Event, Transcript

Kind = Literal["unasked_fact", "contradicts_ledger", "misfit", "speaks_as_agent", "premature_end"]
AUTHORED = ("scenario", "scripted")
"""Backends whose lines are the persona's own, not a model's."""


def finding(
    event: Event, kind: Kind, detail: str, effect: Literal["helped", "hindered"], label: str | None = None
) -> dict[str, Any]:
    """``detail`` is for the record; ``label`` names the fact concerned, for the report's sentence."""
    return {"seq": event.seq, "kind": kind, "effect": effect, "label": label, "detail": detail}


def audit(transcript: Transcript, scenario: Scenario) -> list[dict[str, Any]]:
    """What the customer got wrong in this session, in order."""
    found: list[dict[str, Any]] = []
    lang = scenario.language
    asked: set[str] = set()
    heard = " ".join(scenario.opening)
    agent_last = ""
    digits = {f.id: re.sub(r"\D", "", f.value) for f in scenario.facts.hidden}
    for event in transcript.events:
        if not event.is_message:
            continue
        text = event.text or ""
        if event.role == "agent":
            cues = analyze(text, lang, scenario, heard)
            asked |= {*cues.asked, *cues.states}
            agent_last = text
            continue
        if event.role != "customer" or event.meta.get("intents") == ["opening"]:
            continue
        heard += " " + text
        for fact in scenario.facts.hidden:
            if fact.id not in asked and gives(text, fact.value):
                found.append(finding(event, "unasked_fact", f"{fact.id} given unasked", "helped", fact.label))
            elif _contradicts(text, fact.label, digits[fact.id]):
                found.append(finding(event, "contradicts_ledger", f"{fact.id} contradicted", "hindered", fact.label))
        if offers_help(text, lang):
            found.append(finding(event, "speaks_as_agent", "spoke as the agent", "hindered"))
        if event.meta.get("chunk") == 0 and not event.meta.get("fallback", True) and _by_model(event):
            intents = [Intent(i) for i in event.meta.get("intents", []) if i in Intent.__members__]
            leaving = fit_lexicon(lang).signs[Intent.give_up].find(words(text))
            if leaving and not {Intent.give_up, Intent.manager} & set(intents):  # "a complaint" asks for a manager
                found.append(finding(event, "premature_end", "said goodbye without leaving", "hindered"))
            elif why := misfit(text, intents, Context(lang, agent_last, heard)):
                found.append(finding(event, "misfit", f"the line {why}", "hindered"))
    return found


def _by_model(event: Event) -> bool:
    return event.meta.get("backend") not in AUTHORED


def _contradicts(text: str, label: str, value_digits: str) -> bool:
    """Names the fact and gives another number for it ("My contract number is 12-3456")."""
    if len(value_digits) < 3 or not mentions(text, label):
        return False
    numbers = [re.sub(r"\D", "", n) for n in re.findall(r"\d[\d\s-]{2,}\d", text)]
    return any(len(n) >= 3 and n != value_digits for n in numbers) and value_digits not in re.sub(r"\D", "", text)
