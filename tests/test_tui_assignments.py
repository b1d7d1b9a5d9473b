"""The home screen's "Assigned to you" panel and the mentor's group × assignment grid, driven by Pilot on a real
SQLite store, in English and Russian, with snapshots."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from simulator.i18n import t
from simulator.settings import load_settings
from simulator.tui.app import SparringApp
from simulator.tui.home import HomeScreen
from simulator.tui.practice import PracticeScreen
from tests.test_tui_mentor import SIZE, mentor_app, open_mentoring, wait_for
from tests.test_tui_mentor import mentored as mentored  # a fixture, used by name
from transcripts.assignments import Step, assign
from transcripts.tables import AssignmentRow

LANGUAGES = ["en", "ru"]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def assigned(mentored):
    """Group blue (tom with three graded practice sessions of home-internet-down, zoe with none) gets: that
    scenario (made before tom's sessions, so they count), an overdue chatbot-loop, and an assessment for zoe."""
    boss = mentored
    first = assign(
        boss,
        group="blue",
        kind="scenario",
        target="home-internet-down",
        steps=[Step("home-internet-down", 70)],
        due=date(2099, 1, 15),
        attempts=5,
    )
    assign(
        boss,
        group="blue",
        kind="scenario",
        target="chatbot-loop",
        steps=[Step("chatbot-loop", 70)],
        due=date(2000, 1, 1),
    )
    assign(
        boss,
        group="blue",
        trainee="zoe",
        kind="scenario",
        target="online-school-mentor",
        steps=[Step("online-school-mentor", 80)],
        due=date(2099, 3, 1),
        mode="assessment",
    )
    with boss.db() as db:  # as if made before tom played
        row = db.exec(select(AssignmentRow).where(AssignmentRow.id == first.id)).one()
        row.created_at = datetime(2000, 1, 1, tzinfo=UTC)
        db.add(row)
        db.commit()
    return boss


def app_as(name: str, monkeypatch) -> SparringApp:
    monkeypatch.setenv("SPARRING_USER", name)
    return SparringApp(settings=load_settings(backend="scripted"))


def rows(table) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


@pytest.mark.anyio
@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_trainee_sees_what_is_assigned_and_starts_it(assigned, monkeypatch, language):
    monkeypatch.setenv("SPARRING_LANGUAGE", language)
    app = app_as("zoe", monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        panel = app.screen.query_one("#assigned")
        assert panel.display and panel.border_title == t("home.assigned")
        found = rows(panel)
        assert [r[1] for r in found] == ["2000-01-01", "2099-01-15", "2099-03-01"]  # soonest due first
        assert found[0][2] == t("astatus.overdue")
        assert found[1][2] == t("astatus.not_started") + " · " + t("astatus.left", count=5)
        assert found[2][0].endswith(t("mode.assessment")) and found[2][3] == t("home.unlimited")
        panel.focus()
        panel.move_cursor(row=2)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen))
        assert app.screen.mode == "assessment" and app.screen.scenario_id == "online-school-mentor"
        session = app.screen.session
        await wait_for(pilot, lambda: session is not None)
        stored = app.repo.transcript(session.transcript.id)
        assert stored.meta["assignment"]["name"] == "online-school-mentor"  # for the learning record store


@pytest.mark.anyio
async def test_nothing_assigned_keeps_the_panel_hidden(assigned, monkeypatch):
    app = app_as("mia", monkeypatch)  # a mentor trains in no group
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        assert not app.screen.query_one("#assigned").display


@pytest.mark.anyio
@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_mentor_sees_the_group_grid(assigned, monkeypatch, language):
    monkeypatch.setenv("SPARRING_LANGUAGE", language)
    app = mentor_app()  # as mia
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_mentoring(pilot)
        grid = screen.query_one("#grid")
        assert grid.display and grid.border_title == t("mentor.grid")
        labels = [str(c.label) for c in grid.columns.values()]
        assert labels[1:] == ["#2 chatbot-loop", "#1 home-internet-down", "#3 online-school-mentor"]
        cells = {r[0]: r[1:] for r in rows(grid)}
        assert cells["zoe"][0] == t("astatus.overdue")
        assert cells["zoe"][2].startswith(t("astatus.not_started"))
        assert cells["tom"][2] == "–"  # not his
        assert cells["tom"][1].split(" · ")[0] in (t("astatus.passed"), t("astatus.in_progress"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_with_assignments_snapshot(snap_compare, assigned, monkeypatch, language):
    monkeypatch.setenv("SPARRING_LANGUAGE", language)
    assert snap_compare(app_as("tom", monkeypatch), terminal_size=SIZE)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.slow
def test_mentor_grid_snapshot(snap_compare, assigned, monkeypatch, language):
    monkeypatch.setenv("SPARRING_LANGUAGE", language)

    async def open_it(pilot) -> None:
        await open_mentoring(pilot)
        await pilot.pause(0.3)

    assert snap_compare(mentor_app(), terminal_size=SIZE, run_before=open_it)
