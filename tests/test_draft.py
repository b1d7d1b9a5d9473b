"""``sparring draft``: a scenario draft from a real chat, in English and Russian.

The chats in ``tests/data/draft`` are hand-written: a parcel that never came (JSON, English) and a home
internet outage (CSV, Russian), each with names, an email, a phone number, a card number, an address and an
order or contract number.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from grading.understanding import reading
from simulator.catalog import Scenario, load_catalog
from simulator.catalog.models import Temperament
from simulator.draft import draft_scenario, write_draft
from simulator.draft.drafting import mood
from simulator.i18n import t
from simulator.paths import shipped_catalog
from tests.support import wait_for

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "draft"
EN = DATA / "en-missing-parcel.json"
RU = DATA / "ru-net-outage.csv"

# Everything personal in the two chats, as written there.
ORIGINALS = {
    EN: [
        "Emily",
        "Carter",
        "Jake",
        "emily.carter84",
        "emily.carter84@gmail.com",
        "07823 441907",
        "07823441907",
        "4539 1488 0343 6467",
        "4539148803436467",
        "6467",
        "14 Willow Lane",
        "Willow",
        "Bristol",
        "BS6 5QT",
        "BX-48213-77",
        "48213",
    ],
    RU: [
        "Анна",
        "Анну",
        "Соколов",
        "sokolova",
        "anna.sokolova@yandex.ru",
        "Марина",
        "+7 916 245-18-73",
        "9162451873",
        "2200 7001 2345 6781",
        "2200700123456781",
        "6781",
        "Лесная",
        "Лесной",
        "Москва",
        "д. 15, кв. 87",
        "77-4410-218",
        "4410",
    ],
}


@pytest.fixture(scope="module")
def drafts() -> dict[Path, tuple[str, Scenario]]:
    out = {}
    for chat, name in ((EN, "missing-parcel"), (RU, "net-outage")):
        draft = draft_scenario(chat, name)
        out[chat] = (draft.text, Scenario.model_validate(yaml.safe_load(draft.text)))
    return out


def facts(scenario: Scenario, group: str) -> dict[str, str]:
    """label -> value"""
    return {f.label: f.value for f in getattr(scenario.facts, group)}


# ------------------------------------------------------------------------------------------ what the chat says


def test_english_facts_are_split_by_whether_the_agent_asked(drafts):
    _, scenario = drafts[EN]
    volunteered, hidden = facts(scenario, "volunteered"), facts(scenario, "hidden")
    # Said unasked: the order number and the courier in the opening, then the card in anger, the email at the end.
    assert {"order number", "card number", "amount", "email address", "where they have already been"} <= set(
        volunteered
    )
    assert set(hidden) == {"address", "phone number"}
    assert re.fullmatch(r"[A-Z]{2}-\d{5}-\d{2}", volunteered["order number"])
    assert volunteered["order number"] in scenario.opening[0]  # said from the start
    assert "called the courier" in volunteered["where they have already been"]
    assert re.fullmatch(r"\d+ \w+ Lane, Flat \d, \w+ [A-Z]{2}\d [0-9][A-Z]{2}", hidden["address"])


def test_russian_facts_are_split_by_whether_the_agent_asked(drafts):
    _, scenario = drafts[RU]
    volunteered, hidden = facts(scenario, "volunteered"), facts(scenario, "hidden")
    assert {"номер карты", "сумма", "что клиент уже сделал", "адрес почты"} <= set(volunteered)
    assert set(hidden) == {"номер договора или счёта", "адрес", "номер телефона"}
    assert "перезагружала" in volunteered["что клиент уже сделал"]
    assert re.fullmatch(r"\d\d-\d{4}-\d{3}", hidden["номер договора или счёта"])
    assert re.fullmatch(r"[А-ЯЁ][а-яё]+, ул\. [А-ЯЁ][а-яё]+, д\. \d+, кв\. \d+", hidden["адрес"])
    # The email came with the phone number, but nobody asked for it.
    assert "адрес почты" not in hidden


@pytest.mark.parametrize(
    ("chat", "label", "question", "phrase"),
    [
        (EN, "address", "Could you confirm the delivery address on the order?", "address"),
        (EN, "phone number", "And what's the best phone number to reach you on?", "phone number"),
        (RU, "номер договора или счёта", "Подскажите, пожалуйста, номер договора?", "номер договора"),
        (RU, "адрес", "По какому адресу подключение?", "адрес"),
    ],
)
def test_a_hidden_fact_asks_with_the_agents_question(drafts, chat, label, question, phrase):
    _, scenario = drafts[chat]
    fact = next(f for f in scenario.facts.hidden if f.label == label)
    assert fact.question == question
    assert phrase in fact.ask
    assert fact.required  # asked before the agent did anything
    assert reading(scenario).phrased(fact.question, fact.id)  # as `sparring validate` checks
    assert all("{value}" in line for line in fact.reveal)


def test_canned_replies_become_templates(drafts):
    _, en = drafts[EN]
    assert (
        "Thank you for contacting ShopLine. We apologise for any inconvenience. Your request has been forwarded "
        "to the relevant department."
    ) in en.templates
    _, ru = drafts[RU]
    assert any("Спасибо за обращение" in template for template in ru.templates)
    assert not any("номер договора" in template for template in ru.templates)  # a real question is not canned


def test_mentor_notes_say_what_the_grader_found(drafts):
    _, en = drafts[EN]
    assert en.mentor_notes and "canned answer at message 4" in en.mentor_notes
    _, ru = drafts[RU]
    assert ru.mentor_notes and "шаблонный ответ в сообщении 4" in ru.mentor_notes


def test_the_temperament_is_guessed_from_the_customers_cues(drafts):
    _, en = drafts[EN]
    assert en.persona == "angry"  # "NOBODY", "?!", "!!"
    assert en.persona_overrides.intensity and en.persona_overrides.intensity >= 5
    _, ru = drafts[RU]
    assert ru.persona == "impatient"  # «Сколько можно ждать?!», «второй день»
    assert ru.language == "ru" and en.language == "en"


@pytest.mark.parametrize(
    ("texts", "language", "expected"),
    [
        (["Sorry to bother you, I'm really worried, please help, I don't know what to do."], "en", "anxious"),
        (["Hi, my invoice shows the wrong plan.", "OK, thanks."], "en", "passive"),
        (["I don't understand, what does that mean? Which one do I press?"], "en", "confused"),
        (["Oh great, thanks a lot. Brilliant service as always."], "en", "sarcastic"),
        (["Я не понимаю, что это значит? Куда нажать?"], "ru", "confused"),
        (["Я очень переживаю, извините, пожалуйста помогите, боюсь остаться без денег"], "ru", "anxious"),
    ],
)
def test_mood_from_cues(texts, language, expected):
    assert mood(texts, language).temperament == Temperament(expected)


# ------------------------------------------------------------------------------------------ personal data


@pytest.mark.parametrize("chat", [EN, RU])
def test_no_personal_value_survives_anywhere_in_the_draft(drafts, chat):
    text, _ = drafts[chat]
    folded = text.casefold()
    digits = re.sub(r"\D", "", text)
    for original in ORIGINALS[chat]:
        assert original.casefold() not in folded, original
        if original.isdigit() and len(original) >= 7:
            assert original not in digits, original
    # And the original file's own text is still there to compare with: the list above is not stale.
    source = chat.read_text(encoding="utf-8")
    assert all(original in source or original in re.sub(r"\D", "", source) for original in ORIGINALS[chat])


def test_the_same_value_gets_the_same_fake_everywhere(drafts):
    text, scenario = drafts[EN]
    card = facts(scenario, "volunteered")["card number"]
    assert card not in " ".join(scenario.opening)  # said in anger in message 5, after the canned reply
    assert re.fullmatch(r"4\d{3} \d{4} \d{4} \d{4}", card)  # same network digit and grouping
    assert _luhn(card)
    assert f"card ending {card[-4:]}" in text  # what the agent said back about it
    name = scenario.persona_overrides.name
    assert name and name != "Emily"
    assert f"I'm {name} " in text  # her self-introduction, in the phone number's reveal line
    email = facts(scenario, "volunteered")["email address"]
    surname = re.search(rf"I'm {name} (\w+)", text)
    assert surname and email.startswith(f"{name.casefold()}.{surname[1].casefold()}")
    assert email.endswith("@gmail.com")
    address = facts(scenario, "hidden")["address"]
    street = address.split(",")[0]  # "68 Orchard Lane"
    assert f"to {street}" in text  # the agent's "re-sent it … to 14 Willow Lane", with the same fake

    text, scenario = drafts[RU]
    name = scenario.persona_overrides.name
    assert name and name != "Анна"
    assert f"{name[:-1]}у" in text  # «оформлен на Анну Соколову»: the same fake, in the accusative
    phone = facts(scenario, "hidden")["номер телефона"]
    assert re.fullmatch(r"\+7 9\d\d \d{3}-\d\d-\d\d", phone)
    assert text.count(phone) >= 2  # the reveal and the agent's "позвонит на …"
    street = re.search(r"ул\. ([А-ЯЁ][а-яё]+)ая", facts(scenario, "hidden")["адрес"])
    assert street and f"на {street[1]}ой" in text  # «в вашем доме на Лесной»


def _luhn(number: str) -> bool:
    from grading.details import luhn

    return luhn(number)


def test_a_draft_is_the_same_every_time():
    assert draft_scenario(EN, "x").text == draft_scenario(EN, "x").text


# ------------------------------------------------------------------------------------------ validation


TODO_FIELDS = {"domain", "resolutions[0].match[0]", "resolutions[0].example", "traps[0].match[0]", "traps[0].why"}


def fill(text: str) -> str:
    """The TODO values written as a trainer would (for the parcel chat)."""
    text = re.sub(r'domain: "TODO[^"]*"', "domain: retail", text)
    text = re.sub(r'match: \["TODO: phrases that mean[^\]]*\]', 'match: ["re-sent", "send it again"]', text)
    text = re.sub(r'example: "TODO[^"]*"', 'example: "I have re-sent it by express courier for tomorrow."', text)
    text = re.sub(r'match: \["TODO: phrases of advice[^\]]*\]', 'match: ["contact the courier"]', text)
    return re.sub(r'why: "TODO[^"]*"', 'why: "She has called the courier twice already."', text)


@pytest.mark.parametrize("chat", [EN, RU])
def test_the_draft_validates_except_for_exactly_its_todo_fields(tmp_path, chat):
    out = tmp_path / "scenarios" / "from-chat.yaml"
    draft = write_draft(chat, out)
    assert draft.todos == len(TODO_FIELDS)
    loaded = load_catalog([shipped_catalog() / "personas", out])
    assert {p.field for p in loaded.problems} == TODO_FIELDS, [str(p) for p in loaded.problems]
    lines = out.read_text(encoding="utf-8").splitlines()
    for problem in loaded.problems:
        assert problem.problem.startswith("TODO"), str(problem)
        assert Path(problem.path) == out
        assert "TODO" in lines[problem.line - 1], str(problem)
    if chat == EN:
        out.write_text(fill(out.read_text(encoding="utf-8")), encoding="utf-8")
        loaded = load_catalog([shipped_catalog() / "personas", out])
        assert not loaded.problems, [str(p) for p in loaded.problems]
        assert "from-chat" in loaded.scenarios


def sparring(*args: str) -> subprocess.CompletedProcess:
    """The real command, run from this checkout, in English."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SPARRING_LANGUAGE": "en"}
    return subprocess.run(
        [sys.executable, "-m", "simulator.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=120, env=env
    )


@pytest.mark.slow
def test_the_cli_writes_a_draft_that_validate_names_one_line_per_todo(tmp_path):
    out = tmp_path / "scenarios" / "my-case.yaml"
    made = sparring("draft", str(EN), "-o", str(out))
    assert made.returncode == 0, made.stderr
    assert t("draft.written", path=out, todos=5, replaced=12, lang="en").split(":")[0] in made.stdout
    empty = tmp_path / "empty-catalog"
    empty.mkdir()
    checked = sparring("validate", "--catalog", str(empty), str(out))
    assert checked.returncode == 1
    lines = checked.stderr.splitlines()
    assert lines[-1] == t("validate.failed", count=5, lang="en")
    found = set()
    for line in lines[:-1]:
        match = re.fullmatch(rf"{re.escape(str(out))}:(\d+): (\S+): (TODO: .+)", line)
        assert match, line
        found.add(match[2])
    assert found == TODO_FIELDS


@pytest.mark.slow
def test_the_cli_refuses_to_overwrite_unless_forced(tmp_path):
    out = tmp_path / "mine.yaml"
    out.write_text("keep me\n", encoding="utf-8")
    refused = sparring("draft", str(EN), "-o", str(out))
    assert refused.returncode == 2
    assert refused.stderr.strip().count("\n") == 0 and "--force" in refused.stderr
    assert out.read_text(encoding="utf-8") == "keep me\n"
    forced = sparring("draft", str(RU), "-o", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert 'language: "ru"' in out.read_text(encoding="utf-8")
    assert 'id: "mine"' in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "cannot read"),
        ("", "empty file"),
        ("role,text\n", "no messages"),
        ('[{"role": "agent", "text": "Hello, how can I help?"}]', "no customer messages"),
        ("[1, 2]", "expected an object"),
    ],
)
@pytest.mark.slow
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, content, problem):
    chat = tmp_path / "chat.json"
    if content is not None:
        chat.write_text(content, encoding="utf-8")
    out = tmp_path / "out" / "case.yaml"
    result = sparring("draft", str(chat), "-o", str(out))
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith(f"{chat}:1: "), result.stderr
    assert problem in result.stderr
    assert not out.exists() and not out.parent.exists()


