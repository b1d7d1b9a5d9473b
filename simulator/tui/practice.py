"""A practice session: the customer's messages arrive in chunks while the input stays live.

A worker consumes the session's events and posts them as messages; only handlers touch widgets. Sending
while the customer is typing is allowed: that is an interruption, and the customer reacts to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import re
from collections import deque
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Label, Markdown, ProgressBar, Static
from textual.worker import Worker, WorkerState

from grading.coach import Coach, Hint
from simulator.engine.clock import RealClock
from simulator.engine.session import Session
from simulator.i18n import t
from simulator.sessions import RecordedSession, cast
from simulator.tui.screens import SparringScreen
from transcripts.format import Event

STREAM_PAUSE = 0.02
"""Seconds between words while a customer line streams into view."""
COACH_PAUSE = 0.15
"""Seconds of no typing before the coach looks at the draft."""


def coach_line(advice: list[Hint]) -> Text:
    """The most urgent piece of advice, its quoted phrase highlighted, and how many more there are."""
    if not advice:
        return Text("")
    first = advice[0]
    line = Text(first.text)
    if first.phrase:
        line.highlight_words([first.phrase], style="bold reverse")
    if len(advice) > 1:
        line.append(" " + t("tui.coach_more", count=len(advice) - 1), style="dim")
    return line


class Bubble(Markdown):
    """One chat message."""


class PracticeScreen(SparringScreen):
    CSS_PATH = "practice.tcss"
    BINDINGS = [
        Binding("ctrl+o", "end", "tui.end"),
        Binding("ctrl+t", "hint", "tui.hint"),
        Binding("ctrl+g", "coach", "tui.coach"),
        Binding("escape", "cancel", "tui.cancel"),
    ]

    @dataclass
    class Happened(Message):
        """An event of the session, handed from the worker to the screen."""

        event: Event

    def __init__(
        self, scenario_id: str, mode: str = "practice", resume: str | None = None, placed: dict[str, Any] | None = None
    ):
        """``placed``: the assignment (and path) it is played for, kept in the session's meta so that results
        sent to a learning record store say so."""
        super().__init__()
        self.scenario_id = scenario_id
        self.mode = mode
        self.resume_id = resume
        self.placed = placed or {}
        self.sent: deque[Bubble] = deque()
        """Agent bubbles shown at once, waiting for the session to take them in."""
        self.recorded: RecordedSession | None = None
        """The session as the store keeps it; set on mount."""
        self.customer_typing = False
        self.streams: set[asyncio.Task[None]] = set()
        """Customer lines still being written into their bubbles."""
        self.coach: Coach | None = None
        """The live coach, in practice mode while it is switched on."""
        self.advice: list[Hint] = []
        self.heeded: set[str] = set()
        """Kinds of advice shown on the current draft (to tell later which the trainee fixed)."""
        self._advise_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical(id="chat"):
                yield VerticalScroll(id="log")
                yield Static("", id="typing")
                yield Input(placeholder=t("tui.draft"), id="draft")
                yield Static("", id="coach")
            with Vertical(id="side", classes="hidden" if self.mode == "assessment" else ""):
                yield Label(t("tui.patience"), classes="panel-title")
                yield ProgressBar(total=100, show_eta=False, show_percentage=False, id="patience")
                yield Label("", id="mood")
                yield Label(t("tui.facts"), classes="panel-title")
                yield Static("", id="facts")
                yield Label(t("tui.elapsed"), classes="panel-title")
                yield Static("0:00", id="elapsed")
        yield Footer()

    def on_mount(self) -> None:
        repo, catalog = self.sparring.repo, self.sparring.catalog
        if self.resume_id:
            self.recorded = RecordedSession.resume(
                repo, self.resume_id, lambda key: cast(catalog, key), self.sparring.backend_for
            )
            for event in self.recorded.session.transcript.events:
                self.show(event)
        else:
            casting = cast(catalog, self.scenario_id)
            backend = self.sparring.backend_for(casting.scenario)
            self.recorded = RecordedSession.start(repo, casting, backend, RealClock(), mode=self.mode, meta=self.placed)
        scenario = self.recorded.session.scenario
        self.title = scenario.title
        if self.mode == "practice" and self.sparring.settings.coach:
            self.coach = Coach.following(self.recorded.session.transcript, scenario)
        self.query_one("#patience", ProgressBar).update(progress=self.recorded.session.director.patience)
        self.clock_timer = self.set_interval(1, self.tick)
        self.query_one("#draft", Input).focus()
        # What exists now lives as long as the session: keep the collector from walking it. A full
        # collection of the ~200k objects took 85-160 ms on the event loop, mid-keystroke (bench/ui_latency.py).
        gc.freeze()
        self.play()

    @work(exclusive=True, group="session", exit_on_error=False)
    async def play(self) -> None:
        """Consume the session: store each event as it happens, then hand it to the screen."""
        assert self.recorded is not None
        async for event in self.recorded.events():
            self.post_message(self.Happened(event))

    def tick(self) -> None:
        if self.session:
            seconds = int(self.session.clock.now())
            self.query_one("#elapsed", Static).update(f"{seconds // 60}:{seconds % 60:02d}")

    # -- what the trainee does
    @on(Input.Submitted, "#draft")
    def send(self, submitted: Input.Submitted) -> None:
        text = submitted.value.strip()
        if not text or self.session is None or self.session.ended:
            return
        submitted.input.value = ""
        bubble = Bubble(text, classes="bubble agent")
        self.sent.append(bubble)
        self.add(bubble)
        self.session.say(text, meta=self.coached(text))

    # -- the live coach
    @on(Input.Changed, "#draft")
    def draft_changed(self) -> None:
        """Advise once typing pauses: a keystroke only restarts a timer."""
        if self.coach is None:
            return
        if self._advise_timer is not None:
            self._advise_timer.stop()
        self._advise_timer = self.set_timer(COACH_PAUSE, self.advise)

    def advise(self) -> None:
        if self.coach is None or self.session is None:
            return
        draft = self.query_one("#draft", Input).value
        self.advice = self.coach.advise(draft, self.session.clock.now())
        self.heeded |= {h.kind for h in self.advice}
        self.query_one("#coach", Static).update(coach_line(self.advice))

    def coached(self, text: str) -> dict[str, Any]:
        """What the coach said about the message as sent, and what it had flagged on the way and the
        trainee fixed: recorded with the message for the report and the mentor."""
        if self.coach is None or self.session is None:
            return {}
        if self._advise_timer is not None:
            self._advise_timer.stop()
        shown = self.coach.advise(text, self.session.clock.now())
        fixed = sorted(self.heeded - {h.kind for h in shown})
        self.heeded, self.advice = set(), []
        self.query_one("#coach", Static).update("")
        return {"coach": {"shown": [{"kind": h.kind, "text": h.text} for h in shown], "fixed": fixed}}

    def action_coach(self) -> None:
        if self.mode == "assessment" or self.session is None:
            return
        if self.coach is None:
            self.coach = Coach.following(self.session.transcript, self.session.scenario)
            self.advise()
            self.notify(t("tui.coach_on"))
        else:
            self.coach = None
            self.heeded, self.advice = set(), []
            self.query_one("#coach", Static).update("")
            self.notify(t("tui.coach_off"))

    def action_end(self) -> None:
        if self.session and not self.session.ended:
            self.session.finish()

    def action_cancel(self) -> None:
        """Stop a customer line being generated; the session goes on, waiting for the agent."""
        workers = [w for w in self.workers if w.group == "session" and w.state == WorkerState.RUNNING]
        if not workers or self.session is None or not self.customer_typing:
            return
        for worker in workers:
            worker.cancel()
        assert self.recorded is not None
        self.recorded.restart(self.sparring.backend_for(self.session.scenario))
        self.set_typing(False)
        self.notify(t("tui.cancelled"))
        self.play()

    def action_hint(self) -> None:
        if self.mode == "assessment" or self.session is None:
            return
        self.notify(self.hint(), title=t("tui.hint"), timeout=8)

    def hint(self) -> str:
        """What a mentor would whisper now: the coach's next step, read the way the grader reads the chat."""
        assert self.session is not None
        step = (self.coach or Coach.following(self.session.transcript, self.session.scenario)).next_step()
        if step.fact is not None:
            return t("tui.hint_ask", question=step.fact.question or step.fact.label)
        return t(f"tui.hint_{step.kind}")

    # -- what the session does
    @on(Happened)
    def happened(self, message: Happened) -> None:
        event = message.event
        if self.coach is not None:
            self.coach.hear(event)
            if event.is_message and event.role == "customer":  # the advice may have changed with it
                self.draft_changed()
        if event.type == "typing":
            self.set_typing(True)
            return
        if event.role == "agent" and self.sent:  # already on screen since it was sent
            bubble = self.sent.popleft()
            if event.meta.get("interruption"):
                bubble.add_class("interruption")
                bubble.border_title = t("tui.interrupted")
            return
        if event.role == "customer":
            self.set_typing(not event.final)
            self.update_panel(event)
            if event.type == "message":  # a new line streams in; stored ones (on resume) appear whole
                self.stream_in(event.text or "")
                return
        self.show(event)
        if event.type == "note":  # e.g. the model server is down: say so, the session goes on
            self.notify(event.text or "", severity="warning", timeout=10)
        if event.type == "end":
            self.finished()

    def set_typing(self, typing: bool) -> None:
        self.customer_typing = typing
        self.query_one("#typing", Static).update(t("practice.typing", name=self.customer_name) if typing else "")

    def show(self, event: Event) -> None:
        """A stored or new event as a bubble (agent messages already on screen are not repeated)."""
        if event.type == "message":
            kind = "customer" if event.role == "customer" else "agent"
            bubble = Bubble(event.text or "", classes=f"bubble {kind}")
            if event.meta.get("interruption"):
                bubble.add_class("interruption")
            self.add(bubble)
        elif event.type in ("note", "end"):
            text = t(f"outcome.{event.text}") if event.type == "end" else event.text or ""
            self.add(Static(text, classes="bubble note"))

    def stream_in(self, text: str) -> None:
        """Write a customer line into its bubble word by word through Markdown's stream, the way chat
        apps reveal a message. The line was validated whole before this, so nothing shown is taken back."""
        bubble = Bubble("", classes="bubble customer")
        self.add(bubble)
        task = asyncio.create_task(self._write(bubble, text))
        self.streams.add(task)
        task.add_done_callback(self.streams.discard)

    async def _write(self, bubble: Bubble, text: str) -> None:
        stream = Markdown.get_stream(bubble)
        try:
            for word in re.findall(r"\S+\s*", text):
                await stream.write(word)
                await asyncio.sleep(STREAM_PAUSE)
        finally:
            await stream.stop()
        with contextlib.suppress(NoMatches):  # the session may have ended while the line was streaming
            self.query_one("#log", VerticalScroll).scroll_end(animate=False)

    def add(self, widget: Static | Markdown) -> None:
        log = self.query_one("#log", VerticalScroll)
        log.mount(widget)
        log.scroll_end(animate=False)

    @property
    def customer_name(self) -> str:
        assert self.session is not None
        return self.session.persona.name[self.session.scenario.language]

    def update_panel(self, event: Event) -> None:
        assert self.session is not None
        if isinstance(event.meta.get("patience"), int):
            self.query_one("#patience", ProgressBar).update(progress=event.meta["patience"])
            self.query_one("#mood", Label).update(t(f"mood.{event.meta.get('mood', 'calm')}"))
        facts = [
            f"• {f.label}: {f.value}" for f in self.session.scenario.all_facts() if f.id in self.session.director.said
        ]
        self.query_one("#facts", Static).update("\n".join(facts) or t("tui.no_facts"))

    @property
    def session(self) -> Session | None:
        """The engine playing now (a cancelled line starts a new one)."""
        return self.recorded.session if self.recorded else None

    def finished(self) -> None:
        assert self.recorded is not None
        self.recorded.close()
        from simulator.tui.report import ReportScreen

        # Not awaited: this screen's own handler is running, and the switch removes it.
        self.app.switch_screen(ReportScreen(self.recorded.session.transcript.id))

    def on_unmount(self) -> None:
        for task in self.streams:
            task.cancel()

    @on(Worker.StateChanged)
    def failed(self, changed: Worker.StateChanged) -> None:
        if changed.state == WorkerState.ERROR and changed.worker.error is not None:
            self.notify(str(changed.worker.error), title=t("tui.error"), severity="error", timeout=15)
