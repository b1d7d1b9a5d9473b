"""Key-binding labels in the interface language of the running app.

Textual reads ``BINDINGS`` when a class is defined; ours hold i18n keys instead of words, and each screen
translates its own copy when it is created, so the footer follows SPARRING_LANGUAGE (and tests can switch).
"""

from __future__ import annotations

from dataclasses import replace

from textual.dom import DOMNode

from simulator.i18n import MESSAGES, t


def localize_bindings(node: DOMNode) -> None:
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        table[key] = [replace(b, description=t(b.description)) if b.description in MESSAGES else b for b in bindings]
