"""Difficulty changes how the customer behaves, not just the label; the grader never blames the trainee for a
harder customer, and credits handling one."""

from __future__ import annotations

import asyncio
import random
import re

import pytest

from grading import grade
from simulator.catalog.checks import FRESH_LINES
from simulator.catalog.models import BEHAVIOUR_INTENTS, Behaviour, Intent
from simulator.engine.actor import SLOT
from simulator.engine.bots import BOTS, ScriptedAgent, Step
from simulator.engine.clock import VirtualClock
from simulator.engine.difficulty import describe, level_for
from simulator.engine.director import AgentMessage, Director
from simulator.engine.fit import Context, misfit
from simulator.engine.headless import play
from simulator.engine.session import Session
from simulator.llm.scripted import ScriptedBackend
from tests.support import ROOT, sparring
from transcripts.format import Event, Transcript

EVERY_OFF = dict.fromkeys(Behaviour, 0.0)


def only(catalog, scenario_id: str, behaviour: Behaviour | None):
    """The scenario with only this behaviour, always where it can happen."""
    scenario = catalog.scenario(scenario_id)
    chances = EVERY_OFF | ({behaviour: 1.0} if behaviour else {})
    return scenario.model_copy(update={"behaviours": chances})


def played(catalog, scenario, says: list[str | Step], level: int = 3, seed: int = 0) -> Transcript:
    steps = [s if isinstance(s, Step) else Step(say=s) for s in says]
    session = Session(scenario, catalog.cast(scenario), ScriptedBackend(), VirtualClock(), seed=seed, difficulty=level)
    return asyncio.run(play(session, ScriptedAgent(steps)))


def turns(transcript: Transcript) -> list[Event]:
    """The first message of every customer turn after the opening."""
    return [
        e for e in transcript.messages("customer") if e.meta.get("chunk") == 0 and e.meta.get("intents") != ["opening"]
    ]


def credits(transcript: Transcript, scenario) -> list:
    return [m for m in grade(transcript, scenario).marks if m.kind == "handled_customer"]


def test_a_harder_level_starts_less_patient_and_a_fault_costs_more(catalog):
    scenario = catalog.scenario("home-internet-down")
    persona = catalog.cast(scenario)
    template = [AgentMessage("Thank you for contacting us. We apologize for any inconvenience.")]
    start, after = {}, {}
    for level in (1, 3, 5):
        director = Director(scenario, persona, level_for(only(catalog, "home-internet-down", None), persona, level))
        start[level] = director.patience
        after[level] = director.react(template).patience
    assert start[1] > start[3] > start[5]
    assert start[1] - after[1] < start[3] - after[3] < start[5] - after[5]


def test_a_harder_level_splits_turns_into_more_messages(catalog):
    scenario = catalog.scenario("home-internet-down")
    text = "One. Two. Three. Four. Five. Six."

    def counts(level: int) -> list[int]:
        session = Session(scenario, catalog.cast(scenario), ScriptedBackend(), VirtualClock(), difficulty=level)
        session.rng = random.Random(1)
        return [len(session._chunks(text)) for _ in range(60)]

    easy, hard = counts(1), counts(5)
    assert min(hard) > min(easy) and sum(hard) > sum(easy)


def test_the_briefing_says_the_level_and_what_this_customer_may_do(catalog):
    scenario = catalog.scenario("home-internet-down")
    persona = catalog.cast(scenario)
    assert "plays it straight" in describe(level_for(scenario, persona, 1), "en")
    hard = describe(level_for(scenario, persona, 5), "en")
    assert "Difficulty 5 of 5" in hard and "ask for a manager" in hard and "half of a two-part question" in hard
    assert "требовать руководителя" in describe(level_for(scenario, persona, 5), "ru")
    # A persona written without manager lines never asks for one, and the briefing does not promise it.
    silent = persona.model_copy(update={"lines": {k: v for k, v in persona.lines.items() if k is not Intent.manager}})
    assert level_for(scenario, silent, 5).chance(Behaviour.manager) == 0
    assert "manager" not in describe(level_for(scenario, silent, 5), "en")
    # The scenario's own chances win over the level's.
    assert level_for(only(catalog, "home-internet-down", Behaviour.quiet), persona, 1).chance(Behaviour.quiet) == 1


