"""The app in a web browser, through textual-serve: each tab runs its own ``sparring`` process, which opens on
the sign-in screen, so the identity of a tab is whoever signed in there.

The tabs of a class share one model: with the local backend, serve starts one model service
(``simulator.llm.service``) and every tab's process talks to it, instead of each loading its own copy.
A remote OpenAI-compatible server, or the scripted customer, the tabs use as they are configured.
"""

from __future__ import annotations

import ipaddress
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from textual_serve.server import Server

from simulator.llm.local import model_name
from simulator.llm.service import Service, running_service
from simulator.settings import Settings


def loopback(host: str) -> bool:
    """Only this machine can reach ``host``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(settings: Settings, host: str, port: int, public_url: str | None = None) -> None:
    with shared_model(settings) as shared:
        command = child_command(shared.settings)
        Server(command, host=host, port=port, title="Sparring", public_url=public_url).serve()


@dataclass(frozen=True)
class SharedModel:
    settings: dict[str, str | bool] = field(default_factory=dict)
    """What every tab's settings change to: nothing when they already name a server or need no model."""
    service: Service | None = None
    """The model service started for the class, if one was."""


@contextmanager
def shared_model(settings: Settings) -> Iterator[SharedModel]:
    """One model for every tab, for as long as the block runs: the local model behind a model service started
    here, or the server the settings already name."""
    if settings.backend != "local":
        yield SharedModel()
        return
    with running_service(settings.model, settings.threads, settings.context) as service:
        framing = "chat" if settings.framing == "chat" else "transcript"
        served: dict[str, str | bool] = {
            "backend": "openai",
            "base_url": service.url,
            "model": model_name(settings.model),
            "framing": framing,
            "read_ahead": True,  # the service keeps each conversation's cache: reading ahead pays
        }
        yield SharedModel(served, service)


def child_command(settings: dict[str, str | bool]) -> str:
    """The shell command textual-serve runs for each tab: the app on its sign-in screen, with these settings as
    its options (True: a flag). The child inherits this environment, so the other settings carry over."""
    options: list[str] = []
    for key, value in settings.items():
        flag = f"--{key.replace('_', '-')}"
        options += [flag] if value is True else [flag, str(value)]
    return shlex.join([sys.executable, "-m", "simulator.cli", "--sign-in", *options])
