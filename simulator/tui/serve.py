"""The app in a web browser, through textual-serve: each tab runs its own ``sparring`` process."""

from __future__ import annotations

import sys

from textual_serve.server import Server


def serve(host: str, port: int) -> None:
    # The child inherits this environment, so --as and the settings carry over.
    Server(f"{sys.executable} -m simulator.cli", host=host, port=port, title="Sparring").serve()
