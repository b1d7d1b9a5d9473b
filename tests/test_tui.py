"""The Textual app driven by Pilot on the scripted backend: the trainee's whole flow, and a live input."""

from __future__ import annotations

import time

import pytest

from simulator.catalog.models import Intent
from simulator.i18n import t
from simulator.llm.scripted import ScriptedBackend
from simulator.settings import load_settings
from simulator.tui.app import SparringApp
from simulator.tui.practice import PracticeScreen
from simulator.tui.report import MarkItem, ReportScreen
from tests.support import fast_catalog, wait_for

SIZE = (120, 40)
pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def app_for(tmp_path, monkeypatch):
    monkeypatch.setenv("SPARRING_USER", "ann")

    def make(backend=None) -> SparringApp:
        return SparringApp(
            settings=load_settings(backend="scripted"), catalog=[fast_catalog(tmp_path)], backend=backend
        )

    return make


def choose(app: SparringApp, scenario_id: str) -> None:
    table = app.screen.query_one("#scenarios")
    table.move_cursor(row=table.get_row_index(scenario_id))


async def open_practice(app: SparringApp, pilot, scenario_id: str = "fast-case") -> PracticeScreen:
    """From home into a practice session, once the customer's opening is in and the draft has the focus."""
    choose(app, scenario_id)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen))
    screen = app.screen
    opening = len(screen.session.scenario.opening)
    await wait_for(pilot, lambda: len(screen.session.transcript.messages("customer")) >= opening)
    await wait_for(pilot, lambda: not screen.customer_typing)
    await pilot.click("#draft")
    return screen


@pytest.mark.slow
async def test_the_trainee_flow_from_home_to_a_report_with_the_interruption(app_for):
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        choose(app, "fast-case")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen))
        screen = app.screen
        # Reply while the customer is still typing the opening: an interruption.
        await wait_for(pilot, lambda: screen.session is not None and screen.session.transcript.messages("customer"))
        await pilot.click("#draft")
        await pilot.press(*"Hello?", "enter")
        await wait_for(pilot, lambda: screen.query(".interruption"))
        await wait_for(pilot, lambda: len(screen.session.transcript.messages("customer")) >= 3)
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
        report = app.screen
        await pilot.pause(0.2)
        kinds = [item.stored.mark.kind for item in report.query(MarkItem)]
        assert "interruption" in kinds
        await pilot.press("n")
        assert isinstance(report.query_one("#turns").highlighted_child, MarkItem)
        await pilot.press("k")
        await pilot.pause(0.1)
        stored = app.repo.marks(app.repo.sessions()[0].id)
        assert stored[0].responses and stored[0].responses[0].response == "acknowledge"


@pytest.mark.slow
async def test_typing_is_never_blocked_by_a_slow_customer(app_for):
    """The model streams one word every 0.3 s; every keystroke still reaches the input at once."""

    app = app_for(backend=ScriptedBackend(delay=0.3))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_practice(app, pilot)
        await pilot.press(*"What is your contract number?", "enter")
        await wait_for(pilot, lambda: screen.customer_typing)  # the customer is typing
        draft = screen.query_one("#draft")
        started = time.monotonic()
        for i, key in enumerate("abcdef", 1):
            await pilot.press(key)
            assert draft.value == "abcdef"[:i]
        assert time.monotonic() - started < 1.0, "keystrokes waited for the model"
        assert screen.customer_typing, "the customer was still typing all along"


@pytest.mark.slow
async def test_escape_stops_the_customer_and_the_session_goes_on(app_for):
    app = app_for(backend=ScriptedBackend(delay=1.0))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_practice(app, pilot)
        await pilot.press(*"Tell me everything.", "enter")
        await wait_for(pilot, lambda: screen.customer_typing)
        before = screen.session
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen.session is not before)
        assert not screen.customer_typing
        assert [e.text for e in screen.session.transcript.messages("agent")] == ["Tell me everything."]
        app.backend = ScriptedBackend()  # from now on the customer answers at once
        screen.session.actor.backend = app.backend
        await pilot.press(*"Sorry. What's your contract number?", "enter")
        await wait_for(pilot, lambda: len(screen.session.transcript.messages("customer")) >= 3)


@pytest.mark.slow
def test_serve_answers_a_browser_on_localhost(tmp_path):
    import os
    import socket
    import subprocess
    import sys
    import urllib.request

    from tests.support import ROOT

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "simulator.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "SPARRING_HOME": str(tmp_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    page = response.read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, "the server never answered"
                time.sleep(0.2)
        assert "Sparring" in page and "textual" in page.lower()
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.slow
async def test_settings_are_saved_without_any_key(app_for, monkeypatch):
    import tomllib

    from simulator import i18n, paths
    from simulator.tui.settings import SettingsScreen
    from tests.support import sparring

    monkeypatch.setenv("SPARRING_API_KEY", "sk-secret-never-written")
    monkeypatch.delenv("SPARRING_LANGUAGE", raising=False)  # the saved language, not the environment's
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SettingsScreen))
        app.screen.query_one("#language").value = "ru"
        app.screen.query_one("#model").value = "/models/qwen.gguf"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, SettingsScreen))
    saved = paths.config_file().read_text(encoding="utf-8")
    assert "sk-secret" not in saved
    config = tomllib.loads(saved)
    assert config["language"] == "ru" and config["model"] == "/models/qwen.gguf" and config["backend"] == "scripted"
    assert app.settings.language == "ru" and i18n.language() == "ru"
    # and after a restart: a new process reads config.toml
    restarted = sparring("--help")
    assert "тренируйте поддержку клиентов" in restarted.stdout, restarted.stdout[:300]
    i18n.reload()


