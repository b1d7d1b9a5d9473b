"""The customer always makes sense: a model line must carry what the director decided, and the authored lines
that stand in for it fill slots from the conversation and do not repeat within a session."""

from __future__ import annotations

import asyncio
import random
import re

import pytest
import yaml

from bench.customer_fit import LABELLED, judge
from grading import grade
from grading.render import as_markdown
from simulator.catalog.models import Intent
from simulator.engine.actor import Actor, waited
from simulator.engine.audit import audit
from simulator.engine.bots import BOTS, ScriptedAgent, Step
from simulator.engine.clock import VirtualClock
from simulator.engine.director import Beat, Decision
from simulator.engine.headless import play
from simulator.engine.session import Session
from simulator.llm.scripted import ScriptedBackend
from tests.support import ROOT, sparring
from transcripts.format import Event, Transcript


def actor_for(catalog, scenario_id: str, agent: str = "") -> Actor:
    scenario = catalog.scenario(scenario_id)
    actor = Actor(ScriptedBackend(), catalog.cast(scenario), scenario, random.Random(0))
    actor.heard_agent(agent)
    return actor


def decision(*intents: Intent, **beat: str) -> Decision:
    return Decision([Beat(i, **beat) if i is Intent.reveal else Beat(i) for i in intents], 50, "annoyed")


# The lines the issue found on screen, each with the decision it was meant to carry.
NONSENSE = [
    ("I am a little girl, and my mom is a big mom.", Intent.template_complaint),
    ("I'm afraid of the grammar, I'm afraid of the grammar, I'm afraid of the grammar.", Intent.template_complaint),
    ("I'm so sorry, I'm so sorry, I just wanted to say how much I loved you.", Intent.template_complaint),
    ("Thanks for contacting Skyline Mobile.", Intent.give_up),
    ("I'm going to sleep.", Intent.thanks),
    ("I'm SORRY.", Intent.template_complaint),
    ("SORRY.", Intent.thanks),
]


@pytest.mark.parametrize(("text", "intent"), NONSENSE)
def test_a_line_that_does_not_carry_the_decision_is_rejected(catalog, text, intent):
    actor = actor_for(catalog, "slow-mobile-internet", "We apologize for any inconvenience.")
    assert actor.problem(text, decision(intent)) is not None


def test_a_reveal_is_the_customers_own_fact(catalog):
    actor = actor_for(catalog, "duplicate-card-charge", "How much was each payment?")
    reveal = decision(Intent.reveal, fact="amount", value="$86.40")
    assert actor.problem("So, we can pay each of those charges. $86.40.", reveal) == "states the fact as the company's"
    assert actor.problem("$86.40, both times.", reveal) is None


@pytest.mark.parametrize(
    ("text", "intent", "agent"),
    [
        ("That's a script. Talk to me like a person.", Intent.template_complaint, "We value your patience."),
        ('"We value your patience"? Is that it?', Intent.template_complaint, "We value your patience."),
        ("Finally. Thank you.", Intent.thanks, "I've booked a technician for tomorrow."),
        ("Let me finish, I wasn't done.", Intent.let_me_finish, "What's your contract number?"),
        ("I'm done. Cancelling my contract.", Intent.give_up, "Please hold."),
        ("You mean my contract number?", Intent.clarify, "What about the box?"),
    ],
)
def test_a_line_that_carries_the_decision_passes(catalog, text, intent, agent):
    assert actor_for(catalog, "home-internet-down", agent).problem(text, decision(intent)) is None


def test_the_check_lets_few_misfits_through_on_the_hand_labelled_model_lines(catalog):
    rows = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))["lines"]
    assert len(rows) >= 200 and all(isinstance(r["fits"], bool) for r in rows)
    verdicts = judge(catalog, rows)
    assert len(verdicts.misfits_passed) <= 0.05 * verdicts.misfits, verdicts.misfits_passed


# -- authored lines


def test_slots_are_filled_from_the_conversation(catalog):
    actor = actor_for(catalog, "home-internet-down", "Hi, I'm Sam. We apologize for any inconvenience.")
    actor.waited = 12 * 60
    assert actor.agent_name == "Sam"
    quoted = Decision([Beat(Intent.template_complaint, quote="We apologize for any inconvenience")], 40, "upset")
    thanks = Decision([Beat(Intent.thanks)], 80, "calm")
    lines = [actor.authored(quoted) for _ in range(12)] + [actor.authored(thanks) for _ in range(12)]
    assert not any(re.search(r"{\w+}", line) for line in lines)
    assert any("We apologize for any inconvenience" in line for line in lines)
    assert any("Sam" in line for line in lines)


def test_a_line_whose_slot_cannot_be_filled_is_not_used(catalog):
    actor = actor_for(catalog, "home-internet-down", "What's your contract number?")  # no name, no wait
    said = [actor.authored(Decision([Beat(Intent.thanks)], 80, "calm")) for _ in range(20)]
    assert not any("{" in line or "  " in line for line in said)


