"""Mentoring: the groups you see, their trainees' progress, and a review of any session with its marks.

``MentorScreen`` lists groups and trainees (level, tier, attempts, pass rate), shows the group × assignment grid
(each trainee's status on each assignment, and how far along each path they have begun), charts the selected
trainee's skills over their sessions and lists the sessions; Enter opens ``ReviewScreen``, where a mentor
agrees with or overrides marks, comments on turns and exports the report as HTML. Every refusal from the
repository is a notification, never a crash.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Label, ListItem, ListView, OptionList, Select, Static
from textual_plotext import PlotextPlot

from simulator import i18n, paths
from simulator.assignments_view import cell, path_cell, plans
from simulator.i18n import t
from simulator.tui.marks import MarkedTurnsScreen, MarkItem, coach_summary, marks_by_turn
from simulator.tui.screens import SparringScreen, TextPrompt
from transcripts.assignments import board, path_progress
from transcripts.export import export_session
from transcripts.progress import GroupProgress, TraineeProgress, progress
from transcripts.report import SKILLS
from transcripts.repository import AccessDenied, NotFound, Refused, StoredMark


def _level(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def _tier(value: str | None) -> str:
    return "–" if value is None else i18n.t(f"tier.{value}")


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


class MentorScreen(SparringScreen):
    CSS_PATH = "mentor.tcss"
    BINDINGS = [
        Binding("enter", "review", "mentor.review", priority=True),
        Binding("escape", "back", "mentor.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.group: GroupProgress | None = None
        self.trainees: dict[str, TraineeProgress] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield OptionList(id="groups")
                yield DataTable(id="trainees", cursor_type="row", zebra_stripes=True)
            with Vertical(id="right"):
                yield DataTable(id="grid", cursor_type="none", show_cursor=False, zebra_stripes=True)
                yield PlotextPlot(id="chart")
                with Horizontal(id="levels"):
                    yield DataTable(id="skills", cursor_type="none", show_cursor=False)
                    with Vertical(id="notes"):
                        yield Static("", id="weakest")
                        yield Static("", id="held")
        yield DataTable(id="sessions", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.title = t("mentor.title")
        groups = self.query_one("#groups", OptionList)
        groups.border_title = t("mentor.groups")
        names = [g.name for g in self.sparring.repo.groups()]
        groups.add_options(names)
        trainees = self.query_one("#trainees", DataTable)
        trainees.border_title = t("mentor.trainees")
        trainees.add_columns(
            i18n.t("progress.col.trainee"),
            i18n.t("progress.col.level"),
            i18n.t("progress.col.tier"),
            i18n.t("progress.col.sessions"),
            i18n.t("progress.col.pass_rate"),
        )
        skills = self.query_one("#skills", DataTable)
        skills.add_columns(i18n.t("progress.col.skill"), i18n.t("progress.col.level"), i18n.t("progress.col.tier"))
        sessions = self.query_one("#sessions", DataTable)
        sessions.border_title = t("mentor.no_sessions")
        sessions.add_columns(
            t("mentor.col.session"),
            i18n.t("progress.col.scenario"),
            t("mentor.col.mode"),
            t("mentor.col.status"),
            i18n.t("report.score"),
        )
        self.query_one("#chart", PlotextPlot).border_title = t("mentor.chart")
        grid = self.query_one("#grid", DataTable)
        grid.border_title = t("mentor.grid")
        grid.display = False
        if names:
            groups.highlighted = 0
            self.show_group(names[0])
        else:
            self.query_one("#weakest", Static).update(t("mentor.no_groups"))
            self.show_trainee(None)
        trainees.focus()

    def on_screen_resume(self) -> None:
        if self.group is not None:
            self.show_group(self.group.name, keep=True)

    @on(OptionList.OptionHighlighted, "#groups")
    def group_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        name = str(event.option.prompt)
        if self.group is None or self.group.name != name:
            self.show_group(name)

    def show_group(self, name: str, keep: bool = False) -> None:
        repo = self.sparring.repo
        table = self.query_one("#trainees", DataTable)
        row = table.cursor_row
        table.clear()
        try:
            people = [person.name for person, mentors in repo.members(name) if not mentors]
            result = progress(repo, group=name)
        except (AccessDenied, NotFound, Refused) as exc:
            self.notify(str(exc), severity="error")
            self.group, self.trainees = None, {}
            self.query_one("#grid", DataTable).display = False
            self.show_trainee(None)
            return
        self.group = next((g for g in result.groups if g.name == name), None)
        self.trainees = {p.name: p for p in result.trainees}
        for person in people:
            p = self.trainees.get(person)
            if p is None:
                table.add_row(person, "–", "–", "0", "–", key=person)
            else:
                table.add_row(person, _level(p.level), _tier(p.tier), str(p.attempts), _rate(p.pass_rate), key=person)
        self.show_grid(name, people)
        weakest = self.query_one("#weakest", Static)
        if self.group is not None and self.group.weakest_skills:
            weakest.update(
                t("mentor.weakest", skills=", ".join(i18n.t(f"skill.{s}") for s in self.group.weakest_skills))
            )
        else:
            weakest.update(t("mentor.no_weakest"))
        if keep and 0 <= row < table.row_count:
            table.move_cursor(row=row)
        self.show_trainee(self.selected_trainee())

    def show_grid(self, group: str, people: list[str]) -> None:
        """Trainees × the group's assignments (status in each cell) and the paths any of them has begun."""
        grid = self.query_one("#grid", DataTable)
        grid.clear(columns=True)
        try:
            found = board(self.sparring.repo, group=group)
            along = path_progress(self.sparring.repo, plans(self.sparring.catalog), group=group)
        except (AccessDenied, NotFound, Refused) as exc:
            self.notify(str(exc), severity="error")
            grid.display = False
            return
        begun = sorted({s.path for s in along if s.steps_passed or s.certificate})
        if not found.assignments and not begun:
            grid.display = False
            return
        grid.add_column(i18n.t("progress.col.trainee"), key="trainee")
        for a in found.assignments:
            grid.add_column(f"#{a.id} {a.target}", key=f"a{a.id}")
        for path in begun:
            grid.add_column(path, key=f"p{path}")
        by_path = {(s.trainee, s.path): s for s in along}
        for person in people:
            cells = [cell(found.standing(a.id, person)) or "–" for a in found.assignments]
            cells += [path_cell(by_path[(person, path)]) if (person, path) in by_path else "–" for path in begun]
            grid.add_row(person, *cells, key=person)
        grid.display = True

    def selected_trainee(self) -> str | None:
        table = self.query_one("#trainees", DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    @on(DataTable.RowHighlighted, "#trainees")
    def trainee_highlighted(self) -> None:
        self.show_trainee(self.selected_trainee())

    def show_trainee(self, name: str | None) -> None:
        trainee = self.trainees.get(name) if name else None
        self._chart(trainee)
        skills = self.query_one("#skills", DataTable)
        skills.clear()
        held = [i18n.t("progress.held", why=trainee.cap.why)] if trainee and trainee.cap else []
        for skill in SKILLS:
            level = trainee.skills[skill] if trainee and skill in trainee.skills else None
            skills.add_row(
                i18n.t(f"skill.{skill}"), _level(level.level if level else None), _tier(level.tier if level else None)
            )
            if level and level.cap:
                held.append(f"{i18n.t(f'skill.{skill}')}: {i18n.t('progress.held', why=level.cap.why)}")
        # Why a level is lower than its scores: the mentor sees the rule, not only the number.
        self.query_one("#held", Static).update("\n".join(held))
        sessions = self.query_one("#sessions", DataTable)
        sessions.clear()
        if name is None:
            sessions.border_title = t("mentor.no_sessions")
            return
        sessions.border_title = t("mentor.sessions", name=name)
        try:
            found = self.sparring.repo.sessions(trainee=name)
        except (AccessDenied, NotFound, Refused) as exc:
            self.notify(str(exc), severity="error")
            return
        for s in found:
            score = "" if s.score is None else f"{s.score} {'✓' if s.passed else '✗'}"
            sessions.add_row(s.id, s.scenario or "", s.mode, i18n.t(f"status.{s.status}"), score, key=s.id)

    def _chart(self, trainee: TraineeProgress | None) -> None:
        chart = self.query_one("#chart", PlotextPlot)
        plt = chart.plt
        plt.clear_data()
        plt.clear_figure()
        plt.ylim(0, 100)
        plt.xlabel(t("mentor.session_index"))
        if trainee is None:
            plt.title(t("mentor.no_trainee"))
        else:
            plt.title(trainee.name)
            longest = max((len(p.history) for p in trainee.skills.values()), default=0)
            if longest:
                plt.xticks(list(range(1, longest + 1)))
            for skill in SKILLS:
                progress_of = trainee.skills.get(skill)
                if progress_of and progress_of.history:
                    scores = [score for _, score in progress_of.history]
                    plt.plot(list(range(1, len(scores) + 1)), scores, label=i18n.t(f"skill.{skill}"), marker="hd")
        chart.refresh()

    def selected_session(self) -> str | None:
        table = self.query_one("#sessions", DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_review(self) -> None:
        if session_id := self.selected_session():
            self.app.push_screen(ReviewScreen(session_id))

    def action_back(self) -> None:
        self.app.pop_screen()


class TurnItem(ListItem):
    def __init__(self, seq: int, who: str, said: str):
        super().__init__(Static(f"[b]{who}[/b]: {said}", classes="turn", markup=True))
        self.seq = seq


class CommentItem(ListItem):
    def __init__(self, seq: int | None, author: str, said: str):
        super().__init__(Static(f"💬 {author}: {said}", classes="comment", markup=False))
        self.seq = seq


class ReviewScreen(MarkedTurnsScreen):
    CSS_PATH = "mentor.tcss"
    BINDINGS = [
        Binding("g", "agree", "mentor.agree"),
        Binding("o", "override", "mentor.override"),
        Binding("c", "comment", "mentor.comment"),
        Binding("e", "export", "mentor.export"),
        Binding("n", "next_mark", "tui.next_mark"),
        Binding("p", "previous_mark", "tui.previous_mark"),
        Binding("escape", "back", "mentor.back"),
    ]

    def __init__(self, session_id: str):
        super().__init__()
        self.session_id = session_id
        self.marks: list[StoredMark] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="top"):
            yield Select[str]([], prompt=t("mentor.all_kinds"), id="kind")
            yield Label("", id="headline")
        yield ListView(id="turns")
        yield Footer()

    def on_mount(self) -> None:
        self.title = t("mentor.review")
        self.sub_title = self.session_id
        self.load()
        kinds = sorted({m.mark.kind for m in self.marks})
        self.query_one("#kind", Select).set_options([(i18n.t(f"kind.{k}"), k) for k in kinds])
        self.query_one("#turns", ListView).focus()

    @on(Select.Changed, "#kind")
    def kind_changed(self) -> None:
        self.load()

    def load(self) -> None:
        repo = self.sparring.repo
        turns = self.query_one("#turns", ListView)
        index = turns.index
        try:
            report = repo.report(self.session_id)
            transcript = repo.transcript(self.session_id)
            self.marks = repo.marks(self.session_id)
            comments = repo.comments(self.session_id)
        except (AccessDenied, NotFound, Refused) as exc:
            self.notify(str(exc), severity="error")
            return
        wanted = self.query_one("#kind", Select).value
        coached, by_seq = marks_by_turn(transcript, self.marks, None if wanted is Select.NULL else str(wanted))
        headline = self.query_one("#headline", Label)
        if report is not None:
            verdict = i18n.t("report.passed") if report.passed else i18n.t("report.failed")
            summary = f"\n{coach_summary(coached)}" if coached else ""
            headline.update(f"{i18n.t('report.score')} {report.score}/100 · {verdict}{summary}")
            headline.set_classes("passed" if report.passed else "failed")
        for comment, author in comments:
            by_seq.setdefault(comment.seq if comment.seq is not None else -1, []).append(
                CommentItem(comment.seq, author, comment.text)
            )
        turns.clear()
        for item in by_seq.get(-1, []):
            turns.append(item)
        for event in transcript.messages():
            turns.append(TurnItem(event.seq, i18n.t(f"role.{event.role}"), event.text or ""))
            for item in by_seq.get(event.seq, []):
                turns.append(item)
        if index is not None:
            turns.index = min(index, len(turns) - 1) if len(turns) else None

    def _highlighted(self) -> ListItem | None:
        return self.query_one("#turns", ListView).highlighted_child

    def _mark(self) -> MarkItem | None:
        item = self._highlighted()
        if isinstance(item, MarkItem):
            return item
        self.notify(t("mentor.pick_mark"), severity="warning")
        return None

    def action_agree(self) -> None:
        if item := self._mark():
            self._review(item.stored.id, "agree", None)

    def action_override(self) -> None:
        item = self._mark()
        if item is None:
            return
        mark_id = item.stored.id

        def answered(reason: str | None) -> None:
            if reason:
                self._review(mark_id, "override", reason)

        self.app.push_screen(TextPrompt(t("mentor.override_why")), answered)

    def _review(self, mark_id: int, verdict: str, reason: str | None) -> None:
        try:
            self.sparring.repo.review(mark_id, verdict, reason)
        except (AccessDenied, NotFound, Refused) as exc:  # a refusal from the store is shown, not raised
            self.notify(str(exc), severity="error")
            return
        self.notify(t("mentor.reviewed"))
        self.load()

    def action_comment(self) -> None:
        item = self._highlighted()
        seq = getattr(item, "seq", None) if item is not None else None

        def answered(said: str | None) -> None:
            if not said:
                return
            try:
                self.sparring.repo.comment(self.session_id, said, seq)
            except (AccessDenied, NotFound, Refused) as exc:
                self.notify(str(exc), severity="error")
                return
            self.notify(t("mentor.commented"))
            self.load()

        self.app.push_screen(TextPrompt(t("mentor.comment_prompt")), answered)

    def action_export(self) -> None:
        target = paths.data_dir() / "exports" / f"{self.session_id}.html"
        try:
            html = export_session(self.sparring.repo, self.session_id, "html")
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(html, bytes):
                target.write_bytes(html)
            else:
                target.write_text(html, encoding="utf-8")
        except (AccessDenied, NotFound, Refused, ValueError, OSError) as exc:
            self.notify(t("mentor.export_failed", error=exc), severity="error")
            return
        self.notify(t("mentor.exported", path=target))

    def action_back(self) -> None:
        self.app.pop_screen()