def test_half_of_a_two_part_question_goes_unanswered_and_asking_it_again_is_credited(catalog):
    scenario = only(catalog, "duplicate-card-charge", Behaviour.partial)
    transcript = played(
        catalog,
        scenario,
        [
            "I'm so sorry, that's frightening right before rent. When did you make the purchase, and how much was it?",
            "Thank you. And how much was each payment?",
        ],
    )
    first, second = turns(transcript)[:2]
    assert first.meta["behaviours"] == ["partial"] and first.meta["unanswered"] == ["amount"]
    date = next(f for f in scenario.all_facts() if f.id == "purchase-date")
    assert "14th" in date.value and "14th" in first.text
    assert "86.40" not in " ".join(e.text or "" for e in transcript.messages("customer") if e.seq < second.seq)
    assert "86.40" in second.text
    report = grade(transcript, scenario)
    assert not [m for m in report.marks if m.kind == "asked_again"]
    [credit] = credits(transcript, scenario)
    assert credit.fact == "amount" and credit.seq == transcript.messages("agent")[1].seq


def test_a_terse_customer_gives_the_bare_value(catalog):
    scenario = only(catalog, "home-internet-down", Behaviour.terse)
    contract = next(f for f in scenario.facts.hidden if f.id == "contract")
    transcript = played(catalog, scenario, [contract.question or ""])
    [reply] = turns(transcript)[:1]
    assert reply.meta["behaviours"] == ["terse"]
    assert reply.text.strip(" .") == contract.value


def test_a_tangent_is_not_held_against_the_trainee_and_steering_back_is_credited(catalog):
    scenario = only(catalog, "duplicate-card-charge", Behaviour.tangent)
    says = [
        "I'm so sorry, that sounds frightening. When did you make the purchase?",
        "Thank you. How much was each payment?",
        "Thanks. Which card was it? Just the last four digits, please.",
        "Understood. Which shop was it?",
    ]
    transcript = played(catalog, scenario, says)
    tangent = next(e for e in turns(transcript) if "tangent" in e.meta.get("behaviours", []))
    assert Intent.tangent.value in tangent.meta["intents"]
    report = grade(transcript, scenario)
    after = next(e for e in transcript.messages("agent") if e.seq > tangent.seq)
    assert any(m.kind == "handled_customer" and m.seq == after.seq for m in report.marks)
    assert not [m for m in report.marks if not m.positive and m.seq == after.seq]


def test_a_false_claim_comes_out_when_the_agent_checks(catalog):
    scenario = only(catalog, "home-internet-down", Behaviour.false_claim)
    says = [
        "I'm sorry, three days without internet when you work from home is awful. What's your contract number?",
        "Thanks. Please check that the grey cable is pushed firmly into the DSL port on the router.",
        "Could you look at the DSL light on the router right now: what colour is it?",
    ]
    transcript = played(catalog, scenario, says)
    replies = turns(transcript)
    claim = next(e for e in replies if Intent.false_claim.value in e.meta["intents"])
    assert claim.meta["behaviours"] == ["false_claim"]
    owned = next(e for e in replies if e.seq > claim.seq)
    assert owned.meta["intents"][0] == Intent.admit.value
    check = transcript.messages("agent")[2]
    assert [m.seq for m in credits(transcript, scenario)] == [check.seq]


def test_asking_for_what_is_not_offered_and_for_a_manager_and_handling_both(catalog):
    scenario = only(catalog, "home-internet-down", Behaviour.not_offered)
    says = [
        "I'm sorry, that's awful. What's your contract number?",
        "Thanks. What do the lights on the router show?",
        "Thank you. Have you restarted it already?",
        "I understand. I've booked a technician for tomorrow between 9 and 12.",
    ]
    transcript = played(catalog, scenario, says)
    asked = next(e for e in turns(transcript) if Intent.not_offered.value in e.meta["intents"])
    after = next(e for e in transcript.messages("agent") if e.seq > asked.seq)
    assert any(m.seq == after.seq for m in credits(transcript, scenario))

    scenario = only(catalog, "home-internet-down", Behaviour.manager)
    canned = "Thank you for contacting us. We apologize for any inconvenience."
    says = [canned, "I'm really sorry, that was a useless answer. What's your contract number? I'll sort this myself."]
    transcript = played(catalog, scenario, says, level=5)
    manager = next(e for e in turns(transcript) if Intent.manager.value in e.meta["intents"])
    assert manager.meta["patience"] < 45
    after = next(e for e in transcript.messages("agent") if e.seq > manager.seq)
    assert any(m.seq == after.seq for m in credits(transcript, scenario))


