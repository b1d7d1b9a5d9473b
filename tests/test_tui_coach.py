"""The live coach under the draft, driven by Pilot: what it says as the trainee types, in English and Russian,
what it records with each message, and the report's comparison afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.settings import load_settings
from simulator.tui.app import SparringApp
from simulator.tui.practice import PracticeScreen
from simulator.tui.report import ReportScreen
from tests.support import ROOT, fast_catalog
from tests.test_tui import SIZE, open_practice, wait_for

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def fast_russian_catalog(tmp_path: Path) -> Path:
    """The Russian home-internet and courier cases with customers who type fast."""
    root = fast_catalog(tmp_path)
    persona = (ROOT / "personas" / "passive.yaml").read_text(encoding="utf-8")
    (root / "personas" / "fast-ru.yaml").write_text(
        persona.replace("id: passive", "id: fast-ru").replace("typing_cps: 4", "typing_cps: 100"), encoding="utf-8"
    )
    scenario = (ROOT / "scenarios" / "domashniy-internet-ru.yaml").read_text(encoding="utf-8")
    (root / "scenarios" / "fast-ru.yaml").write_text(
        scenario.replace("id: domashniy-internet-ru", "id: fast-ru").replace("persona: passive", "persona: fast-ru"),
        encoding="utf-8",
    )
    kurier = (ROOT / "scenarios" / "kurier-do-dveri.yaml").read_text(encoding="utf-8")
    (root / "scenarios" / "fast-kurier.yaml").write_text(
        kurier.replace("id: kurier-do-dveri", "id: fast-kurier").replace("persona: angry", "persona: fast"),
        encoding="utf-8",
    )
    return root


@pytest.fixture
def app(tmp_path, monkeypatch) -> SparringApp:
    monkeypatch.setenv("SPARRING_USER", "ann")
    return SparringApp(settings=load_settings(backend="scripted"), catalog=[fast_russian_catalog(tmp_path)])


async def draft(pilot, screen: PracticeScreen, text: str) -> str:
    """Type ``text`` over whatever the draft held and return the coaching line once it has caught up."""
    screen.query_one("#draft").value = ""
    await pilot.press(*text)
    await wait_for(pilot, lambda: screen.coach is not None and screen.advice == screen.coach.advise(text, 0.0))
    await pilot.pause(0.05)
    return str(screen.query_one("#coach").render())


@pytest.mark.parametrize(
    ("scenario_id", "canned", "phrase", "hasty", "question", "cold", "acknowledge"),
    [
        (
            "fast-case",
            "We apologize for any inconvenience.",
            "would fit any customer",
            "Please restart your router.",
            "Ask first",
            "What is your contract number?",
            "Acknowledge it",
        ),
        (
            "fast-ru",
            "Приносим извинения за доставленные неудобства.",
            "подошло бы любому клиенту",
            "Перезагрузите роутер.",
            "Сначала спросите",
            "Назовите номер договора.",
            None,  # this customer is quiet, not upset: nothing to acknowledge
        ),
    ],
)
@pytest.mark.slow
async def test_the_coaching_line_follows_the_draft(
    app, scenario_id, canned, phrase, hasty, question, cold, acknowledge
):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_practice(app, pilot, scenario_id)
        line = await draft(pilot, screen, canned)
        assert phrase in line and canned.rstrip(".") in line
        line = await draft(pilot, screen, hasty)
        assert question in line and any(f.question in line for f in screen.session.scenario.facts.hidden)
        line = await draft(pilot, screen, cold)
        assert (acknowledge in line) if acknowledge else "no_empathy" not in [h.kind for h in screen.advice]


@pytest.mark.slow
async def test_an_upset_russian_customer_needs_an_acknowledgement_first(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_practice(app, pilot, "fast-kurier")
        assert "Сначала признайте это" in await draft(pilot, screen, "Назовите номер заказа.")
        await draft(pilot, screen, "Мне очень жаль, с гипсом это тяжело. Назовите номер заказа.")
        assert "no_empathy" not in [h.kind for h in screen.advice]


@pytest.mark.slow
async def test_what_the_coach_showed_is_recorded_and_compared_in_the_report(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_practice(app, pilot, "fast-case")
        await draft(pilot, screen, "Please restart your router.")  # advice heeded: rewritten before sending
        await draft(pilot, screen, "We apologize for any inconvenience.")  # advice ignored: sent as it is
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.session.transcript.messages("agent"))
        sent = screen.session.transcript.messages("agent")[0].meta["coach"]
        assert "canned_answer" in [h["kind"] for h in sent["shown"]]
        assert "missed_clarifying_question" in sent["fixed"]
        assert str(screen.query_one("#coach").render()) == ""  # a fresh draft starts clean
        session_id = screen.session.transcript.id
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
        await pilot.pause(0.2)
        stored = app.repo.transcript(session_id).messages("agent")[0].meta["coach"]
        assert stored == sent
        summary = str(app.screen.query_one("#coach").render())
        assert "warned before sending about 2" in summary and "did not catch 0" in summary  # template, empathy
        # Rewritten before sending: the fix before any question, and the restart she already did twice.
        assert "2 pieces of advice taken" in summary
        marks = [str(item.query_one("Static").render()) for item in app.screen.query("MarkItem")]
        assert any("canned answer" in m and "The coach warned about this before it was sent" in m for m in marks), marks


@pytest.mark.slow
async def test_ctrl_g_turns_the_coach_off_and_on(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_practice(app, pilot, "fast-case")
        await draft(pilot, screen, "Please restart your router.")
        await pilot.press("ctrl+g")
        assert screen.coach is None and str(screen.query_one("#coach").render()) == ""
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.session.transcript.messages("agent"))
        assert "coach" not in screen.session.transcript.messages("agent")[0].meta
        await pilot.press("ctrl+g")
        assert screen.coach is not None


@pytest.mark.slow
async def test_no_coach_in_assessment_or_when_the_setting_is_off(app, monkeypatch):
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(PracticeScreen("fast-case", mode="assessment"))
        screen = app.screen
        await pilot.click("#draft")
        await pilot.press(*"We apologize.", "ctrl+g")
        await pilot.pause(0.3)
        assert screen.coach is None and str(screen.query_one("#coach").render()) == ""
        app.settings = app.settings.model_copy(update={"coach": False})
        await app.push_screen(PracticeScreen("fast-case"))
        assert app.screen.coach is None