@pytest.mark.slow
async def test_the_command_palette_reaches_every_main_screen(app_for):
    from simulator.tui.commands import MainActions
    from simulator.tui.settings import SettingsScreen
    from simulator.tui.trainer import TrainerScreen

    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        assert MainActions in app.COMMANDS
        await pilot.press("ctrl+p")
        await pilot.press(*"Trainer", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TrainerScreen))
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.press(*"Settings", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SettingsScreen))


@pytest.mark.slow
async def test_switching_identity_changes_what_the_store_shows(app_for):
    from simulator.tui.screens import TextPrompt

    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        app.repo.add_person("bob", "trainee")
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press(*"bob", "enter")
        await wait_for(pilot, lambda: app.repo.actor.name == "bob")
        assert "bob" in app.sub_title
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press(*"nobody", "enter")
        await pilot.pause(0.2)
        assert app.repo.actor.name == "bob", "an unknown person is refused, with a notification"


@pytest.mark.slow
async def test_customer_lines_stream_into_markdown_and_end_whole(app_for):
    from simulator.tui.practice import Bubble

    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        choose(app, "fast-case")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.session and len(screen.session.transcript.messages("customer")) >= 2)
        seen_partial = False
        while screen.streams or len(screen.query(".customer")) < 2:
            bubbles = [b for b in screen.query(Bubble) if b.has_class("customer")]
            texts = [e.text for e in screen.session.transcript.messages("customer")]
            seen_partial |= any(b.source and b.source.strip() not in texts for b in bubbles)
            await pilot.pause(0.005)
        bubbles = [b for b in screen.query(Bubble) if b.has_class("customer")]
        assert [b.source.strip() for b in bubbles] == [e.text for e in screen.session.transcript.messages("customer")]
        assert seen_partial, "a line was shown in pieces before it was whole"


@pytest.mark.llama
async def test_on_the_embedded_model_a_canned_apology_draws_a_complaint_and_a_fix_draws_thanks(app_for):
    """What the issue saw in the app: "I'm SORRY." for a canned apology and "SORRY." for a fix. Whatever the
    135M model writes, what reaches the trainee carries the director's decision."""
    from simulator.engine.fit import Context, misfit
    from simulator.llm.local import LocalBackend

    app = app_for(backend=LocalBackend(threads=1))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_practice(app, pilot)

        async def reply_to(message: str) -> tuple[str, list[str]]:
            await pilot.press(*message, "enter")
            sent = len(screen.session.transcript.messages("agent"))
            await wait_for(pilot, lambda: len(screen.session.transcript.messages("agent")) == sent, timeout=10)
            last = screen.session.transcript.messages("agent")[-1].seq
            done = lambda: any(e.seq > last and e.final for e in screen.session.transcript.messages("customer"))  # noqa: E731
            await wait_for(pilot, lambda: done() and not screen.customer_typing, timeout=120)
            turn = [e for e in screen.session.transcript.messages("customer") if e.seq > last]
            return " ".join(e.text or "" for e in turn), turn[0].meta["intents"]

        complaint, intents = await reply_to("We apologize for any inconvenience. Thank you for your patience.")
        assert "template_complaint" in intents and complaint.strip().casefold() not in {"i'm sorry.", "sorry."}
        assert misfit(complaint, [Intent.template_complaint], Context("en")) is None
        await reply_to("Sorry, Dana. What's your contract number, and what do the lights on your router show?")
        await reply_to("And have you already tried restarting it?")
        thanks, intents = await reply_to("There is a fault on your line; I've opened a priority repair ticket.")
        assert "thanks" in intents and misfit(thanks, [Intent.thanks], Context("en")) is None
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen), timeout=60)


@pytest.mark.slow
async def test_ctrl_t_whispers_the_next_step_the_grader_would_want(app_for):
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_practice(app, pilot)

        def hints() -> list[str]:
            return [n.message for n in app._notifications if n.title == t("tui.hint")]

        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: hints())
        assert hints()[-1] == t("tui.hint_empathy")  # an angry opening nobody has acknowledged
        await pilot.press(*"Three days with no internet, I'm so sorry.", "enter")
        await wait_for(pilot, lambda: len(screen.session.transcript.messages("agent")) == 1)
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: len(hints()) == 2)
        contract = screen.session.scenario.facts.hidden[0]
        assert hints()[-1] == t("tui.hint_ask", question=contract.question)
