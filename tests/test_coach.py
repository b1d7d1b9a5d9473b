"""The live coach: the grader's own walk tried on a draft, in English and Russian."""

from __future__ import annotations

from pathlib import Path

import pytest

from grading import grade
from grading.coach import COACHED, UNANSWERED, Coach, review
from transcripts.format import Event, Transcript, load_transcript

PLANTED = sorted(p for p in (Path(__file__).parent / "data" / "planted").glob("*.json") if ".expect" not in p.name)


def following(catalog, scenario_id: str, *customer: str) -> Coach:
    """A coach that has heard the customer say these lines (the scenario's opening if none)."""
    scenario = catalog.scenario(scenario_id)
    coach = Coach(scenario, scenario.language)
    for seq, text in enumerate(customer or scenario.opening, 1):
        coach.hear(Event(seq=seq, t=float(seq), role="customer", type="message", text=text))
    return coach


def kinds(hints) -> list[str]:
    return [h.kind for h in hints]


@pytest.mark.parametrize(
    ("scenario_id", "draft", "phrase", "detail"),
    [
        ("home-internet-down", "We apologize for any inconvenience.", "We apologize for any inconvenience.", "three"),
        ("domashniy-internet-ru", "Приносим извинения за доставленные неудобства.", "Приносим извинения", "второй"),
    ],
)
def test_a_canned_phrase_is_quoted_with_a_rewrite_from_the_customers_own_details(
    catalog, scenario_id, draft, phrase, detail
):
    hints = following(catalog, scenario_id).advise(draft, 10.0)
    canned = next(h for h in hints if h.kind == "canned_answer")
    assert canned.phrase and phrase in canned.phrase and canned.phrase in canned.text
    assert detail in canned.text.split(canned.phrase, 1)[1]  # the rewrite names what this customer said


@pytest.mark.parametrize(
    ("scenario_id", "draft"),
    [("home-internet-down", "Please restart your router."), ("domashniy-internet-ru", "Перезагрузите роутер.")],
)
def test_a_hasty_fix_gets_the_question_to_ask_first(catalog, scenario_id, draft):
    scenario = catalog.scenario(scenario_id)
    hints = following(catalog, scenario_id).advise(draft, 10.0)
    hasty = next(h for h in hints if h.kind == "missed_clarifying_question")
    required = [f for f in scenario.facts.hidden if f.required]
    assert any(f.question in hasty.text for f in required)


@pytest.mark.parametrize(
    ("scenario_id", "cold", "warm"),
    [
        (
            "home-internet-down",
            "What is your contract number?",
            "I'm so sorry, that sounds awful. What is your contract number?",
        ),
        ("domashniy-internet-ru", "Назовите номер договора.", "Мне очень жаль, это ужасно. Назовите номер договора."),
    ],
)
def test_an_upset_customer_needs_an_acknowledgement_first(catalog, scenario_id, cold, warm):
    upset = {
        "en": "Three days without internet!!! This is RIDICULOUS.",
        "ru": "Третий день без интернета!!! Это ВОЗМУТИТЕЛЬНО.",
    }
    coach = following(catalog, scenario_id, upset[catalog.scenario(scenario_id).language])
    assert "no_empathy" in kinds(coach.advise(cold, 10.0))
    assert "no_empathy" not in kinds(coach.advise(warm, 10.0))


def test_asking_again_for_what_was_said_and_an_unanswered_question(catalog):
    coach = following(
        catalog, "home-internet-down", "It has been down for three days. When will my connection work again?"
    )
    hints = coach.advise("How long has it been down?", 10.0)
    assert "asked_again" in kinds(hints) and "three days" in next(h.text for h in hints if h.kind == "asked_again")
    assert UNANSWERED in kinds(hints) and "When will my connection work again?" in hints[-1].text
    assert UNANSWERED not in kinds(coach.advise("Your connection will work again by six tonight.", 10.0))


def test_still_typing_means_wait_and_nothing_to_say_on_an_empty_draft(catalog):
    coach = following(catalog, "home-internet-down")
    coach.hear(Event(seq=9, t=9.0, role="customer", type="typing"))
    assert kinds(coach.advise("Hello?", 9.5))[0] == "interruption"
    assert coach.advise("   ", 9.5) == []


