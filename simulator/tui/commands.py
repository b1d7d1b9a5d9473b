"""Command palette entries (Ctrl+P) for the main actions, in the interface language."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from simulator.i18n import t

if TYPE_CHECKING:
    from simulator.tui.app import SparringApp


def _open(app: SparringApp, screen: str) -> None:
    from simulator.tui.home import HomeScreen
    from simulator.tui.mentor import MentorScreen
    from simulator.tui.settings import SettingsScreen
    from simulator.tui.trainer import TrainerScreen

    screens = {"home": HomeScreen, "mentor": MentorScreen, "trainer": TrainerScreen, "settings": SettingsScreen}
    app.push_screen(screens[screen]())


class MainActions(Provider):
    def actions(self) -> list[tuple[str, str, Callable[[], object]]]:
        app: SparringApp = self.app  # type: ignore[assignment]
        return [
            (t("tui.palette.home"), t("tui.palette.home_help"), partial(_open, app, "home")),
            (t("mentor.open"), t("tui.palette.mentor_help"), partial(_open, app, "mentor")),
            (t("trainer.open"), t("tui.palette.trainer_help"), partial(_open, app, "trainer")),
            (t("tui.settings"), t("tui.palette.settings_help"), partial(_open, app, "settings")),
            (t("tui.quit"), t("tui.palette.quit_help"), app.exit),
        ]

    async def discover(self) -> Hits:
        for name, help_text, command in self.actions():
            yield DiscoveryHit(name, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, command in self.actions():
            if (score := matcher.match(name)) > 0:
                yield Hit(score, matcher.highlight(name), command, help=help_text)
