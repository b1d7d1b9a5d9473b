"""The core never imports Textual: only simulator/tui/ may (checked in a fresh interpreter)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ("simulator.engine", "simulator.llm", "simulator.catalog", "simulator.draft", "grading", "transcripts")


def core_modules() -> list[str]:
    names = []
    for package in CORE:
        path = ROOT / Path(*package.split("."))
        names.append(package)
        names += [f"{package}.{m.name}" for m in pkgutil.walk_packages([str(path)]) if not m.ispkg]
    return names


def test_core_modules_import_no_textual():
    modules = core_modules()
    assert len(modules) > 10
    probe = (
        f"import importlib, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
        "print(sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"


def test_no_core_source_mentions_a_textual_import():
    for package in CORE:
        for source in (ROOT / Path(*package.split("."))).rglob("*.py"):
            text = source.read_text(encoding="utf-8")
            assert "import textual" not in text and "from textual" not in text, source


def test_import_linter_contracts_hold():
    result = subprocess.run(["lint-imports", "--no-cache"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_core_type_checks():
    result = subprocess.run([sys.executable, "-m", "mypy"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
