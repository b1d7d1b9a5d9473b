"""The customer and the grader understand a trainee in their own words: one understanding step, measured on
the labelled paraphrase corpora and tried end to end through the director and the grader."""

from __future__ import annotations

import asyncio
import json

import pytest

from bench.understanding import CORPORA, evaluate
from grading import grade
from grading.morphology import tokens, vocabulary
from grading.understanding import Reading, understand
from simulator.catalog import Catalog
from simulator.catalog.models import Intent
from simulator.engine.bots import ScriptedAgent, Step
from simulator.engine.clock import VirtualClock
from simulator.engine.difficulty import level_for
from simulator.engine.director import AgentMessage, Director
from simulator.engine.headless import play
from simulator.engine.session import Session
from simulator.llm.scripted import ScriptedBackend
from tests.support import ROOT, assert_one_line_error, sparring
from transcripts.format import Event, Transcript

# What the dev corpus measures today (bench/understanding.py); a change that loses understanding fails here.
DEV_FLOORS = {"asks": 0.85, "resolution": 0.89, "trap": 0.90}
BLIND_FLOORS = {"asks": 0.65, "resolution": 0.60, "trap": 0.70, "neutral": 0.85}


@pytest.fixture(scope="module")
def dev():
    return evaluate(CORPORA / "dev")


def test_the_dev_corpus_is_big_enough_and_covers_every_kind_and_scenario(catalog):
    result = evaluate(CORPORA / "dev")
    assert sum(result.totals.values()) >= 400
    assert all(result.totals[kind] >= 60 for kind in ("asks", "resolution", "trap", "neutral"))
    names = {p.stem for p in (CORPORA / "dev").glob("*.yaml")}
    assert names == set(catalog.scenarios)


@pytest.mark.parametrize("kind", sorted(DEV_FLOORS))
def test_paraphrases_are_understood(dev, kind):
    assert dev.recall(kind) >= DEV_FLOORS[kind], [line.text for line, _ in dev.misses if line.kind == kind]


def test_no_neutral_line_sets_anything_off(dev):
    misread = [(line.text, seen) for line, seen in dev.false_triggers if line.kind == "neutral"]
    assert not misread


def test_the_blind_corpus_holds_what_it_measured():
    """The blind set was written apart from the rules and never tuned to: its figures are what we expect of
    paraphrases nobody here has read (README), and a change must not lose them."""
    result = evaluate(CORPORA / "blind")
    assert sum(result.totals.values()) >= 150
    for kind, floor in BLIND_FLOORS.items():
        assert result.recall(kind) >= floor, kind


# -- word forms and synonyms


def test_word_forms_are_one_word():
    keys = vocabulary("ru").keys
    forms = [keys(tokens(text)) for text in ("лицевой счёт", "лицевого счёта", "лицевым счётом")]
    assert all(form[0] & forms[0][0] and form[1] & forms[0][1] for form in forms)


def test_domain_synonyms_share_a_concept():
    keys = vocabulary("en").keys
    router, modem, box = (keys([w])[0] for w in ("router", "modem", "box"))
    assert "#router" in router & modem & box


def test_a_scenario_extends_the_lexicon_with_its_own_synonyms(catalog):
    shipped = catalog.scenario("home-internet-down")
    question = "What's the number on your membership card?"
    assert "contract" not in understand(question, shipped).ids("asks")
    extended = shipped.model_copy(update={"synonyms": {"account-id": ["membership card"]}})
    assert understand(question, extended).ids("asks") == ["contract"]


# -- the three cases, end to end on the scripted backend


def converse(catalog: Catalog, scenario_id: str, *lines: str) -> Transcript:
    scenario = catalog.scenario(scenario_id)
    session = Session(scenario, catalog.cast(scenario), ScriptedBackend(), VirtualClock(), seed=3)
    return asyncio.run(play(session, ScriptedAgent([Step(say=line) for line in lines])))


