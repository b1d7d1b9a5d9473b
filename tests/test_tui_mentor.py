"""The mentor's screens driven by Pilot on a real SQLite store: progress of a group, review of a session."""

from __future__ import annotations

import asyncio

import pytest

from grading import grade
from simulator import paths
from simulator.engine.bots import BOTS
from simulator.engine.clock import VirtualClock
from simulator.engine.headless import play
from simulator.engine.session import Session
from simulator.i18n import t as text
from simulator.llm.scripted import ScriptedBackend
from simulator.settings import load_settings
from simulator.storage import open_repository
from simulator.tui.app import SparringApp
from simulator.tui.marks import MarkItem
from simulator.tui.mentor import MentorScreen, ReviewScreen, TurnItem
from simulator.tui.screens import TextPrompt
from tests.support import wait_for

SIZE = (120, 36)
pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def mentored(monkeypatch, catalog):
    """As the admin "boss": group "blue" with trainee "tom" (three graded sessions) and mentor "mia"."""
    monkeypatch.setenv("SPARRING_USER", "boss")
    boss = open_repository(load_settings(backend="scripted"))
    boss.add_group("blue")
    boss.add_person("tom", "trainee", groups=["blue"])
    boss.add_person("zoe", "trainee", groups=["blue"])
    boss.add_person("mia", "mentor", mentors=["blue"])
    scenario = catalog.scenario("home-internet-down")
    for number, bot in enumerate(("interrupter", "hasty", "good"), 1):
        session = Session(
            scenario, catalog.cast(scenario), ScriptedBackend(), VirtualClock(), seed=number, session_id=f"tom-{number}"
        )
        transcript = asyncio.run(play(session, BOTS[bot](scenario)))
        boss.store_transcript(transcript, trainee="tom")
        boss.save_report(grade(transcript, scenario))
    monkeypatch.setenv("SPARRING_USER", "mia")
    return boss


def mentor_app() -> SparringApp:
    return SparringApp(settings=load_settings(backend="scripted"))


async def open_mentoring(pilot) -> MentorScreen:
    await pilot.app.push_screen(MentorScreen())
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, MentorScreen))
    await pilot.pause(0.1)
    return pilot.app.screen


@pytest.mark.slow
async def test_the_mentor_overrides_a_mark_comments_and_exports(mentored):
    app = mentor_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_mentoring(pilot)
        trainees = screen.query_one("#trainees")
        assert trainees.row_count == 2  # tom and zoe; mia mentors, so she is not listed
        trainees.move_cursor(row=trainees.get_row_index("tom"))
        await pilot.pause(0.1)
        sessions = screen.query_one("#sessions")
        assert sessions.row_count == 3
        sessions.move_cursor(row=sessions.get_row_index("tom-1"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
        review = app.screen
        await pilot.pause(0.1)
        assert review.query(MarkItem) and review.query(TurnItem)

        await pilot.press("n")
        item = review.query_one("#turns").highlighted_child
        assert isinstance(item, MarkItem)
        mark_id = item.stored.id
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press(*"too strict", "enter")
        await wait_for(pilot, lambda: app.screen is review)
        await pilot.pause(0.1)
        stored = {m.id: m for m in mentored.marks("tom-1")}
        assert [(r.verdict, r.reason) for r in stored[mark_id].reviews] == [("override", "too strict")]

        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press(*"ask first", "enter")
        await wait_for(pilot, lambda: app.screen is review)
        await pilot.pause(0.1)
        comments = mentored.comments("tom-1")
        assert [(c.text, c.seq, name) for c, name in comments] == [("ask first", item.seq, "mia")]

        await pilot.press("e")
        await pilot.pause(0.2)
        exported = paths.data_dir() / "exports" / "tom-1.html"
        assert exported.is_file() and "too strict" in exported.read_text(encoding="utf-8")

        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)


@pytest.mark.slow
async def test_a_refusal_is_a_notification_not_a_crash(mentored):
    """Overriding without a reason, or agreeing twice, never takes the app down."""
    app = mentor_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.app.push_screen(ReviewScreen("tom-1"))
        await pilot.pause(0.2)
        review = app.screen
        await pilot.press("g")  # nothing highlighted yet: a warning
        await pilot.press("n", "g")
        await pilot.pause(0.1)
        assert any(r.verdict == "agree" for m in mentored.marks("tom-1") for r in m.reviews)
        review._review(10**6, "agree", None)  # no such mark: NotFound becomes a notification
        await pilot.pause(0.1)
        assert app.screen is review
        assert any(n.severity == "error" for n in app._notifications)


@pytest.mark.slow
async def test_the_kind_filter_shows_only_that_kind(mentored):
    app = mentor_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.app.push_screen(ReviewScreen("tom-1"))
        await pilot.pause(0.2)
        review = app.screen
        kinds = {i.stored.mark.kind for i in review.query(MarkItem)}
        kind = sorted(kinds)[0]
        review.query_one("#kind").value = kind
        await pilot.pause(0.2)
        assert {i.stored.mark.kind for i in review.query(MarkItem)} == {kind}


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.slow
def test_mentor_screen(snap_compare, mentored, monkeypatch, language):
    monkeypatch.setenv("SPARRING_LANGUAGE", language)

    async def open_it(pilot) -> None:
        await open_mentoring(pilot)
        await pilot.pause(0.3)

    assert snap_compare(mentor_app(), terminal_size=SIZE, run_before=open_it)


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.slow
def test_review_screen(snap_compare, mentored, monkeypatch, language):
    monkeypatch.setenv("SPARRING_LANGUAGE", language)

    async def open_it(pilot) -> None:
        await pilot.app.push_screen(ReviewScreen("tom-1"))
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen))
        await pilot.press("n")
        await pilot.pause(0.3)

    assert snap_compare(mentor_app(), terminal_size=SIZE, run_before=open_it)


def test_the_strings_follow_the_interface_language(monkeypatch):
    monkeypatch.setenv("SPARRING_LANGUAGE", "ru")
    assert text("mentor.review") == "Разбор"
    assert text("mentor.exported", path="/x") == "Экспортировано в /x"
    assert text("tui.next_mark") == "След. отметка"  # keys already in simulator.i18n come from there
    monkeypatch.setenv("SPARRING_LANGUAGE", "en")
    assert text("mentor.review") == "Review"