def test_waited_is_said_in_words():
    assert (waited(30, "en"), waited(60, "en"), waited(12 * 60, "en")) == (None, "1 minute", "12 minutes")
    assert (waited(60, "ru"), waited(3 * 60, "ru"), waited(11 * 60, "ru"), waited(21 * 60, "ru")) == (
        "1 минуту",
        "3 минуты",
        "11 минут",
        "21 минуту",
    )


@pytest.mark.parametrize("bot", ["good", "canned", "interrupter"])
def test_no_customer_line_is_said_twice_in_a_session(catalog, bot):
    """(The hasty bot sends one message twenty times: no bank outlasts that, nor should it.)"""
    for scenario_id in sorted(catalog.scenarios):
        scenario = catalog.scenario(scenario_id)
        session = Session(scenario, catalog.cast(scenario), ScriptedBackend(), VirtualClock(), seed=2)
        said = [e.text for e in asyncio.run(play(session, BOTS[bot](scenario))).messages("customer")]
        assert len(said) == len(set(said)), (scenario_id, [s for s in said if said.count(s) > 1])


def test_line_choice_is_deterministic_for_a_seed(catalog):
    def customer(seed: int) -> list[str]:
        scenario = catalog.scenario("chatbot-loop")
        session = Session(scenario, catalog.cast(scenario), ScriptedBackend(), VirtualClock(), seed=seed)
        steps = [Step(say="We apologize for any inconvenience."), Step(say="Please see our FAQ.")]
        return [e.text or "" for e in asyncio.run(play(session, ScriptedAgent(steps))).messages("customer")]

    assert customer(5) == customer(5)


@pytest.mark.slow
def test_validate_checks_slots_and_warns_about_thin_banks(tmp_path):
    text = (ROOT / "personas" / "angry.yaml").read_text(encoding="utf-8")
    broken = text.replace("id: angry", "id: slotty", 1)
    broken = re.sub(r"(  thanks:\n    en: \[)", r'\1"Thanks, {quote}.", ', broken, count=1)
    (tmp_path / "personas").mkdir()
    (tmp_path / "personas" / "slotty.yaml").write_text(broken, encoding="utf-8")
    result = sparring("validate", str(tmp_path / "personas"))
    assert result.returncode == 1
    assert "lines.thanks.en[0]: 'thanks' lines may fill in {agent}" in result.stderr


# -- the simulator audits itself


def transcript_of(scenario_id: str, *turns: tuple[str, str, dict]) -> Transcript:
    events = [
        Event(seq=i, t=float(i), role=role, type="message", text=text, meta=meta)
        for i, (role, text, meta) in enumerate(turns, 1)
    ]
    return Transcript(id="audited", scenario=scenario_id, language="en", events=events)


MODEL = {"backend": "local", "fallback": False, "chunk": 0}


def test_the_audit_finds_what_the_customer_got_wrong(catalog):
    scenario = catalog.scenario("home-internet-down")
    transcript = transcript_of(
        "home-internet-down",
        ("customer", "My internet has been dead for THREE days.", {"intents": ["opening"], "chunk": 0}),
        ("agent", "I'm so sorry, Dana. That's awful.", {}),
        ("customer", "My contract number is 77-4410, by the way.", {**MODEL, "intents": ["calming"]}),
        ("agent", "Thanks. What do the router lights show?", {}),
        ("customer", "How can I help you today?", {**MODEL, "intents": ["reveal"]}),
        ("agent", "What do the lights show?", {}),
        ("customer", "My contract number is 12-3456. Bye.", {**MODEL, "intents": ["nudge"]}),
    )
    found = {(f["seq"], f["kind"]) for f in audit(transcript, scenario)}
    assert {(3, "unasked_fact"), (5, "speaks_as_agent"), (7, "contradicts_ledger"), (7, "premature_end")} <= found


def test_a_mark_that_answers_a_simulator_fault_is_shown_but_not_counted(catalog):
    scenario = catalog.scenario("home-internet-down")
    transcript = transcript_of(
        "home-internet-down",
        ("customer", "My internet has been dead for THREE days.", {"intents": ["opening"], "chunk": 0}),
        ("agent", "I'm so sorry, that sounds awful. What's your contract number?", {}),
        ("customer", "How can I help you today?", {**MODEL, "intents": ["reveal"]}),
        ("agent", "I'm so sorry, that sounds awful. What's your contract number?", {}),
    )
    plain = grade(transcript, scenario)
    transcript.meta["audit"] = audit(transcript, scenario)
    audited = grade(transcript, scenario)
    repeated = [m for m in audited.marks if m.kind == "repeated_answer"]
    assert repeated and all(m.voided == "speaks_as_agent" for m in repeated)
    assert audited.skills["personalization"] > plain.skills["personalization"]
    markdown = as_markdown(audited, transcript)
    assert "⚠ The simulated customer spoke as the agent (a simulator fault that could have hindered)" in markdown
    assert "not counted: it follows a mistake of the simulated customer's" in markdown


def test_every_session_is_audited_and_the_audit_is_stored(catalog, run_session):
    transcript = run_session("home-internet-down", "good")
    assert transcript.meta["audit"] == []  # authored lines never need it