def customer_after(transcript: Transcript, text: str) -> str:
    sent = next(e for e in transcript.messages("agent") if e.text == text)
    return " ".join(e.text or "" for e in transcript.messages("customer") if e.seq > sent.seq)


def test_a_customer_number_is_the_contract_number(catalog):
    transcript = converse(catalog, "home-internet-down", "What's your customer number?")
    assert "77-4410" in customer_after(transcript, "What's your customer number?")


def test_a_change_done_in_other_words_resolves_the_chat(catalog):
    done = "Done: order SH-559102 now goes to 14 Mill Lane, Leeds LS6 2AB, still arriving today."
    transcript = converse(
        catalog, "chatbot-loop", "Sorry about the bot. What's the order number and the new address?", done
    )
    assert transcript.outcome == "resolved"


def test_a_fact_the_agent_states_is_known_to_the_customer_and_the_report(catalog):
    fix = (
        "Ольга, у вас оплачена доставка до двери. Я попросила курьера подняться к вам на девятый этаж, "
        "он принесёт заказ через 15 минут."
    )
    transcript = converse(
        catalog, "kurier-do-dveri", "Ольга, мне очень жаль. Подскажите номер заказа и ваш адрес с этажом?", fix
    )
    assert transcript.outcome == "resolved"
    report = grade(transcript, catalog.scenario("kurier-do-dveri"))
    assert not [m for m in report.marks if m.kind == "missed_clarifying_question"]
    assert report.passed


# -- graceful when unsure


def test_a_question_the_customer_cannot_place_gets_a_check_not_i_dont_know(catalog):
    scenario = catalog.scenario("home-internet-down")
    director = Director(scenario, catalog.cast(scenario))
    decision = director.react([AgentMessage("What about the box itself?")])
    assert [b.intent for b in decision.beats][:1] == [Intent.clarify]
    assert decision.beats[0].label == "what the router lights show"
    assert decision.beats[0].fact is None  # a guess never hands the model a hidden fact


def test_i_dont_know_is_only_for_what_the_customer_does_not_know(catalog):
    scenario = catalog.scenario("home-internet-down")
    director = Director(scenario, catalog.cast(scenario))
    nonsense = director.react([AgentMessage("What is your favourite colour?")])
    assert Intent.dont_know not in [b.intent for b in nonsense.beats]
    unknown = director.react([AgentMessage("Which router model do you have?")])
    assert [b.intent for b in unknown.beats][:1] == [Intent.dont_know]


def test_every_persona_can_ask_what_is_meant_in_both_languages(catalog):
    for persona in (doc.model for doc in catalog.personas.values()):
        for lang in persona.languages:
            lines = persona.lines[Intent.clarify][lang]
            assert any("{label}" in line for line in lines) and any("{label}" not in line for line in lines)


def test_the_grader_does_not_punish_what_it_could_not_place(catalog):
    scenario = catalog.scenario("home-internet-down")
    transcript = converse(catalog, "home-internet-down", "Let me look into this for you right away.")
    assert not [m for m in grade(transcript, scenario).marks if m.kind == "missed_clarifying_question"]


# -- what a message does


@pytest.mark.parametrize(
    ("text", "resolutions", "traps", "asks"),
    [
        ("Would a technician visit tomorrow work for you?", ["technician"], [], []),
        ("I won't ask you to restart the router again, you've done it twice.", [], [], []),
        ("No need to restart the router.", [], [], []),
        ("Have you tried restarting the router?", [], [], ["restarted"]),
        ("Could you restart the router for me?", [], ["restart-again"], []),
        ("I can see you already restarted the router twice.", [], [], []),
        ("I can't send an engineer today, sorry.", [], [], []),
    ],
)
def test_offers_negations_narration_and_questions_about_what_was_done(catalog, text, resolutions, traps, asks):
    seen = understand(text, catalog.scenario("home-internet-down"))
    assert (seen.ids("resolutions"), seen.ids("traps"), seen.ids("asks")) == (resolutions, traps, asks)


