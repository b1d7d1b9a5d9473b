"""The layering holds: only simulator/tui/ imports Textual (checked in a fresh interpreter as well), every module
has its layer, and the import-linter contracts and mypy pass."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def core_modules() -> list[str]:
    """Every module below the two interfaces (the app and the command line)."""
    names = []
    for layer in layer_modules():
        if layer in ("simulator.cli", "simulator.tui"):
            continue
        names.append(layer)
        path = ROOT / Path(*layer.split("."))
        if path.is_dir():
            names += [f"{layer}.{m.name}" for m in pkgutil.walk_packages([str(path)]) if not m.ispkg]
    return names


@pytest.mark.slow
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
    for name in core_modules():
        path = ROOT / Path(*name.split("."))
        source = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        text = source.read_text(encoding="utf-8")
        assert "import textual" not in text and "from textual" not in text, source


def test_import_linter_contracts_hold():
    result = subprocess.run(["lint-imports", "--no-cache"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.slow
def test_the_core_type_checks():
    result = subprocess.run([sys.executable, "-m", "mypy"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def layer_modules() -> list[str]:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (layers,) = [c["layers"] for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    return [name.strip() for layer in layers for name in layer.replace("|", ":").split(":")]


def test_every_module_has_a_layer():
    """A module outside every layer is one import-linter never checks: a new module must be placed."""
    placed = layer_modules()
    unplaced = []
    for package in ("simulator", "grading", "transcripts"):
        for found in pkgutil.walk_packages([str(ROOT / package)], prefix=f"{package}."):
            name = found.name
            if found.ispkg and any(p.startswith(f"{name}.") for p in placed):
                continue  # a package split over layers: its modules are placed one by one
            if not any(name == p or name.startswith(f"{p}.") for p in placed):
                unplaced.append(name)
    assert unplaced == []
