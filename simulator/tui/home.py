"""Home: pick a scenario (with filters), read its briefing, start practising; what was assigned to you and your
recent sessions below."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, Markdown, Select, Static

from simulator.catalog import Scenario
from simulator.catalog.models import Temperament
from simulator.engine.difficulty import describe, level_for
from simulator.i18n import language, t
from simulator.next_scenario import ENOUGH, Open, Suggestion, suggest
from simulator.tui.screens import SparringScreen, TextPrompt
from transcripts.progress import progress
from transcripts.repository import STAFF, AccessDenied, NotFound, Repository

if TYPE_CHECKING:
    from transcripts.assignments import Assignment, Standing


class HomeScreen(SparringScreen):
    suggestion: Suggestion | None = None

    CSS_PATH = "home.tcss"
    AUTO_FOCUS = "#scenarios"
    BINDINGS = [
        Binding("enter", "practice", "tui.practice", priority=True),
        Binding("a", "assessment", "tui.assessment"),
        Binding("c", "resume", "tui.resume"),
        Binding("n", "next", "next.key"),
        Binding("s", "settings", "tui.settings"),
        Binding("i", "identity", "tui.identity"),
        Binding("m", "mentor", "mentor.open"),
        Binding("t", "trainer", "trainer.open"),
        Binding("q", "app.quit", "tui.quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.assigned: dict[str, tuple[Assignment, Standing]] = {}
        """Row key -> the assignment and the standing of the person using the app."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filters"):
            yield Select(
                [(t(f"temperament.{m.value}"), m.value) for m in Temperament],
                prompt=t("tui.temperament"),
                id="temperament",
            )
            yield Select([("English", "en"), ("Русский", "ru")], prompt=t("tui.language"), id="language")
            yield Select([(str(d), d) for d in range(1, 6)], prompt=t("tui.difficulty"), id="difficulty")
            domains = sorted({doc.model.domain for doc in self.sparring.catalog.scenarios.values()})
            yield Select([(d, d) for d in domains], prompt=t("tui.domain"), id="domain")
        yield Static("", id="next")
        with Horizontal(id="main"):
            yield DataTable(id="scenarios", cursor_type="row", zebra_stripes=True)
            yield Markdown(id="briefing")
        yield DataTable(id="assigned", cursor_type="row")
        yield DataTable(id="recent", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#scenarios", DataTable)
        table.add_columns(t("tui.scenario"), t("tui.language"), t("tui.difficulty"), t("tui.temperament"))
        recent = self.query_one("#recent", DataTable)
        recent.add_columns(t("manage.session"), t("manage.scenario"), t("manage.status"), t("report.score"))
        recent.border_title = t("tui.recent")
        table.border_title = t("tui.scenarios")
        assigned = self.query_one("#assigned", DataTable)
        assigned.border_title = t("home.assigned")
        assigned.add_columns(t("home.col.assignment"), t("home.col.due"), t("home.col.status"), t("home.col.left"))
        self.refresh_scenarios()
        self.refresh_assigned()
        self.refresh_recent()

    def on_screen_resume(self) -> None:
        self.refresh_assigned()
        self.refresh_recent()

    def refresh_assigned(self) -> None:
        """What is assigned to the person using the app, soonest due first; hidden when nothing is."""
        from simulator.assignments_view import cell
        from transcripts.assignments import board

        table = self.query_one("#assigned", DataTable)
        table.clear()
        repo = self.sparring.repo
        try:
            found = board(repo, trainee=repo.actor.name)
        except (AccessDenied, NotFound) as exc:
            self.notify(str(exc), severity="error")
            found = None
        self.assigned = {}
        for a in found.assignments if found else []:
            standing = found.standing(a.id, repo.actor.name) if found else None
            if standing is None:
                continue
            self.assigned[str(a.id)] = (a, standing)
            catalog = self.sparring.catalog
            doc = catalog.scenarios.get(a.target) if a.kind == "scenario" else catalog.paths.get(a.target)
            name = doc.model.title if doc is not None else a.target
            if standing.status in ("passed", "failed"):
                left = "–"
            else:
                left = t("home.unlimited") if standing.attempts_left is None else str(standing.attempts_left)
            label = f"{name} · {t(f'mode.{a.mode}')}"
            table.add_row(label, a.due.isoformat(), cell(standing), left, key=str(a.id))
        table.display = bool(self.assigned)

    def start_assignment(self, key: str | None = None) -> None:
        """Start the assignment ``key`` (default: the highlighted one) in the mode it asks for."""
        from simulator.tui.practice import PracticeScreen

        table = self.query_one("#assigned", DataTable)
        if key is None:
            if not table.row_count:
                return
            key = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        assignment, standing = self.assigned[key]
        scenario = standing.next_scenario
        if scenario is None:
            self.notify(t("home.assignment_done"))
            return
        if scenario not in self.sparring.catalog.scenarios:
            self.notify(t("home.assignment_missing", scenario=scenario), severity="error")
            return
        placed = {"assignment": {"id": str(assignment.id), "name": assignment.target}}
        if assignment.kind == "path":
            path = self.sparring.catalog.paths.get(assignment.target)
            placed["path"] = {"id": assignment.target, "name": path.model.title if path else assignment.target}
        self.app.push_screen(PracticeScreen(scenario, mode=assignment.mode, placed=placed))

    def _matches(self, scenario: Scenario) -> bool:
        persona = self.sparring.catalog.personas.get(scenario.persona)
        wanted = {
            name: self.query_one(f"#{name}", Select).value
            for name in ("temperament", "language", "difficulty", "domain")
        }
        actual = {
            "temperament": persona.model.temperament.value if persona else None,
            "language": scenario.language,
            "difficulty": scenario.difficulty,
            "domain": scenario.domain,
        }
        return all(value is Select.NULL or actual[name] == value for name, value in wanted.items())

    def refresh_scenarios(self) -> None:
        table = self.query_one("#scenarios", DataTable)
        table.clear()
        for sid, doc in sorted(self.sparring.catalog.scenarios.items()):
            scenario = doc.model
            if self._matches(scenario):
                persona = self.sparring.catalog.personas.get(scenario.persona)
                temperament = t(f"temperament.{persona.model.temperament.value}") if persona else ""
                table.add_row(scenario.title, scenario.language, "★" * scenario.difficulty, temperament, key=sid)
        self.show_briefing()

    def refresh_recent(self) -> None:
        table = self.query_one("#recent", DataTable)
        table.clear()
        for s in self.sparring.repo.sessions(limit=20):
            score = "" if s.score is None else f"{s.score} {'✓' if s.passed else '✗'}"
            table.add_row(s.id, s.scenario or "", t(f"status.{s.status}"), score, key=s.id)
        self.refresh_next()

    def refresh_next(self) -> None:
        """The scenario to practise next for whoever uses the app, and why."""
        repo = self.sparring.repo
        me = repo.actor.name
        try:
            mine = progress(repo, trainee=me).trainees
        except (AccessDenied, NotFound):
            mine = []
        passes = Counter(s.scenario for s in repo.sessions(trainee=me, limit=100_000) if s.passed and s.scenario)
        assigned = [
            Open(key, standing.next_scenario, a.due, standing.status == "overdue")
            for key, (a, standing) in self.assigned.items()
            if standing.next_scenario and standing.status not in ("passed", "failed")
        ]
        self.suggestion = suggest(self.sparring.catalog, mine[0] if mine else None, passes, language(), assigned)
        line = self.query_one("#next", Static)
        if self.suggestion is None:
            line.update(t("next.none", count=ENOUGH))
            return
        title = self.sparring.catalog.scenario(self.suggestion.scenario).title
        line.update(t("next.line", title=title, reason=self.suggestion.reason))

    def action_next(self) -> None:
        from simulator.tui.practice import PracticeScreen

        if self.suggestion is not None and self.suggestion.assignment is not None:
            self.start_assignment(self.suggestion.assignment)
        elif self.suggestion is not None:
            self.app.push_screen(PracticeScreen(self.suggestion.scenario, mode="practice"))

    @on(Select.Changed)
    def filters_changed(self) -> None:
        self.refresh_scenarios()

    @on(DataTable.RowHighlighted, "#scenarios")
    def show_briefing(self) -> None:
        scenario = self.selected()
        if scenario is None:
            text = t("tui.no_scenarios")
        else:
            level = level_for(scenario, self.sparring.catalog.cast(scenario))
            text = f"## {scenario.title}\n\n{scenario.briefing}\n\n*{describe(level)}*"
        self.query_one("#briefing", Markdown).update(text)

    def selected(self) -> Scenario | None:
        table = self.query_one("#scenarios", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.sparring.catalog.scenario(str(key))

    def _start(self, mode: str, resume: str | None = None) -> None:
        from simulator.tui.practice import PracticeScreen

        scenario = self.selected()
        if resume is None and scenario is None:
            return
        self.app.push_screen(PracticeScreen(scenario.id if scenario else "", mode=mode, resume=resume))

    def action_practice(self) -> None:
        if self.focused is self.query_one("#recent"):
            self.action_resume()
        elif self.focused is self.query_one("#assigned"):
            self.start_assignment()
        else:
            self._start("practice")

    def action_identity(self) -> None:
        """Act as someone else (a shared machine, or a mentor checking a trainee's view). Their password is
        asked for when they have one or signing in is required; staff may leave it empty to only look."""

        def named(name: str | None) -> None:
            if not name:
                return
            if not self.sparring.needs_password(name):
                self._switch(name, "")
                return
            me = self.sparring.repo.viewer or self.sparring.repo.actor
            key = "tui.identity_password" if me.role in STAFF else "tui.identity_password_only"
            prompt = TextPrompt(t(key, name=name), password=True)

            def given(password: str | None) -> None:
                if password is not None:
                    self._switch(name, password)

            self.app.push_screen(prompt, given)

        self.app.push_screen(TextPrompt(t("tui.identity_prompt")), named)

    @work(thread=True, exclusive=True)
    def _switch(self, name: str, password: str) -> None:
        """Off the event loop: a password takes a moment to check, and a wrong one waits on purpose."""
        try:
            repo = self.sparring.switch_to(name, password)
        except AccessDenied as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._use, repo)

    def _use(self, repo: Repository) -> None:
        self.sparring.use(repo)
        self.refresh_assigned()
        self.refresh_recent()

    def action_mentor(self) -> None:
        from simulator.tui.mentor import MentorScreen

        self.app.push_screen(MentorScreen())

    def action_trainer(self) -> None:
        from simulator.tui.trainer import TrainerScreen

        self.app.push_screen(TrainerScreen())

    def action_settings(self) -> None:
        from simulator.tui.settings import SettingsScreen

        self.app.push_screen(SettingsScreen())

    def action_assessment(self) -> None:
        self._start("assessment")

    def action_resume(self) -> None:
        table = self.query_one("#recent", DataTable)
        if not table.row_count:
            return
        session_id = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        repo = self.sparring.repo
        try:
            info = repo.session_info(session_id)
        except NotFound as exc:  # gone from view since the list was drawn
            self.notify(str(exc), severity="error")
            return
        if info.person_id != repo.actor.id:  # a mentor sees trainees' sessions here; only the trainee goes on
            self.notify(t("store.not_yours", id=session_id), severity="warning")
            return
        if info.status != "abandoned":
            self.notify(t("tui.not_resumable"), severity="warning")
            return
        self._start(info.mode, resume=session_id)