def test_each_decision_carries_its_evidence(catalog):
    seen = understand("Any LEDs blinking on the modem?", catalog.scenario("home-internet-down"))
    (found,) = seen.asks
    assert found.id == "router-lights" and "leds" in found.words and "light" in found.why


def test_the_scenario_is_compiled_once(catalog):
    from grading.understanding import reading

    scenario = catalog.scenario("chatbot-loop")
    assert isinstance(reading(scenario), Reading) and reading(scenario) is reading(scenario)


# -- the trainer's command


@pytest.mark.slow
def test_understand_explains_a_line_as_text_and_as_json():
    result = sparring("understand", "-s", "home-internet-down", "What's your customer number?")
    assert result.returncode == 0, result.stderr
    assert "contract number (contract)" in result.stdout and "reveal" in result.stdout
    result = sparring("understand", "-s", "home-internet-down", "--format", "json", "What about the box itself?")
    data = json.loads(result.stdout)
    assert data["format"] == "sparring.understanding/1"
    assert data["unplaced"] == ["What about the box itself?"] and data["customer"]["intents"] == ["clarify"]


@pytest.mark.slow
def test_understand_speaks_russian():
    result = sparring("understand", "-s", "kurier-do-dveri", "Номер заказа скиньте", env={"SPARRING_LANGUAGE": "ru"})
    assert "спрашивает: номер заказа (order-number)" in result.stdout, result.stdout


@pytest.mark.slow
def test_understand_an_unknown_scenario_is_one_line():
    assert_one_line_error(sparring("understand", "-s", "no-such-case", "hello"), 2, "no-such-case")


@pytest.mark.slow
def test_validate_warns_about_thin_phrasing_without_failing(tmp_path):
    shipped = (ROOT / "scenarios" / "home-internet-down.yaml").read_text(encoding="utf-8")
    thin = shipped.replace('ask: ["light", "router show", "lamp", "indicator"]', 'ask: ["light"]').replace(
        "id: home-internet-down", "id: thin-case"
    )
    (tmp_path / "thin-case.yaml").write_text(thin, encoding="utf-8")
    result = sparring("validate", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "thin-case.yaml" in result.stderr and "facts.hidden[1].ask: thin phrasing: a single word" in result.stderr


@pytest.mark.slow
def test_unplaced_lists_what_trainees_asked_that_the_customer_could_not_place(tmp_path):
    script = tmp_path / "agent.yaml"
    script.write_text(
        '- say: "Hi Dana, sorry about this. What about the box itself?"\n- say: "What\'s your customer number?"\n',
        encoding="utf-8",
    )
    ran = sparring("simulate", "-s", "home-internet-down", "--agent-script", str(script), "--backend", "scripted", "-q")
    assert ran.returncode == 0, ran.stderr
    listed = json.loads(sparring("unplaced", "-s", "home-internet-down", "--format", "json").stdout)
    assert [(u["question"], u["nearest"]) for u in listed["unplaced"]] == [
        ("What about the box itself?", "router-lights")
    ]


def test_a_statement_about_coverage_is_not_the_coverage_map_advice(catalog):
    """A lexicon entry "coverage map" made the word "coverage" alone meet both words of the trap phrase."""
    scenario = catalog.scenario("slow-mobile-internet")
    assert understand("Our engineers are working hard to improve coverage.", scenario).ids("traps") == []
    assert understand("Have a look at the coverage map on our website.", scenario).ids("traps") == ["generic-checks"]


def test_what_the_report_marks_as_canned_the_customer_hears_as_a_template(catalog):
    """A stock phrase with one of the customer's words in it is still canned, to the grader and the customer."""
    scenario = catalog.scenario("slow-mobile-internet")
    director = Director(scenario, catalog.cast(scenario))
    decision = director.react([AgentMessage("We apologize for any inconvenience. We're improving coverage.")])
    assert [b.intent for b in decision.beats][:1] == [Intent.template_complaint]


@pytest.mark.parametrize(
    ("text", "guess"),
    [
        ("Which address is the service at?", None),  # "service" is only in the contract question's aside
        ("What colour is the box?", "router-lights"),  # the box is the router, which the fact is about
    ],
)
def test_a_guess_at_an_unplaced_question_rests_on_what_the_fact_is(catalog, text, guess):
    meaning = understand(text, catalog.scenario("home-internet-down"))
    assert meaning.unplaced and not meaning.asks
    assert (meaning.guess.id if meaning.guess else None) == guess


def test_asking_after_a_step_in_the_same_sentence_is_a_check_not_asking_again(catalog):
    """ "Unplug it, then tell me whether the light changes" asks for the lights again on purpose: neither the
    grader (asked_again) nor the customer ("I already told you") holds it against the trainee. Asked on its own,
    it is asked again."""
    scenario = catalog.scenario("home-internet-down")
    opening = [
        ("customer", scenario.opening[0]),
        ("agent", "That's awful, I'm sorry. What's your contract number, and what do the router lights show?"),
        ("customer", "77-4410. The DSL light is blinking red. The others are green."),
    ]
    step = "Please unplug the cable from the wall for a minute and tell me whether the DSL light changes."
    again = "Thanks. What do the router lights show?"
    assert understand(step, scenario).ids("checks") == ["router-lights"]
    assert understand(again, scenario).ids("checks") == []
    for last, marked in ((step, False), (again, True)):
        lines = [*opening, ("agent", last)]
        events = [Event(seq=i, t=i * 10.0, role=r, type="message", text=x) for i, (r, x) in enumerate(lines, 1)]
        report = grade(Transcript(id="x", scenario=scenario.id, language="en", events=events), scenario)
        assert any(m.kind == "asked_again" for m in report.marks) is marked, last

        director = Director(scenario, catalog.cast(scenario), level_for(scenario, catalog.cast(scenario)))
        director.catch_up(Transcript(id="x", scenario=scenario.id, language="en", events=events[:-1]))
        told = director.preview([AgentMessage(last)])
        assert (Intent.already_told in [b.intent for b in told.beats]) is marked, last


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("По какому адресу пропал интернет?", ["address"]),  # not «с какого» (since when): another ending
        ("С какого дня нет интернета?", ["outage-days"]),
    ],
)
def test_a_phrase_of_function_words_only_is_matched_word_for_word(catalog, text, asks):
    assert understand(text, catalog.scenario("domashniy-internet-ru")).ids("asks") == asks


