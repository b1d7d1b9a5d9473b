"""The trainer's workbench driven by Pilot: broken files with their path:line problems, reload, a persona's
voice, and dry runs of a scenario with bots whose graded transcripts show the expected marks."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Markdown, OptionList, Tree

from simulator.i18n import t
from simulator.settings import load_settings
from simulator.tui.app import SparringApp
from simulator.tui.trainer import BotScreen, TrainerScreen
from tests.support import wait_for

ROOT = Path(__file__).resolve().parents[1]
SIZE = (120, 36)
pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def broken_catalog(root: Path) -> Path:
    """A copy of home-internet-down with a new id and an impossible difficulty."""
    (root / "scenarios").mkdir(parents=True)
    text = (ROOT / "scenarios" / "home-internet-down.yaml").read_text(encoding="utf-8")
    assert "\ndifficulty: 3\n" in text
    broken = text.replace("id: home-internet-down", "id: broken-case").replace("\ndifficulty: 3\n", "\ndifficulty: 9\n")
    (root / "scenarios" / "broken-case.yaml").write_text(broken, encoding="utf-8")
    return root


@pytest.fixture
def app(tmp_path, monkeypatch) -> SparringApp:
    monkeypatch.setenv("SPARRING_USER", "ann")
    return SparringApp(settings=load_settings(backend="scripted"), catalog=[broken_catalog(tmp_path / "mine")])


async def open_trainer(app: SparringApp, pilot, extra: list[Path] | None = None) -> TrainerScreen:
    screen = TrainerScreen(extra)
    await app.push_screen(screen)
    await pilot.pause()
    return screen


def labels(screen: TrainerScreen) -> dict[str, str]:
    tree = screen.query_one("#files", Tree)
    return {node.data.name: str(node.label) for group in tree.root.children for node in group.children if node.data}


def problems_text(screen: TrainerScreen) -> str:
    return str(screen.query_one("#problems").render())


@pytest.mark.slow
async def test_a_broken_scenario_is_marked_and_its_problem_shown_then_a_fix_and_reload_clear_it(app, tmp_path):
    path = tmp_path / "mine" / "scenarios" / "broken-case.yaml"
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_trainer(app, pilot, [tmp_path / "mine"])
        shown = labels(screen)
        assert shown["broken-case.yaml"].startswith("✗")
        assert shown["home-internet-down"].startswith("✓")
        assert shown["angry"].startswith("✓")
        screen.select("broken-case.yaml")
        await pilot.pause()
        line = path.read_text(encoding="utf-8").splitlines().index("difficulty: 9") + 1
        assert f"{path}:{line}: difficulty: Input should be less than or equal to 5" in problems_text(screen)
        assert "id: broken-case" in screen.query_one("#source").text

        # The trainer fixes the file and reloads: the problem goes and the scenario loads.
        path.write_text(path.read_text(encoding="utf-8").replace("difficulty: 9", "difficulty: 2"), encoding="utf-8")
        await pilot.press("r")
        await pilot.pause()
        assert labels(screen)["broken-case"].startswith("✓")
        assert problems_text(screen) == t("trainer.valid")
        assert "broken-case" in app.catalog.scenarios


@pytest.mark.slow
async def test_a_persona_voice_shows_one_authored_line_per_intent(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_trainer(app, pilot)
        screen.select("angry")
        await pilot.press("v")
        await pilot.pause()
        assert not screen.query_one("#panel").has_class("hidden")
        assert "Dana" in screen.voice
        assert "- `complain`: This is still not working and nobody seems to care." in screen.voice


@pytest.mark.slow
async def test_the_voice_follows_the_interface_language(app, monkeypatch):
    monkeypatch.setenv("SPARRING_LANGUAGE", "ru")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_trainer(app, pilot)
        screen.select("angry")
        await pilot.press("v")
        assert "Дарья" in screen.voice
        assert "- `complain`: Ничего так и не работает, и никому нет дела." in screen.voice


async def dry_run(app: SparringApp, pilot, bot: str) -> TrainerScreen:
    screen = await open_trainer(app, pilot)
    screen.select("home-internet-down")
    await pilot.press("b")
    await wait_for(pilot, lambda: isinstance(app.screen, BotScreen))
    options = app.screen.query_one("#bots", OptionList)
    options.highlighted = options.get_option_index(bot)
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen.report is not None)
    await pilot.pause()
    assert app.screen is screen
    assert not screen.query_one("#panel").has_class("hidden")
    return screen


def shown_report(screen: TrainerScreen) -> str:
    return screen.query_one("#result", Markdown).source


@pytest.mark.slow
async def test_a_hasty_dry_run_shows_the_missed_clarifying_question(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await dry_run(app, pilot, "hasty")
        assert screen.report is not None and not screen.report.passed
        assert "missed_clarifying_question" in [m.kind for m in screen.report.marks]
        text = shown_report(screen)
        assert "❌ *missed clarifying question" in text
        assert "Dry run: hasty on home-internet-down (not saved)" in text
        assert not app.repo.sessions()


@pytest.mark.slow
async def test_a_good_dry_run_passes(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await dry_run(app, pilot, "good")
        assert screen.report is not None and screen.report.passed
        assert "passed" in shown_report(screen).splitlines()[2]
        await pilot.press("escape")
        assert not isinstance(app.screen, TrainerScreen)


@pytest.mark.parametrize(
    ("language", "line", "expected"),
    [
        ("en", "Any LEDs blinking on the modem?", "asks for: what the router lights show (router-lights)"),
        ("ru", "What about the box itself?", "вопрос, который клиент не понимает"),
    ],
)
@pytest.mark.slow
async def test_a_trainer_tries_a_line_and_sees_how_the_customer_understands_it(
    tmp_path, monkeypatch, language, line, expected
):
    monkeypatch.setenv("SPARRING_USER", "ann")
    monkeypatch.setenv("SPARRING_LANGUAGE", language)
    app = SparringApp(settings=load_settings(backend="scripted"), catalog=[broken_catalog(tmp_path / "mine")])
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_trainer(app, pilot)
        screen.select("home-internet-down")
        await pilot.press("u")
        await pilot.press(*line)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.understood is not None)
        assert expected in shown_report(screen)


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.slow
def test_snapshot(snap_compare, tmp_path, monkeypatch, language):
    """Relative catalogue paths keep the problem lines the same on every machine."""
    monkeypatch.setenv("SPARRING_USER", "ann")
    monkeypatch.setenv("SPARRING_LANGUAGE", language)
    monkeypatch.chdir(tmp_path)
    broken_catalog(tmp_path / "mine")
    app = SparringApp(settings=load_settings(backend="scripted"), catalog=[Path("mine")])

    async def open_it(pilot) -> None:
        screen = TrainerScreen([Path("mine")])
        await pilot.app.push_screen(screen)
        await pilot.pause()
        screen.select("broken-case.yaml")
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_it)
