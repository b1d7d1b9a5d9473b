"""Settings: who writes the customer, the interface language, the theme and the live coach, saved to
config.toml.

API keys are never written anywhere: they come from the environment, and the screen only says whether
one is set.
"""

from __future__ import annotations

import json

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Horizontal, Vertical
from textual.widgets import Footer, Header, Input, Label, Select, Static, Switch

from simulator import i18n, paths
from simulator.i18n import t
from simulator.llm.openai_backend import public_url
from simulator.settings import load_settings
from simulator.tui.screens import SparringScreen

SAVED = ("backend", "model", "base_url", "language", "theme", "coach")


def save_config(values: dict[str, str | bool]) -> None:
    """Merge into config.toml; JSON string quoting is valid TOML for these plain values."""
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = {}
    if path.exists():
        import tomllib

        kept = {k: v for k, v in tomllib.loads(path.read_text(encoding="utf-8")).items() if k not in SAVED}
    merged = {**kept, **{k: v for k, v in values.items() if v != ""}}
    path.write_text(
        "".join(f"{k} = {json.dumps(v, ensure_ascii=False)}\n" for k, v in merged.items()), encoding="utf-8"
    )


class SettingsScreen(SparringScreen):
    CSS_PATH = "settings.tcss"
    BINDINGS = [Binding("ctrl+s", "save", "tui.save"), Binding("escape", "app.pop_screen", "tui.home")]

    def compose(self) -> ComposeResult:
        settings = self.sparring.settings
        yield Header()
        with Center(), Vertical(id="form"):
            yield Label(t("tui.backend"))
            yield Select(
                [(t(f"tui.backend.{b}"), b) for b in ("local", "openai", "scripted")],
                value=settings.backend,
                allow_blank=False,
                id="backend",
            )
            yield Label(t("tui.model"))
            yield Input(settings.model or "", placeholder=t("tui.model_hint"), id="model")
            yield Label(t("tui.base_url"))
            yield Input(settings.base_url or "", placeholder="http://127.0.0.1:8080/v1", id="base_url")
            yield Static(t("tui.key_set") if settings.api_key else t("tui.key_unset"), id="key")
            yield Label(t("tui.language"))
            yield Select(
                [("English", "en"), ("Русский", "ru")], value=settings.language, allow_blank=False, id="language"
            )
            yield Label(t("tui.theme"))
            yield Select(
                [(name, name) for name in sorted(self.app.available_themes)],
                value=self.app.theme,
                allow_blank=False,
                id="theme",
            )
            with Horizontal(id="coach-row"):
                yield Switch(value=settings.coach, id="coach")
                yield Label(t("tui.coach_setting"))
        yield Footer()

    @on(Select.Changed, "#theme")
    def preview_theme(self, changed: Select.Changed) -> None:
        self.app.theme = str(changed.value)

    def action_save(self) -> None:
        values: dict[str, str | bool]
        values = {name: str(self.query_one(f"#{name}", Select).value) for name in ("backend", "language", "theme")}
        values |= {name: self.query_one(f"#{name}", Input).value.strip() for name in ("model", "base_url")}
        values["coach"] = self.query_one("#coach", Switch).value
        # Credentials never go to disk: user:password@ or a query in the URL stay where they came from.
        values["base_url"] = public_url(str(values["base_url"])) if values["base_url"] else ""
        save_config(values)
        i18n.reload()  # new screens speak it at once (unless SPARRING_LANGUAGE says otherwise)
        try:
            self.sparring.settings = load_settings()
        except ValueError as exc:  # e.g. the environment holds a value the settings refuse
            self.notify(" ".join(str(exc).split()), title=t("tui.error"), severity="error")
            return
        self.notify(t("tui.saved", path=paths.config_file()))
        self.app.pop_screen()