@pytest.mark.parametrize(
    "text",
    [
        "Just go into the app, tap the order and pick Change address.",
        "If you log in and open the order, there's an option to edit the delivery details.",
    ],
)
def test_an_english_instruction_without_please_is_advice_not_the_fix_done(catalog, text):
    """English imperatives have no ending: a sentence that opens with an instruction verb (after "just", "if you")
    tells the customer to do it, which here is the scenario's trap, not the agent changing the address."""
    meaning = understand(text, catalog.scenario("chatbot-loop"))
    assert meaning.ids("traps") == ["self-service"] and meaning.ids("resolutions") == []


def test_a_check_after_a_bare_english_instruction_is_a_check_too(catalog):
    text = "Unplug the cable from the wall for a minute and tell me whether the DSL light changes."
    assert understand(text, catalog.scenario("home-internet-down")).ids("checks") == ["router-lights"]


@pytest.mark.parametrize(
    ("scenario_id", "text", "asks"),
    [
        ("domashniy-internet-ru", "А номер договора, с которым вы подключались, под рукой есть?", ["contract"]),
        ("domashniy-internet-ru", "Подскажите номер договора, и какой у вас адрес?", ["contract", "address"]),
    ],
)
def test_a_relative_clause_says_which_thing_is_meant_and_asks_nothing_more(catalog, scenario_id, text, asks):
    """«, с которым вы подключались» describes the contract; it is not a second question about the connection
    address (the customer answered "I already wrote it")."""
    assert understand(text, catalog.scenario(scenario_id)).ids("asks") == asks
