"""The wheel carries personas/ and scenarios/, and an installed copy finds them (no checkout needed)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hatchling.builders.wheel import WheelBuilder

pytestmark = pytest.mark.slow  # the fast tier (-m "not slow") leaves it out

ROOT = Path(__file__).resolve().parent.parent


def build_wheel(tmp_path: Path) -> Path:
    builder = WheelBuilder(str(ROOT))
    return Path(next(builder.build(directory=str(tmp_path), versions=["standard"])))


def test_wheel_ships_the_catalogue_and_the_word_lists(tmp_path):
    wheel = build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {p.name for p in (ROOT / "scenarios").glob("*.yaml")}
    assert shipped and shipped <= {Path(n).name for n in names if n.startswith("simulator/_data/scenarios/")}
    assert "simulator/_data/personas/angry.yaml" in names
    assert "grading/lexicon/ru.yaml" in names
    assert "simulator/draft/lexicon-ru.yaml" in names
    assert "transcripts/format.py" in names
    assert not any(n.startswith("tests/") for n in names)


def test_an_installed_wheel_finds_its_catalogue(tmp_path):
    wheel = build_wheel(tmp_path)
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from simulator import paths; from simulator.catalog import load_catalog, catalog_roots\n"
        "c = load_catalog(catalog_roots()); print(paths.shipped_catalog()); print(len(c.scenarios), len(c.problems))"
    )
    # This interpreter, whatever environment it runs in, for the dependencies; the wheel's files come first on
    # the path (the probe checks it imported them, not the checkout).
    result = subprocess.run(
        [sys.executable, "-c", probe, str(target)], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    where, counts = result.stdout.strip().splitlines()
    assert where == str(target / "simulator" / "_data")
    scenarios, problems = map(int, counts.split())
    assert scenarios == len(list((ROOT / "scenarios").glob("*.yaml"))) and problems == 0
