"""What many test modules share: running the ``sparring`` command, its one-line errors, a fast catalogue and
waiting for the app under Pilot. Test modules import from here, never from one another's tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def sparring(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "simulator.cli", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or ROOT,
        timeout=300,
    )


def assert_one_line_error(result: subprocess.CompletedProcess, code: int, *fragments: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    for fragment in fragments:
        assert fragment in lines[0]


def fast_catalog(tmp_path: Path) -> Path:
    """A copy of one case whose customer types fast, so a real-time practice test takes a second."""
    root = tmp_path / "fast"
    (root / "personas").mkdir(parents=True)
    (root / "scenarios").mkdir()
    persona = (ROOT / "personas" / "angry.yaml").read_text(encoding="utf-8")
    (root / "personas" / "fast.yaml").write_text(
        persona.replace("id: angry", "id: fast").replace("typing_cps: 7", "typing_cps: 100"), encoding="utf-8"
    )
    scenario = (ROOT / "scenarios" / "home-internet-down.yaml").read_text(encoding="utf-8")
    (root / "scenarios" / "fast-case.yaml").write_text(
        scenario.replace("id: home-internet-down", "id: fast-case").replace("persona: angry", "persona: fast"),
        encoding="utf-8",
    )
    return root


async def wait_for(pilot: Any, condition: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the app never got there"
        await pilot.pause(0.05)
