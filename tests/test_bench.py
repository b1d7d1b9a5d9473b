"""A fast run of each benchmark, so the benchmark code cannot rot (no timing is asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_grader_speed_runs():
    out = run("bench/grader_speed.py", "--sessions", "20", "--turns", "5", "--no-model")
    assert "ms/turn" in out


def test_llm_latency_runs_on_the_embedded_model():
    out = run("bench/llm_latency.py", "--turns", "3")
    assert "plain (a)" in out and "decode:" in out and "fallback rate" in out


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
