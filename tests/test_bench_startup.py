"""A one-run pass of bench/startup.py, so the benchmark cannot rot (no timing is asserted here)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROWS = ("python -c pass (floor)", 'python -c "import simulator.cli"', "sparring --help", "sparring to first screen")


def test_startup_bench_prints_a_row_of_numbers_per_command():
    result = subprocess.run(
        [sys.executable, "bench/startup.py", "--runs", "1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr
    for label in ROWS:
        line = next((line for line in result.stdout.splitlines() if line.startswith(label)), None)
        assert line is not None, f"no row for {label!r} in:\n{result.stdout}"
        median, least, ratio = (float(n) for n in re.findall(r"\d+\.\d+", line.removeprefix(label)))
        assert median > 0 and least > 0 and ratio > 0
    assert re.search(r"first launch on a new database .*: \d+ ms", result.stdout)
