"""The actor: model lines are validated, retried once, then replaced by the persona's authored line."""

from __future__ import annotations

import asyncio
import random

import pytest

from simulator.catalog.models import Intent
from simulator.engine.actor import Actor
from simulator.engine.director import Beat, Decision
from simulator.engine.fit import Context, misfit
from simulator.llm.base import BackendError, Request
from simulator.llm.scripted import ScriptedBackend


def reveal_decision(scenario) -> Decision:
    fact = scenario.facts.hidden[0]
    return Decision([Beat(Intent.reveal, fact.id, fact.value, fact.label)], patience=50, mood="annoyed")


def actor_for(catalog, backend, scenario_id="home-internet-down") -> Actor:
    scenario = catalog.scenario(scenario_id)
    return Actor(backend, catalog.cast(scenario), scenario, random.Random(0))


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("How can I help you today?", "speaks as the agent"),
        ("As an AI language model, I cannot have a contract.", "talks as an AI"),
        ("Agent: please hold on", "speaks as another speaker"),
        ("Support team: please hold on", "speaks as another speaker"),
        ("Мой номер договора 77-4410.", "wrong language"),
        ("I don't remember anything.", "omits the fact contract"),
        ("", "empty"),
        ("word " * 100, "too long"),
    ],
)
def test_bad_model_lines_are_rejected_and_replaced_by_the_authored_line(catalog, bad, reason):
    scenario = catalog.scenario("home-internet-down")
    backend = ScriptedBackend(replies=[bad, bad])
    actor = actor_for(catalog, backend)
    spoken = asyncio.run(actor.speak(reveal_decision(scenario)))
    assert spoken.provenance["fallback"] is True
    assert [r["reason"] for r in spoken.provenance["rejected"]] == [reason, reason]
    assert scenario.facts.hidden[0].value in spoken.text
    assert len(backend.requests) == 2, "exactly one retry"


def test_a_good_retry_is_used(catalog):
    scenario = catalog.scenario("home-internet-down")
    backend = ScriptedBackend(replies=["How may I assist you?", "Ugh. It's 77 4410, write it down."])
    spoken = asyncio.run(actor_for(catalog, backend).speak(reveal_decision(scenario)))
    assert spoken.text == "Ugh. It's 77 4410, write it down."
    assert spoken.provenance["fallback"] is False and len(spoken.provenance["rejected"]) == 1


def test_a_label_of_the_customers_own_is_not_a_speaker(catalog):
    """«Адрес: …» is how a customer writes an address; only speakers' labels ("Оператор:") are the agent's voice."""
    scenario = catalog.scenario("home-internet-down")
    backend = ScriptedBackend(replies=["Contract: 77-4410. Happy now?"])
    spoken = asyncio.run(actor_for(catalog, backend).speak(reveal_decision(scenario)))
    assert spoken.text == "Contract: 77-4410. Happy now?" and spoken.provenance["fallback"] is False


def test_model_output_is_cut_to_the_customer_line(catalog):
    scenario = catalog.scenario("home-internet-down")
    backend = ScriptedBackend(replies=["Dana: It's 77-4410.\nAgent: thanks\nDana: more"])
    spoken = asyncio.run(actor_for(catalog, backend).speak(reveal_decision(scenario)))
    assert spoken.text == "It's 77-4410."
    assert spoken.provenance["fallback"] is False


class FailingBackend(ScriptedBackend):
    async def stream(self, request: Request):
        self.requests.append(request)
        raise BackendError("cannot reach the model server")
        yield  # pragma: no cover - makes this an async generator


def test_a_failing_backend_falls_back_and_says_why(catalog):
    scenario = catalog.scenario("home-internet-down")
    spoken = asyncio.run(actor_for(catalog, FailingBackend()).speak(reveal_decision(scenario)))
    assert spoken.provenance["fallback"] is True
    assert "cannot reach" in spoken.provenance["error"]
    assert scenario.facts.hidden[0].value in spoken.text


def test_prompt_only_grows_at_its_end(catalog):
    """Append-only prompts keep llama.cpp's cached prefix valid from turn to turn."""
    backend = ScriptedBackend()
    actor = actor_for(catalog, backend)
    decision = Decision([Beat(Intent.nudge)], patience=50, mood="annoyed")
    for text in ("Hello, what happened?", "I see. Anything else?", "Let me check."):
        actor.heard_agent(text)
        asyncio.run(actor.speak(decision))
    prompts = [r.prompt for r in backend.requests]
    for before, after in zip(prompts, prompts[1:], strict=False):
        assert after.startswith(before.rsplit(f"\n{actor.name}:", 1)[0])
    assert prompts[-1].endswith(f"\n{actor.name}:")


def test_chat_framing_flips_roles(catalog):
    scenario = catalog.scenario("home-internet-down")
    backend = ScriptedBackend()
    backend.framing = "chat"
    actor = actor_for(catalog, backend)
    actor.heard_agent("Hello, what happened?")
    asyncio.run(actor.speak(reveal_decision(scenario)))
    messages = backend.requests[0].messages
    assert messages[0]["role"] == "system" and actor.name in messages[0]["content"]
    assert {"role": "user", "content": "Hello, what happened?"} in messages
    assert messages[-1]["role"] == "system" and scenario.facts.hidden[0].value in messages[-1]["content"]


@pytest.mark.parametrize(
    ("scenario_id", "fix", "works"),
    [
        (
            "home-internet-down",
            "I've booked a technician for tomorrow between 9 and 12.",
            ("it works", "fixed", "did it"),
        ),
        ("domashniy-internet-ru", "Мастер приедет завтра с 9 до 12.", ("работает", "заработало")),
    ],
)
def test_no_thanks_says_it_works_while_the_fix_is_still_to_come(catalog, scenario_id, fix, works):
    """ "It works. About time." after "a technician tomorrow" makes no sense: neither an authored line nor a model
    line says the problem is gone before the fix is done."""
    thanks = Decision([Beat(Intent.thanks)], patience=80, mood="calm", end="resolved")
    for seed in range(12):
        actor = actor_for(catalog, ScriptedBackend(), scenario_id)
        actor.rng = random.Random(seed)
        actor.heard_agent(fix)
        line = actor.authored(thanks).casefold()
        assert not any(w in line for w in works), line
    line = "It works now, thank you!" if scenario_id == "home-internet-down" else "Заработало, спасибо!"
    language = catalog.scenario(scenario_id).language
    premature = "says it works while the fix is still to come"
    assert misfit(line, [Intent.thanks], Context(language, agent_last=fix)) == premature
    assert misfit(line, [Intent.thanks], Context(language, agent_last="Done, try now.")) is None
