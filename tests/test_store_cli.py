"""Simulated sessions stored, listed, reviewed, exported and summarised from the command line, on SQLite and
on PostgreSQL."""

from __future__ import annotations

import json

import pytest

from tests.support import sparring


@pytest.mark.slow
def test_sessions_go_from_simulate_to_progress(database_url, tmp_path):
    env = {"SPARRING_DATABASE_URL": database_url, "SPARRING_HOME": str(tmp_path / "home")}

    def run(*args: str) -> str:
        result = sparring(*args, env=env)
        assert result.returncode == 0, result.stderr
        return result.stdout

    run("--as", "boss", "group", "add", "night-shift")
    run("--as", "boss", "person", "add", "ann", "--role", "trainee", "--group", "night-shift")
    run("--as", "boss", "person", "add", "mia", "--role", "mentor", "--mentors", "night-shift")
    for bot in ("good", "hasty"):
        out = run("--as", "ann", "simulate", "-s", "home-internet-down", "--agent-bot", bot, "-b", "scripted")
        assert "Graded:" in out
    listed = run("--as", "mia", "sessions", "--group", "night-shift")
    ids = [line.split("│")[1].strip() for line in listed.splitlines() if line.startswith("│") and "ann" in line]
    assert len(ids) == 2

    exported = [json.loads(run("--as", "mia", "export", i, "--format", "json")) for i in ids]
    hasty = next(e for e in exported if not e["report"]["passed"])
    session = hasty["session"]["id"]
    number = next(i for i, m in enumerate(hasty["report"]["marks"], 1) if m["kind"] == "missed_clarifying_question")
    run("--as", "mia", "review", session, str(number), "--override", "--reason", "Fine for a first attempt")
    run("--as", "ann", "respond", session, str(number), "--reason", "Understood")
    html = tmp_path / "r.html"
    run("--as", "mia", "export", session, "--format", "html", "--out", str(html))
    assert "Fine for a first attempt" in html.read_text(encoding="utf-8")

    summary = json.loads(run("--as", "mia", "progress", "--group", "night-shift", "--format", "json"))
    [trainee] = summary["trainees"]
    assert trainee["name"] == "ann" and trainee["attempts"] == 2 and trainee["passed"] == 1

    denied = sparring("--as", "ann", "progress", "--group", "night-shift", env=env)
    assert denied.returncode == 1 and "Traceback" not in denied.stderr
