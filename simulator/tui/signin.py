"""The sign-in screen: name and password, or a first-time invitation code with the password to choose."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.widgets import Button, Footer, Header, Input, Label, Static

from simulator.i18n import t
from simulator.tui.screens import SparringScreen
from transcripts.repository import AccessDenied, Repository
from transcripts.signin import redeem, sign_in


class SignInScreen(SparringScreen):
    CSS_PATH = "signin.tcss"
    AUTO_FOCUS = "#name"

    def compose(self) -> ComposeResult:
        yield Header()
        with Center(), Vertical(id="form"):
            yield Static(t("tui.signin.title"), classes="panel-title")
            yield Static(t("tui.signin.intro"), classes="muted")
            yield Label(t("tui.signin.name"))
            yield Input(id="name")
            yield Label(t("tui.signin.password"))
            yield Input(id="password", password=True)
            yield Label(t("tui.signin.code"))
            yield Input(id="code", password=True)
            yield Button(t("tui.signin.button"), id="sign-in", variant="primary")
            yield Static("", id="error")
        yield Footer()

    @on(Input.Submitted)
    @on(Button.Pressed, "#sign-in")
    def submit(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        if not name:
            self.query_one("#name", Input).focus()
            return
        self.query_one("#error", Static).update(t("tui.signin.checking"))
        self.query_one("#sign-in", Button).disabled = True
        self._check(name, self.query_one("#password", Input).value, self.query_one("#code", Input).value.strip())

    @work(thread=True, exclusive=True)
    def _check(self, name: str, password: str, code: str) -> None:
        """Off the event loop: hashing takes a moment, and a failure waits on purpose."""
        engine = self.sparring.engine
        try:
            repo = redeem(engine, name, code, password) if code else sign_in(engine, name, password)
        except AccessDenied as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._signed_in, repo)

    def _failed(self, message: str) -> None:
        self.query_one("#error", Static).update(message)
        self.query_one("#sign-in", Button).disabled = False
        password = self.query_one("#password", Input)
        password.value = ""
        password.focus()

    def _signed_in(self, repo: Repository) -> None:
        self.sparring.signed_in(repo)