def test_advising_changes_nothing_it_follows(catalog):
    coach = following(catalog, "home-internet-down")
    first = coach.advise("Please restart your router.", 10.0)
    coach.advise("We apologize for any inconvenience. How long has it been down?", 10.0)
    assert coach.advise("Please restart your router.", 10.0) == first


@pytest.mark.parametrize("path", PLANTED, ids=lambda p: p.stem)
def test_the_coach_warns_about_every_fault_the_grader_gives_a_message(catalog, path):
    """One rule set: tried before each agent message, the coach names every coached fault the grader
    puts on it afterwards (only the first reply that ignores an upset customer gets "no_empathy")."""
    transcript = load_transcript(path)
    scenario = catalog.scenario(transcript.scenario) if transcript.scenario else None
    report = grade(transcript, scenario)
    coach = Coach(scenario, transcript.language)
    for event in transcript.events:
        if event.role == "agent" and event.is_message:
            shown = set(kinds(coach.advise(event.text or "", event.t)))
            given = {m.kind for m in report.marks if m.seq == event.seq and not m.positive and m.kind in COACHED}
            assert given <= shown, f"seq {event.seq}: the grader gives {given - shown}, the coach did not warn"
        coach.hear(event)


def test_the_review_tells_ignored_advice_from_faults_the_coach_missed():
    def agent(seq: int, text: str, shown: list[str], fixed: list[str]) -> Event:
        coach = {"shown": [{"kind": k, "text": "…"} for k in shown], "fixed": fixed}
        return Event(seq=seq, t=seq, role="agent", type="message", text=text, meta={"coach": coach})

    transcript = Transcript(
        id="x",
        language="en",
        events=[
            Event(seq=1, t=0, role="customer", type="message", text="My internet has been dead for THREE days!"),
            agent(2, "We apologize for any inconvenience.", ["canned_answer"], ["missed_clarifying_question"]),
            Event(seq=3, t=3, role="customer", type="message", text="Useless."),
            agent(4, "Thank you for your patience.", [], ["no_empathy"]),
        ],
    )
    report = grade(transcript)
    coached = review(transcript, report.marks)
    assert coached is not None and coached.fixed == 2
    assert [(m.kind, m.seq) for m in coached.warned] == [("canned_answer", 2)]
    assert ("canned_answer", 4) in [(m.kind, m.seq) for m in coached.missed]
    assert coached.status(coached.warned[0]) == "warned"
    plain = transcript.model_copy(update={"events": [e.model_copy(update={"meta": {}}) for e in transcript.events]})
    assert review(plain, report.marks) is None  # the coach was off


def test_the_next_step_follows_the_conversation_as_the_grader_reads_it(catalog):
    """The hint (ctrl+t in the app) comes from the grader's walk: the upset first, then each required fact the
    customer has not given, then the fix; said in the trainee's own words, the grader still hears it."""
    scenario = catalog.scenario("home-internet-down")
    coach = following(catalog, "home-internet-down")
    assert coach.next_step().kind == "empathy"  # "dead for THREE days", and nobody has acknowledged it

    lines = [
        ("agent", "Three days without internet while you work from home, that's awful. I'm sorry."),
        ("agent", "Which number is on your contract?"),
        ("customer", "My contract number is 77-4410."),
    ]
    for seq, (role, text) in enumerate(lines, 3):
        coach.hear(Event(seq=seq, t=float(seq * 5), role=role, type="message", text=text))
    step = coach.next_step()
    assert (step.kind, step.fact and step.fact.id) == ("ask", "router-lights")

    coach.hear(Event(seq=6, t=40.0, role="agent", type="message", text="What do the lamps on the box show now?"))
    coach.hear(Event(seq=7, t=45.0, role="customer", type="message", text=scenario.facts.hidden[1].reveal[0]))
    assert coach.next_step().kind == "resolve"  # "restarted" is not required


def test_the_next_step_of_a_stored_chat_is_the_same_as_of_one_heard_live(catalog):
    scenario = catalog.scenario("home-internet-down")
    events = [
        Event(seq=1, t=1.0, role="customer", type="message", text=scenario.opening[0]),
        Event(seq=2, t=9.0, role="agent", type="message", text="I'm so sorry, that is really frustrating."),
    ]
    live = Coach(scenario, "en")
    for event in events:
        live.hear(event)
    stored = Coach.following(Transcript(id="x", language="en", events=events), scenario)
    step = stored.next_step()
    assert (step.kind, step.fact and step.fact.id) == ("ask", "contract")
    assert live.next_step() == step