def test_help_explains():
    result = sparring("draft", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for words in ("real chat", "TODO", "fakes", "--force", "--out", "--lang"):
        assert words in text, words


# ------------------------------------------------------------------------------------------ the trainer screen


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.slow
@pytest.mark.anyio
async def test_the_trainer_screen_drafts_a_scenario_from_a_chat(tmp_path, monkeypatch):
    from simulator.settings import load_settings
    from simulator.tui.app import SparringApp
    from simulator.tui.trainer import DraftScreen, TrainerScreen

    monkeypatch.setenv("SPARRING_USER", "ann")
    monkeypatch.setenv("SPARRING_LANGUAGE", "en")
    mine = tmp_path / "mine"
    (mine / "scenarios").mkdir(parents=True)
    app = SparringApp(settings=load_settings(backend="scripted"), catalog=[mine])
    async with app.run_test(size=(120, 36)) as pilot:
        screen = TrainerScreen([mine])
        await app.push_screen(screen)
        await pilot.pause()
        await pilot.press("d")
        deadline = time.monotonic() + 10
        while not isinstance(app.screen, DraftScreen):
            assert time.monotonic() < deadline
            await pilot.pause(0.05)
        await pilot.press(*str(RU))
        await pilot.press("enter")
        await pilot.press("enter")  # the default: mine/scenarios/ru-net-outage.yaml
        out = mine / "scenarios" / "ru-net-outage.yaml"
        await wait_for(pilot, lambda: screen.selected is not None)  # drafted off the event loop
        assert out.exists()
        assert app.screen is screen
        assert screen.selected is not None and screen.selected.path.resolve() == out.resolve()
        shown = str(screen.query_one("#problems").render())
        assert "resolutions[0].example: TODO" in shown
        assert "Анна" not in screen.query_one("#source").text
        # The same file again is refused, and the draft is kept.
        before = out.read_text(encoding="utf-8")
        await pilot.press("d")
        await pilot.pause()
        await pilot.press(*str(EN))
        await pilot.press("enter")
        await pilot.press(*str(out))
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("already exists" in str(n.message) for n in app._notifications))
        assert out.read_text(encoding="utf-8") == before


def test_an_answer_to_a_question_of_no_known_kind_is_a_hidden_fact_named_by_the_question():
    """ "Which lights are on?" asks for no order number or address: the question's own words name the fact."""
    draft = draft_scenario(ROOT / "tests" / "data" / "exports" / "en-router-json-list.json", "router")
    scenario = Scenario.model_validate(yaml.safe_load(draft.text))
    (fact,) = scenario.facts.hidden
    assert fact.value == "Power and DSL are green, Internet blinks orange."
    assert fact.question == "Could you tell me which lights are on at the front of the router?"
    assert "lights" in fact.label and "router" in fact.label
    assert reading(scenario).phrased(fact.question, fact.id)
    assert "Priya" not in draft.text  # the agent's name, from "Hello, I'm Priya."
