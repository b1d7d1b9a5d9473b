"""The Sparring app: home, practice and report screens over the shared engine, grader and store."""

from __future__ import annotations

from pathlib import Path

from textual.app import App

from simulator.catalog import Catalog, Scenario, catalog_roots, load_catalog
from simulator.i18n import t
from simulator.launch import backend_for
from simulator.llm import Backend
from simulator.settings import Settings, load_settings
from simulator.storage import open_repository
from simulator.tui.commands import MainActions
from transcripts.repository import Repository


class SparringApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "Sparring"
    COMMANDS = App.COMMANDS | {MainActions}

    def __init__(
        self, settings: Settings | None = None, catalog: list[Path] | None = None, backend: Backend | None = None
    ):
        """``backend`` replaces the configured one for every session (tests use a scripted one)."""
        super().__init__()
        self.settings = settings or load_settings()
        self.backend = backend
        self.catalog_extra = list(catalog or [])
        """Folders given when the app started, so the trainer's reload reads exactly the same catalogue."""
        self.catalog: Catalog = load_catalog(catalog_roots([*self.settings.catalog, *(catalog or [])]))
        self.repo: Repository = open_repository(self.settings)
        self.sub_title = t("tui.who", name=self.repo.actor.name, role=self.repo.actor.role)

    def act_as(self, name: str) -> None:
        """Switch who is using the app; the store decides what they may see."""
        self.repo = Repository.acting_as(self.repo.engine, name)
        self.sub_title = t("tui.who", name=self.repo.actor.name, role=self.repo.actor.role)

    def backend_for(self, scenario: Scenario) -> Backend:
        if self.backend is not None:
            return self.backend
        backend, notice = backend_for(self.settings, scenario)
        if notice:  # never print under a running app: say it on screen
            self.notify(notice, timeout=10)
        return backend

    def on_mount(self) -> None:
        from simulator.tui.home import HomeScreen

        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        self.push_screen(HomeScreen())


def run_app(settings: Settings | None = None) -> None:
    SparringApp(settings=settings).run()
