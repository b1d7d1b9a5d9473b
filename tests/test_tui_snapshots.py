"""SVG snapshots of every screen, in English and Russian, at a fixed size with the scripted model.

Update them after an intended change with ``python -m pytest tests/test_tui_snapshots.py --snapshot-update``
and look at the SVGs before committing.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from grading import grade
from simulator.engine.bots import BOTS
from simulator.engine.clock import VirtualClock
from simulator.engine.headless import play
from simulator.engine.session import Session
from simulator.llm.scripted import ScriptedBackend
from simulator.settings import load_settings
from simulator.tui.app import SparringApp
from simulator.tui.practice import PracticeScreen
from simulator.tui.report import ReportScreen
from tests.support import fast_catalog

SIZE = (120, 36)
LANGUAGES = ["en", "ru"]


@pytest.fixture
def make_app(tmp_path, monkeypatch):
    def make(language: str) -> SparringApp:
        monkeypatch.setenv("SPARRING_LANGUAGE", language)
        monkeypatch.setenv("SPARRING_USER", "ann")
        return SparringApp(settings=load_settings(backend="scripted"), catalog=[fast_catalog(tmp_path)])

    return make


@pytest.mark.parametrize("language", LANGUAGES)
def test_home(snap_compare, make_app, language):
    assert snap_compare(make_app(language), terminal_size=SIZE)


async def open_fast_case(pilot) -> PracticeScreen:
    """Start the fast case and wait until the opening is on screen and still (clock and cursor frozen)."""
    app = pilot.app
    table = app.screen.query_one("#scenarios")
    table.move_cursor(row=table.get_row_index("fast-case"))
    await pilot.press("enter")
    deadline = time.monotonic() + 20
    # Wait for what is on screen, not for the session: the bubbles are mounted a moment later.
    while not (
        isinstance(app.screen, PracticeScreen)
        and len(app.screen.query(".customer")) >= 2
        and not app.screen.customer_typing
        and not app.screen.streams
    ):
        assert time.monotonic() < deadline
        await pilot.pause(0.05)
    screen = app.screen
    screen.clock_timer.pause()  # the elapsed time and a blinking cursor would differ from run to run
    screen.query_one("#draft").cursor_blink = False
    screen.query_one("#elapsed").update("0:42")
    return screen


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.slow
def test_practice(snap_compare, make_app, language):
    async def settle(pilot) -> None:
        await open_fast_case(pilot)
        await pilot.pause(0.2)

    assert snap_compare(make_app(language), terminal_size=SIZE, run_before=settle)


@pytest.mark.slow
def test_practice_with_the_coach(snap_compare, make_app):
    """A template in the draft: the coaching line quotes it and names this customer's details."""

    async def coached(pilot) -> None:
        screen = await open_fast_case(pilot)
        await pilot.click("#draft")
        await pilot.press(*"We apologize for any inconvenience.")
        deadline = time.monotonic() + 20
        while not screen.advice:
            assert time.monotonic() < deadline
            await pilot.pause(0.05)
        await pilot.pause(0.2)

    assert snap_compare(make_app("en"), terminal_size=SIZE, run_before=coached)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.slow
def test_report(snap_compare, make_app, language):
    app = make_app(language)
    scenario = app.catalog.scenario("home-internet-down")
    session = Session(
        scenario, app.catalog.cast(scenario), ScriptedBackend(), VirtualClock(), seed=1, session_id="snapshot"
    )
    transcript = asyncio.run(play(session, BOTS["interrupter"](scenario)))
    app.repo.store_transcript(transcript)
    app.repo.save_report(grade(transcript, scenario))

    async def open_report(pilot) -> None:
        await pilot.app.push_screen(ReportScreen("snapshot"))
        await pilot.press("n")
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_report)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.slow
def test_settings(snap_compare, make_app, language):
    async def open_settings(pilot) -> None:
        await pilot.press("s")
        await pilot.pause(0.2)

    assert snap_compare(make_app(language), terminal_size=SIZE, run_before=open_settings)
