"""What every screen of the app shares: bindings in the interface language, the typed app, a text prompt."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label

from simulator.tui.localized import localize_bindings

if TYPE_CHECKING:
    from simulator.tui.app import SparringApp


class SparringScreen(Screen[None]):
    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)

    @property
    def sparring(self) -> SparringApp:
        return cast("SparringApp", self.app)


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text (a reason, a comment); Esc or an empty line gives None. A ``password`` is not
    shown, and is given back as typed, empty too (only Esc gives None)."""

    DEFAULT_CSS = """
    TextPrompt { align: center middle; }
    TextPrompt #prompt { width: 70; height: auto; border: round $accent; padding: 1 2; background: $surface; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "tui.cancel")]

    def __init__(self, prompt: str, password: bool = False) -> None:
        super().__init__()
        localize_bindings(self)
        self.prompt = prompt
        self.password = password

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt"):
            yield Label(self.prompt)
            yield Input(id="answer", password=self.password)

    @on(Input.Submitted)
    def done(self, submitted: Input.Submitted) -> None:
        self.dismiss(submitted.value if self.password else submitted.value.strip() or None)
