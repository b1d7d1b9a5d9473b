"""Every user-visible CLI string exists in English and Russian."""

from __future__ import annotations

import ast
import re

from simulator.i18n import MESSAGES, t
from tests.support import ROOT


def test_every_message_has_both_languages_with_the_same_placeholders():
    for key, (english, russian) in MESSAGES.items():
        assert english.strip() and russian.strip(), key
        assert re.search("[а-яё]", russian, re.I), f"{key}: the Russian text is not Russian"
        assert set(re.findall(r"{(\w+)}", english)) == set(re.findall(r"{(\w+)}", russian)), key


def test_language_follows_the_setting(monkeypatch):
    monkeypatch.setenv("SPARRING_LANGUAGE", "ru")
    assert t("outcome.resolved") == "решено"
    monkeypatch.setenv("SPARRING_LANGUAGE", "en")
    assert t("outcome.resolved") == "resolved"


def test_every_message_is_used():
    """A key no code names is dead text that translators keep in step for nothing. A key counts as used when a
    string in the code or a template is the key, or an f-string's fixed start begins it
    (``t(f"outcome.{outcome}")``)."""
    literals: set[str] = set()
    prefixes: set[str] = set()
    for package in ("simulator", "grading", "transcripts"):
        for path in (ROOT / package).rglob("*.py"):
            if path == ROOT / "simulator" / "i18n.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    literals.add(node.value)
                elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                    prefixes.add(str(node.values[0].value))
    for template in (ROOT / "transcripts" / "templates").iterdir():  # Jinja: t('certificate.heading')
        literals |= set(re.findall(r"""["']([a-z_]+\.[a-z_.]+)["']""", template.read_text(encoding="utf-8")))
    starts = tuple(p for p in prefixes if "." in p)
    unused = [key for key in MESSAGES if key not in literals and not key.startswith(starts)]
    assert unused == []
