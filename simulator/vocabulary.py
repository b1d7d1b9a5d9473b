"""The words every layer shares: the languages Sparring speaks and how a conversation can end. It imports
nothing of the project, so the engine, the grader, the store and the app can all use it."""

from __future__ import annotations

from typing import Literal

Language = Literal["en", "ru"]
LANGUAGES: tuple[Language, ...] = ("en", "ru")

Outcome = Literal["resolved", "customer_left", "unfinished"]
