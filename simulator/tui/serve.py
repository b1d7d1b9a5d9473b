"""The app in a web browser, through textual-serve: each tab runs its own ``sparring`` process, which opens on
the sign-in screen, so the identity of a tab is whoever signed in there."""

from __future__ import annotations

import ipaddress
import shlex
import sys

from textual_serve.server import Server


def loopback(host: str) -> bool:
    """Only this machine can reach ``host``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def child_command() -> str:
    """What each browser tab runs. The child inherits this environment, so the settings carry over."""
    return f"{shlex.quote(sys.executable)} -m simulator.cli --sign-in"


def serve(host: str, port: int, public_url: str | None = None) -> None:
    Server(child_command(), host=host, port=port, title="Sparring", public_url=public_url).serve()
