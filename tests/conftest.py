"""Shared pytest fixtures."""

from tests.openai_server import openai_server  # noqa: F401  (a fixture, used by name)
