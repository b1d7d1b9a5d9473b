"""A fast run of each benchmark, so the benchmark code cannot rot (no timing is asserted here)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.__main__ import BENCHMARKS

pytestmark = pytest.mark.slow  # the fast tier (-m "not slow") leaves it out

ROOT = Path(__file__).resolve().parent.parent


def finished(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    return result


def run(*args: str) -> str:
    return finished(*args).stdout


def test_every_benchmark_runs_and_states_its_claims():
    """``python -m bench --quick``: each benchmark at tiny sizes, its claims gathered in the summary."""
    result = finished("-m", "bench", "--quick", timeout=600)
    assert "warning" not in result.stderr, result.stderr  # e.g. the app did not quit in the start-up benchmark
    summary = result.stdout.split("## Summary", 1)[1]
    rows = [line.split(" | ") for line in summary.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert {row[0].strip("| ") for row in rows} == set(BENCHMARKS)
    for name, claim, measured, _target, verdict in rows:
        assert re.search(r"\d", measured) or measured.startswith("skipped"), (name, claim, measured)
        assert verdict.strip(" |") in ("met", "MISSED", "-"), (name, claim, verdict)
    ui = [row for row in rows if row[0].strip("| ") == "ui"]
    assert any("slow scripted model" in row[1] for row in ui)
    assert "plain (a)" in result.stdout and "decode:" in result.stdout and "fallback rate" in result.stdout


def test_grader_accuracy_runs_on_a_tiny_labelled_set(tmp_path):
    rows = {
        "questions.jsonl": [("What is your order number?", True), ("Thanks, that is all.", False)],
        "empathy.jsonl": [("I'm so sorry, that sounds really stressful.", True), ("Your order ships today.", False)],
        "canned.jsonl": [("We apologize for any inconvenience.", True), ("Your parcel 5512 left Kazan today.", False)],
    }
    for name, items in rows.items():
        lines = [
            json.dumps({"text": text, "label": label, "lang": "en", "source": "handmade"}) for text, label in items
        ]
        (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = run("bench/grader_accuracy.py", str(tmp_path))
    assert "clarifying_question  all" in out and "1.000" in out


def test_grader_accuracy_skips_cleanly_without_data(tmp_path):
    assert "nothing to measure" in run("bench/grader_accuracy.py", str(tmp_path / "absent"))


def test_class_load_runs_a_tiny_class():
    """``python -m bench.class_load`` with one trainee for half a minute: the service, a trainee's app, claims."""
    out = run("-m", "bench.class_load", "--sizes", "1", "--seconds", "30")
    assert "first word p50/p95" in out
    assert out.count("claim: class of 1:") == 3
    assert "| nan" not in out  # the customer answered at least once