def test_a_quiet_customer_comes_back_with_hello_and_a_check_in_is_credited(catalog):
    scenario = only(catalog, "home-internet-down", Behaviour.quiet)
    says = [
        Step(say="I'm sorry, that's awful. What's your contract number?"),
        Step(say="Thanks. What do the lights on the router show?"),
        Step(say="Are you still there?", when="now", delay=20),
    ]
    transcript = played(catalog, scenario, says)
    back = next(e for e in turns(transcript) if "quiet" in e.meta.get("behaviours", []))
    assert back.meta["intents"][0] == Intent.waiting.value
    question, check_in = transcript.messages("agent")[1:3]
    assert back.t - question.t >= 40  # away for a while, not a reply
    assert check_in.t < back.t
    assert [m.seq for m in credits(transcript, scenario)] == [check_in.seq]


def test_a_seed_replays_the_same_hard_customer(catalog):
    scenario = catalog.scenario("home-internet-down")

    def once(seed: int) -> list[str]:
        session = Session(scenario, catalog.cast(scenario), ScriptedBackend(), VirtualClock(), seed=seed, difficulty=5)
        transcript = asyncio.run(play(session, BOTS["good"](scenario)))
        return [f"{e.t} {e.text}" for e in transcript.messages()]

    assert once(3) == once(3)
    assert any(once(seed) != once(3) for seed in (4, 5))


@pytest.mark.parametrize("level", ["0", "6", "hard"])
def test_a_difficulty_outside_one_to_five_is_refused(level):
    result = sparring("simulate", "-s", "home-internet-down", "--agent-bot", "good", "--difficulty", level)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "Invalid value for '--difficulty'" in result.stderr


@pytest.mark.slow
def test_simulate_records_the_level_it_played(tmp_path):
    out = tmp_path / "t.json"
    result = sparring(
        "simulate", "-s", "home-internet-down", "--agent-bot", "good", "--backend", "scripted",
        "--difficulty", "5", "--out", str(out), "-q",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert Transcript.model_validate_json(out.read_text(encoding="utf-8")).meta["difficulty"] == 5


def test_every_shipped_persona_can_play_every_behaviour_in_both_languages(catalog):
    for persona_id, document in catalog.personas.items():
        persona = document.model
        for intent in sorted(BEHAVIOUR_INTENTS):
            for lang in ("en", "ru"):
                lines = persona.lines[intent][lang]
                assert len(lines) >= FRESH_LINES, (persona_id, intent, lang)
                for line in lines:  # each carries what it is for, as a model's line must
                    plain = SLOT.sub("x", line)
                    assert misfit(plain, [intent], Context(lang, known=plain)) is None, (persona_id, intent, line)


@pytest.mark.slow
def test_validate_refuses_a_behaviour_the_persona_cannot_play_and_a_chance_above_one(tmp_path):
    persona = (ROOT / "personas" / "passive.yaml").read_text(encoding="utf-8").replace("id: passive", "id: mute", 1)
    persona = re.sub(r"\n  manager:\n(    .*\n|         .*\n)*", "\n", persona)
    scenario = (ROOT / "scenarios" / "home-internet-down.yaml").read_text(encoding="utf-8")
    scenario = scenario.replace("persona: angry", "persona: mute\nbehaviours: {manager: 0.5, quiet: 1.5}", 1)
    (tmp_path / "personas").mkdir()
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "personas" / "mute.yaml").write_text(persona, encoding="utf-8")
    (tmp_path / "scenarios" / "hard.yaml").write_text(scenario.replace("id: home-internet-down", "id: hard"), "utf-8")
    result = sparring("validate", str(tmp_path))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "hard.yaml:8: behaviours.quiet: Input should be less than or equal to 1" in result.stderr
    scenario = scenario.replace("quiet: 1.5", "quiet: 1")
    (tmp_path / "scenarios" / "hard.yaml").write_text(scenario.replace("id: home-internet-down", "id: hard"), "utf-8")
    result = sparring("validate", str(tmp_path))
    assert result.returncode == 1
    assert "behaviours.manager: persona 'mute' has no 'en' lines for 'manager'" in result.stderr
