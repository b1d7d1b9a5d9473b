"""The Sparring app: home, practice and report screens over the shared engine, grader and store."""

from __future__ import annotations

from pathlib import Path

from textual.app import App

from simulator.catalog import Catalog, Scenario, catalog_roots, load_catalog
from simulator.i18n import t
from simulator.llm import Backend
from simulator.sessions import backend_for
from simulator.settings import Settings, load_settings
from simulator.storage import open_repository, open_store
from simulator.tui.commands import MainActions
from transcripts.repository import Repository
from transcripts.signin import has_password, sign_in, view_as


class SparringApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "Sparring"
    COMMANDS = App.COMMANDS | {MainActions}

    repo: Repository
    """The store as whoever is using the app; set once they have signed in, if they must."""

    def __init__(
        self,
        settings: Settings | None = None,
        catalog: list[Path] | None = None,
        backend: Backend | None = None,
        sign_in: bool = False,
    ):
        """``backend`` replaces the configured one for every session (tests use a scripted one). ``sign_in``
        opens on the sign-in screen, as the served app does; so does the ``require_sign_in`` setting."""
        super().__init__()
        self.settings = settings or load_settings()
        self.sign_in = sign_in or self.settings.require_sign_in
        self.backend = backend
        self.catalog_extra = list(catalog or [])
        """Folders given when the app started, so the trainer's reload reads exactly the same catalogue."""
        self.catalog: Catalog = load_catalog(catalog_roots([*self.settings.catalog, *(catalog or [])]))
        self.engine = open_store(self.settings)
        if not self.sign_in:
            self.repo = open_repository(self.settings, self.engine)
            self._show_who()

    def _show_who(self) -> None:
        actor, viewer = self.repo.actor, self.repo.viewer
        if viewer is None:
            self.sub_title = t("tui.who", name=actor.name, role=actor.role)
        else:
            self.sub_title = t("tui.viewing", name=actor.name, role=actor.role, viewer=viewer.name)

    def use(self, repo: Repository) -> None:
        """From now on the app is used as ``repo``'s person; the store decides what they may see."""
        self.repo = repo
        self._show_who()

    def signed_in(self, repo: Repository) -> None:
        from simulator.tui.home import HomeScreen

        repo.mark_abandoned()
        self.use(repo)
        self.switch_screen(HomeScreen())

    def needs_password(self, name: str) -> bool:
        """Switching to ``name`` asks for their password: always when signing in is required, and for anyone
        who has one. Otherwise (one's own machine, nobody with a password) the switch is free, as it was."""
        return self.sign_in or has_password(self.engine, name)

    def switch_to(self, name: str, password: str = "") -> Repository:
        """The store as ``name``, for ``use``. With ``password``: signed in as them. Staff without it only look,
        and that is recorded. It touches no widget, so it can run off the event loop: a wrong password waits
        on purpose."""
        me = Repository(self.engine, self.repo.viewer or self.repo.actor)
        if password:
            return sign_in(self.engine, name, password, action="switch", by=me)
        if self.needs_password(name):
            return view_as(me, name) if me.is_staff else sign_in(self.engine, name, "", action="switch", by=me)
        return Repository.acting_as(self.engine, name)

    def backend_for(self, scenario: Scenario) -> Backend:
        if self.backend is not None:
            return self.backend
        backend, notice = backend_for(self.settings, scenario)
        if notice:  # never print under a running app: say it on screen
            self.notify(notice, timeout=10)
        return backend

    def on_mount(self) -> None:
        from simulator.tui.home import HomeScreen
        from simulator.tui.signin import SignInScreen

        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        self.push_screen(SignInScreen() if self.sign_in else HomeScreen())


def run_app(settings: Settings | None = None, sign_in: bool = False) -> None:
    SparringApp(settings=settings, sign_in=sign_in).run()
