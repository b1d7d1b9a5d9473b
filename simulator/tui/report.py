"""The report: score, skills, and the transcript with every mark next to its turn."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Label, ListItem, ListView, Static

from simulator.i18n import t
from simulator.tui.marks import MarkedTurnsScreen, MarkItem, coach_summary, marks_by_turn
from simulator.tui.screens import TextPrompt
from transcripts.report import SKILLS, Report
from transcripts.repository import AccessDenied, NotFound, Refused, StoredMark


class ReportScreen(MarkedTurnsScreen):
    CSS_PATH = "report.tcss"
    BINDINGS = [
        Binding("n", "next_mark", "tui.next_mark"),
        Binding("p", "previous_mark", "tui.previous_mark"),
        Binding("k", "acknowledge", "tui.acknowledge"),
        Binding("d", "dispute", "tui.dispute"),
        Binding("r", "retry", "tui.retry"),
        Binding("escape", "home", "tui.home"),
    ]

    def __init__(self, session_id: str):
        super().__init__()
        self.session_id = session_id
        self.marks: list[StoredMark] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="headline")
        yield Static("", id="skills")
        yield Static("", id="coach")
        yield ListView(id="turns")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        repo = self.sparring.repo
        try:
            report: Report | None = repo.report(self.session_id)
            transcript = repo.transcript(self.session_id)
            marks = repo.marks(self.session_id)
        except (AccessDenied, NotFound) as exc:  # not a session this person may see: say so, show nothing
            self.notify(str(exc), severity="error")
            return
        headline = self.query_one("#headline", Label)
        if report is not None:
            verdict = t("report.passed") if report.passed else t("report.failed")
            headline.update(
                f"{t('report.score')} {report.score}/100 · {verdict} · "
                f"{t('report.outcome')}: {t(f'outcome.{report.outcome}')}"
            )
            headline.set_classes("passed" if report.passed else "failed")
            self.query_one("#skills", Static).update(
                " · ".join(f"{t(f'skill.{s}')} {report.skills[s]}" for s in SKILLS)
            )
        coached, by_seq = marks_by_turn(transcript, marks)
        summary = self.query_one("#coach", Static)
        summary.display = coached is not None  # the coach was on for this session
        summary.update(coach_summary(coached) if coached else "")
        turns = self.query_one("#turns", ListView)
        turns.clear()
        for event in transcript.messages():
            who = t(f"role.{event.role}")
            turns.append(ListItem(Static(f"[b]{who}[/b]: {event.text or ''}", classes="turn", markup=True)))
            for item in by_seq.get(event.seq, []):
                turns.append(item)
        self.marks = marks

    def _selected(self) -> MarkItem | None:
        item = self.query_one("#turns", ListView).highlighted_child
        return item if isinstance(item, MarkItem) else None

    def action_acknowledge(self) -> None:
        if item := self._selected():
            self._respond(item, "acknowledge", None)

    def action_dispute(self) -> None:
        item = self._selected()
        if item is None:
            return

        def answered(reason: str | None) -> None:
            if reason:
                self._respond(item, "dispute", reason)

        self.app.push_screen(TextPrompt(t("tui.dispute_why")), answered)

    def _respond(self, item: MarkItem, response: str, reason: str | None) -> None:
        try:
            self.sparring.repo.respond(item.stored.id, response, reason)
        except (Refused, AccessDenied, NotFound) as exc:  # a refusal from the store is shown, not raised
            self.notify(str(exc), severity="error")
            return
        self.notify(t("manage.responded"))
        index = self.query_one("#turns", ListView).index
        self.load()
        self.query_one("#turns", ListView).index = index

    def action_retry(self) -> None:
        from simulator.tui.practice import PracticeScreen

        try:
            info = self.sparring.repo.session_info(self.session_id)
        except (AccessDenied, NotFound) as exc:
            self.notify(str(exc), severity="error")
            return
        self.app.switch_screen(PracticeScreen(info.scenario_id or "", mode=info.mode))

    def action_home(self) -> None:
        self.app.pop_screen()
