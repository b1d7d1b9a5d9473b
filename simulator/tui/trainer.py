"""The trainer's workbench: browse personas and scenarios with their validation problems, reload after an
edit, preview a persona's voice, and dry-run a scenario with a bot and read the graded transcript.

Nothing here is stored: a dry run plays on a virtual clock with the scripted backend and is thrown away.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Header, Input, Label, Markdown, OptionList, Static, TextArea, Tree
from textual.widgets.option_list import Option

from grading import grade
from grading.render import as_markdown
from simulator import i18n
from simulator.catalog import Catalog, CatalogError, Intent, Persona, catalog_roots, load_catalog
from simulator.catalog.catalog import FOLDERS
from simulator.draft import DraftExists, write_draft
from simulator.draft.drafting import slug
from simulator.engine.bots import BOTS
from simulator.engine.clock import VirtualClock
from simulator.engine.headless import play
from simulator.engine.session import Session
from simulator.i18n import t
from simulator.llm.scripted import ScriptedBackend
from simulator.tui.screens import SparringScreen
from simulator.understand import explain, listener, render
from simulator.vocabulary import Language
from transcripts.format import TranscriptError
from transcripts.report import Report

Kind = Literal["persona", "scenario"]


@dataclass(frozen=True)
class Entry:
    """One catalogue file: a loaded persona or scenario (``id`` set), or a file that did not load."""

    kind: Kind
    path: Path
    id: str | None = None

    @property
    def name(self) -> str:
        return self.id or self.path.name


def _guess_kind(path: Path) -> Kind:
    folder = FOLDERS.get(path.parent.name)
    if folder == "persona":
        return "persona"
    if folder == "scenario":
        return "scenario"
    try:
        return "persona" if "temperament:" in path.read_text(encoding="utf-8") else "scenario"
    except OSError:
        return "scenario"


def _same(a: Path | str, b: Path | str) -> bool:
    return Path(a).resolve() == Path(b).resolve()


def entries(catalog: Catalog) -> list[Entry]:
    """Every file the catalogue knows of: loaded documents and the files behind its problems."""
    found: list[Entry] = [Entry("persona", doc.path, pid) for pid, doc in catalog.personas.items()]
    found += [Entry("scenario", doc.path, sid) for sid, doc in catalog.scenarios.items()]
    known = {e.path.resolve() for e in found}
    for problem in catalog.problems:
        path = Path(problem.path)
        if path.resolve() not in known:
            known.add(path.resolve())
            found.append(Entry(_guess_kind(path), path))
    return sorted(found, key=lambda e: (e.kind, e.id is None, e.name))


def problems_of(catalog: Catalog, path: Path) -> list[CatalogError]:
    return [p for p in catalog.problems if _same(p.path, path)]


def voice_markdown(persona: Persona, lang: Language) -> str:
    """One authored line per intent in ``lang``, as Markdown."""
    name = persona.name.get(lang) or next(iter(persona.name.values()), persona.id)
    out = [f"## {t('trainer.voice_title', name=name, persona=persona.id)}", ""]
    for intent in Intent:
        lines = persona.lines.get(intent, {}).get(lang) or []
        line = lines[0] if lines else f"*{t('trainer.no_line')}*"
        out.append(f"- `{intent.value}`: {line}")
    return "\n".join(out) + "\n"


def _bot_label(name: str) -> str:
    key = f"trainer.bot.{name}"
    return t(key) if key in i18n.MESSAGES else name


class BotScreen(ModalScreen[str | None]):
    """Pick the bot that plays the trainee in a dry run."""

    BINDINGS = [Binding("escape", "dismiss(None)", "trainer.cancel")]

    def __init__(self, scenario_id: str):
        super().__init__()
        self.scenario_id = scenario_id

    def compose(self) -> ComposeResult:
        with Vertical(id="bot-box"):
            yield Label(t("trainer.choose_bot", scenario=self.scenario_id))
            yield OptionList(*(Option(_bot_label(name), id=name) for name in BOTS), id="bots")

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class DraftScreen(ModalScreen[tuple[Path, Path] | None]):
    """Ask for a chat export and where to write the scenario drafted from it."""

    BINDINGS = [Binding("escape", "dismiss(None)", "trainer.cancel")]

    def __init__(self, folder: Path):
        super().__init__()
        self.folder = folder
        """Where the draft goes when no file is named: the trainer's own scenarios folder."""

    def compose(self) -> ComposeResult:
        with Vertical(id="draft-box"):
            yield Label(t("trainer.draft_title"))
            yield Input(placeholder=t("trainer.draft_chat"), id="draft-chat")
            yield Input(placeholder=t("trainer.draft_out", path=self.default("chat")), id="draft-out")

    def default(self, chat: str) -> Path:
        return self.folder / f"{slug(Path(chat).stem) or 'draft'}.yaml"

    @on(Input.Changed, "#draft-chat")
    def chat_changed(self, event: Input.Changed) -> None:
        out = self.query_one("#draft-out", Input)
        out.placeholder = t("trainer.draft_out", path=self.default(event.value.strip() or "chat"))

    @on(Input.Submitted, "#draft-chat")
    def chat_given(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.query_one("#draft-out", Input).focus()

    @on(Input.Submitted, "#draft-out")
    def out_given(self, event: Input.Submitted) -> None:
        chat = self.query_one("#draft-chat", Input).value.strip()
        if not chat:
            self.query_one("#draft-chat", Input).focus()
            return
        out = event.value.strip()
        self.dismiss((Path(chat).expanduser(), Path(out).expanduser() if out else self.default(chat)))


class TrainerScreen(SparringScreen):
    CSS_PATH = "trainer.tcss"
    BINDINGS = [
        Binding("r", "reload", "trainer.reload"),
        Binding("v", "voice", "trainer.voice"),
        Binding("b", "dry_run", "trainer.dry_run"),
        Binding("u", "try_line", "trainer.try"),
        Binding("d", "draft", "trainer.draft"),
        Binding("escape", "back", "trainer.back"),
    ]

    def __init__(self, extra: list[Path] | None = None):
        """``extra``: the catalogue folders the app was given besides the settings' (used by reload)."""
        super().__init__()
        self.extra = extra
        self.selected: Entry | None = None
        self.report: Report | None = None
        """The last dry run's report (nothing is stored anywhere else)."""
        self.voice = ""
        """The last voice preview, as Markdown."""
        self.understood: dict[str, object] | None = None
        """How the customer understood the last line tried in the box."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            tree: Tree[Entry | None] = Tree(t("trainer.files"), id="files")
            tree.show_root = False
            yield tree
            with Vertical(id="detail"):
                yield Static("", id="problems")
                yield TextArea.code_editor("", language=self._yaml(), read_only=True, id="source", soft_wrap=False)
                with VerticalScroll(id="panel", classes="hidden"):
                    yield Markdown(id="result")
                yield Input(placeholder=t("trainer.try_placeholder"), id="try", classes="hidden")
        yield Footer()

    @staticmethod
    def _yaml() -> str | None:
        return "yaml" if "yaml" in TextArea("").available_languages else None

    def on_mount(self) -> None:
        self.sub_title = t("trainer.title")
        self.refresh_tree()
        self.query_one("#files", Tree).focus()

    # The catalogue

    @property
    def catalog(self) -> Catalog:
        return self.sparring.catalog

    def roots(self) -> list[Path]:
        """The folders the app loaded (or those this screen was given)."""
        extra = self.extra if self.extra is not None else self.sparring.catalog_extra
        return [*catalog_roots(self.sparring.settings.catalog), *extra]

    def refresh_tree(self) -> None:
        tree = self.query_one("#files", Tree)
        keep = self.selected.path.resolve() if self.selected else None
        tree.clear()
        groups = {
            "persona": tree.root.add(t("trainer.personas"), data=None, expand=True),
            "scenario": tree.root.add(t("trainer.scenarios"), data=None, expand=True),
        }
        first = kept = None
        for entry in entries(self.catalog):
            ok = entry.id is not None and not problems_of(self.catalog, entry.path)
            label = Text.assemble(("✓ " if ok else "✗ ", "green" if ok else "bold red"), entry.name)
            node = groups[entry.kind].add_leaf(label, data=entry)
            first = first or node
            if entry.path.resolve() == keep:
                kept = node
        self.selected = None
        chosen = kept or first
        if chosen is not None:
            tree.move_cursor(chosen)
            self.show(chosen.data)

    @on(Tree.NodeHighlighted, "#files")
    def highlighted(self, event: Tree.NodeHighlighted[Entry | None]) -> None:
        if event.node.data is not None and event.node.data != self.selected:
            self.show(event.node.data)

    def select(self, name: str) -> None:
        """Move the cursor to the entry with this id (or file name)."""
        tree = self.query_one("#files", Tree)
        for group in tree.root.children:
            for node in group.children:
                if node.data is not None and node.data.name == name:
                    tree.move_cursor(node)
                    self.show(node.data)
                    return
        raise LookupError(name)

    def show(self, entry: Entry | None) -> None:
        self.selected = entry
        self.hide_panel()
        source = self.query_one("#source", TextArea)
        problems = self.query_one("#problems", Static)
        if entry is None:
            source.load_text("")
            problems.update("")
            return
        try:
            source.load_text(entry.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            source.load_text(t("trainer.unreadable"))
        source.border_title = f"{entry.path.parent.name}/{entry.path.name}"
        found = problems_of(self.catalog, entry.path)
        if found:
            text = Text(t("trainer.problems", count=len(found)) + "\n", style="bold")
            text.append("\n".join(str(p) for p in found))
            problems.update(text)
            problems.set_classes("bad")
            line = max(found[0].line - 1, 0)
            if line < source.document.line_count:
                source.cursor_location = (line, 0)
                source.scroll_cursor_visible(center=True, animate=False)
        else:
            problems.update(t("trainer.valid"))
            problems.set_classes("good")

    def action_reload(self) -> None:
        self.sparring.catalog = load_catalog(self.roots())
        self.refresh_tree()
        self.notify(t("trainer.reloaded", problems=len(self.catalog.problems)))

    # The panel: a persona's voice or a dry run

    def show_panel(self, markdown: str) -> None:
        self.query_one("#result", Markdown).update(markdown)
        panel = self.query_one("#panel", VerticalScroll)
        panel.remove_class("hidden")
        panel.scroll_home(animate=False)

    def hide_panel(self) -> None:
        self.query_one("#panel").add_class("hidden")

    def action_voice(self) -> None:
        entry = self.selected
        persona: Persona | None = None
        if entry and entry.id and entry.kind == "persona":
            persona = self.catalog.persona(entry.id)
        elif entry and entry.id and entry.kind == "scenario":
            scenario = self.catalog.scenario(entry.id)
            if scenario.persona in self.catalog.personas:
                persona = self.catalog.cast(scenario)
        if persona is None:
            self.notify(t("trainer.pick_persona"), severity="warning")
            return
        self.voice = voice_markdown(persona, cast(Language, i18n.language()))
        self.show_panel(self.voice)

    def action_dry_run(self) -> None:
        entry = self.selected
        if not (entry and entry.id and entry.kind == "scenario" and self._playable(entry.id)):
            self.notify(t("trainer.pick_scenario"), severity="warning")
            return
        scenario_id = entry.id

        def chosen(bot: str | None) -> None:
            if bot:
                self.run_worker(self.dry_run(scenario_id, bot), group="dry-run", exclusive=True)

        self.app.push_screen(BotScreen(scenario_id), chosen)

    def _playable(self, scenario_id: str) -> bool:
        return self.catalog.scenarios[scenario_id].model.persona in self.catalog.personas

    async def dry_run(self, scenario_id: str, bot: str) -> Report | None:
        """Play the scenario with a bot on virtual time, grade it and show the marked transcript."""
        scenario = self.catalog.scenario(scenario_id)
        session = Session(scenario, self.catalog.cast(scenario), ScriptedBackend(), VirtualClock(), seed=0)
        try:
            transcript = await play(session, BOTS[bot](scenario))
            report = grade(transcript, scenario)
        except Exception as exc:  # a scenario that breaks the engine is shown to the trainer, not raised
            self.notify(f"{type(exc).__name__}: {exc}", severity="error")
            return None
        title = t("trainer.dry_run_title", bot=bot, scenario=scenario_id)
        self.show_panel(f"*{title}*\n\n{as_markdown(report, transcript)}")
        self.report = report
        return report

    def action_try_line(self) -> None:
        """A box to type an agent line into and see how this scenario's customer would understand it."""
        entry = self.selected
        if not (entry and entry.id and entry.kind == "scenario" and self._playable(entry.id)):
            self.notify(t("trainer.pick_scenario"), severity="warning")
            return
        box = self.query_one("#try", Input)
        box.remove_class("hidden")
        box.focus()

    @on(Input.Submitted, "#try")
    def try_line(self, event: Input.Submitted) -> None:
        entry = self.selected
        if not (event.value.strip() and entry and entry.id and entry.kind == "scenario"):
            return
        scenario = self.catalog.scenario(entry.id)
        director = listener(scenario, self.catalog.cast(scenario))
        self.understood = explain(scenario, director, event.value.strip())
        self.show_panel(f"*{t('trainer.try_title')}*\n\n```text\n{render(self.understood)}```\n")

    def draft_folder(self) -> Path:
        """The trainer's own scenarios folder: the first catalogue folder besides the shipped one."""
        extra = self.extra if self.extra is not None else self.sparring.catalog_extra
        folders = [*self.sparring.settings.catalog, *extra]
        root = next((Path(f) for f in folders if not Path(f).is_file()), Path.cwd())
        return root if root.name == "scenarios" else root / "scenarios"

    def action_draft(self) -> None:
        """Draft a scenario from a real chat, then show it with the TODO values still to fill in."""

        def chosen(paths: tuple[Path, Path] | None) -> None:
            if paths:
                self.draft(*paths)

        self.app.push_screen(DraftScreen(self.draft_folder()), chosen)

    @work(thread=True, exclusive=True, group="draft")
    def draft(self, chat: Path, out: Path) -> None:
        """Off the event loop: reading a long chat, drafting and reloading the catalogue take a second or two."""
        try:
            written = write_draft(chat, out)
        except (DraftExists, TranscriptError, OSError) as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        extra = self.extra if self.extra is not None else self.sparring.catalog_extra
        roots = [r.resolve() for r in self.roots()]
        if not any(out.resolve() == r or r in out.resolve().parents for r in roots):
            extra = [*extra, out]  # a draft written outside the catalogue is shown too
        catalog = load_catalog([*catalog_roots(self.sparring.settings.catalog), *extra])
        self.app.call_from_thread(self._drafted, out, written.todos, extra, catalog)

    def _drafted(self, out: Path, todos: int, extra: list[Path], catalog: Catalog) -> None:
        self.extra = extra
        self.sparring.catalog = catalog
        self.selected = Entry("scenario", out)
        self.refresh_tree()
        self.notify(t("trainer.drafted", path=out, todos=todos))

    def action_back(self) -> None:
        self.app.pop_screen()
