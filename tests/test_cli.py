"""The ``sparring`` command as a user runs it: real subprocesses, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.catalog.schema import json_schema
from tests.support import ROOT, assert_one_line_error, fast_catalog, sparring
from transcripts.format import load_transcript


def test_help_is_instant_because_heavy_modules_are_deferred():
    probe = (
        "import sys, simulator.cli; "
        "print(sorted(m for m in ('llama_cpp', 'openai', 'textual', 'sqlalchemy') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
    help_text = sparring("--help")
    assert help_text.returncode == 0
    for command in ("validate", "schema", "list", "simulate"):
        assert command in help_text.stdout


def test_bare_sparring_opens_the_app(monkeypatch):
    from typer.testing import CliRunner

    import simulator.tui.app
    from simulator.cli import app

    opened = []
    monkeypatch.setattr(simulator.tui.app, "run_app", lambda settings, sign_in: opened.append(True))  # no terminal
    result = CliRunner().invoke(app, [])
    assert result.exit_code == 0 and opened == [True]


def test_as_reaches_the_app_through_its_settings_not_the_environment(monkeypatch):
    from typer.testing import CliRunner

    import simulator.tui.app
    from simulator.cli import app

    monkeypatch.setenv("SPARRING_USER", "someone-else")
    opened = []
    monkeypatch.setattr(simulator.tui.app, "run_app", lambda settings, sign_in: opened.append(settings.user))
    result = CliRunner().invoke(app, ["--as", "dana"])
    assert result.exit_code == 0 and opened == ["dana"]
    assert os.environ["SPARRING_USER"] == "someone-else"  # nothing written there to pass it on


def test_help_speaks_russian():
    result = sparring("--help", env={"SPARRING_LANGUAGE": "ru"})
    assert "тренируйте" in result.stdout


@pytest.mark.slow
def test_validate_passes_on_everything_shipped():
    result = sparring("validate")
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout


@pytest.mark.slow
def test_validate_reports_each_problem_on_one_line(tmp_path):
    bad = tmp_path / "personas" / "bad.yaml"
    bad.parent.mkdir()
    bad.write_text("id: bad\nname: {en: Bo}\ntemperament: furious\n", encoding="utf-8")
    result = sparring("validate", str(bad))
    assert result.returncode == 1
    assert f"{bad}:3: temperament: " in result.stderr
    assert "Traceback" not in result.stderr


def test_schema_is_json_and_the_shipped_copies_are_current(tmp_path):
    result = sparring("schema", "scenario")
    schema = json.loads(result.stdout)
    assert "facts" in schema["properties"] and schema["additionalProperties"] is False
    for kind in ("persona", "scenario"):
        shipped = json.loads((ROOT / "schemas" / f"{kind}.json").read_text(encoding="utf-8"))
        assert shipped == json_schema(kind), (
            f"schemas/{kind}.json is stale: run `sparring schema {kind} -o schemas/{kind}.json`"
        )
    out = tmp_path / "p.json"
    assert sparring("schema", "persona", "--out", str(out)).returncode == 0
    assert json.loads(out.read_text(encoding="utf-8"))["title"] == "Sparring persona"


def test_schema_rejects_an_unknown_kind():
    result = sparring("schema", "robot")
    assert result.returncode == 2 and "Traceback" not in result.stderr


@pytest.mark.slow
def test_simulate_writes_a_transcript(tmp_path):
    out = tmp_path / "t.json"
    result = sparring(
        "simulate",
        "--scenario",
        "home-internet-down",
        "--agent-bot",
        "canned",
        "--backend",
        "scripted",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    transcript = load_transcript(out)
    assert transcript.scenario == "home-internet-down" and transcript.outcome
    assert "Outcome:" in result.stdout and str(out) in result.stdout


@pytest.mark.slow
def test_simulate_saves_under_sparring_home_by_default(sparring_home):
    result = sparring(
        "simulate", "-s", "home-internet-down", "-b", "scripted", "--quiet", env={"SPARRING_HOME": str(sparring_home)}
    )
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path.is_file() and sparring_home in path.parents


@pytest.mark.slow
def test_simulate_a_scenario_file_with_a_script(tmp_path):
    script = tmp_path / "agent.yaml"
    script.write_text(
        "- say: Hello! What happened?\n- say: Could you give me your contract number?\n", encoding="utf-8"
    )
    out = tmp_path / "t.json"
    result = sparring(
        "simulate",
        "-s",
        str(ROOT / "scenarios" / "home-internet-down.yaml"),
        "--agent-script",
        str(script),
        "-b",
        "scripted",
        "-o",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    agent = [e.text for e in load_transcript(out).messages("agent")]
    assert agent == ["Hello! What happened?", "Could you give me your contract number?"]


@pytest.mark.slow
def test_simulate_russian_on_the_embedded_model_uses_authored_lines(catalog, tmp_path):
    russian = sorted(sid for sid, doc in catalog.scenarios.items() if doc.model.language == "ru")
    assert russian
    out = tmp_path / "ru.json"
    result = sparring("simulate", "-s", russian[0], "-o", str(out), env={"SPARRING_LANGUAGE": "ru"})
    assert result.returncode == 0, result.stderr
    assert "scripted" in result.stderr
    assert load_transcript(out).meta["backend"] == "scripted"


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["simulate", "-s", "no-such-case", "-b", "scripted"], ["no-such-case", "no such scenario"]),
        (["simulate", "-s", "home-internet-down", "--agent-bot", "genius"], ["genius", "good"]),
        (
            ["simulate", "-s", "home-internet-down", "--agent-bot", "good", "--agent-script", "x.yaml"],
            ["--agent-script"],
        ),
        (["simulate", "-s", "missing.yaml"], ["missing.yaml", "no such file"]),
        (["simulate", "-s", "home-internet-down", "--backend", "openai"], ["model name"]),
    ],
)
@pytest.mark.slow
def test_simulate_bad_arguments_get_one_line(args, fragments):
    result = sparring(*args)
    assert_one_line_error(result, 1 if "openai" in args else 2, *fragments)


def test_simulate_bad_seed_is_a_usage_error():
    result = sparring("simulate", "-s", "home-internet-down", "--seed", "many")
    assert result.returncode == 2 and "Traceback" not in result.stderr and "--seed" in result.stderr


@pytest.mark.slow
def test_simulate_a_broken_script_names_file_line_and_field(tmp_path):
    script = tmp_path / "agent.yaml"
    script.write_text("- say: hello\n- sey: oops\n", encoding="utf-8")
    result = sparring("simulate", "-s", "home-internet-down", "-b", "scripted", "--agent-script", str(script))
    assert_one_line_error(result, 2, f"{script}:2: [1].", "Field required")


@pytest.mark.slow
def test_simulate_a_broken_scenario_file_names_it(tmp_path):
    broken = tmp_path / "scenarios" / "mine.yaml"
    broken.parent.mkdir()
    text = (ROOT / "scenarios" / "home-internet-down.yaml").read_text(encoding="utf-8")
    broken.write_text(
        text.replace("id: home-internet-down", "id: mine").replace("difficulty: 3", "difficulty: 9"), encoding="utf-8"
    )
    result = sparring("simulate", "-s", str(broken), "-b", "scripted")
    assert_one_line_error(result, 2, f"{broken}:", "difficulty")


@pytest.mark.slow
def test_practice_in_the_terminal_records_an_interruption_and_saves(tmp_path):
    out = tmp_path / "p.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "simulator.cli",
            "practice",
            "-s",
            "fast-case",
            "-b",
            "scripted",
            "-o",
            str(out),
            "--catalog",
            str(fast_catalog(tmp_path)),
        ],
        input="Hi Dana, I'm so sorry, three days is awful.\n/end\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Dana" in result.stdout and "interrupted" in result.stdout
    transcript = load_transcript(out)
    agent = transcript.messages("agent")
    assert [e.text for e in agent] == ["Hi Dana, I'm so sorry, three days is awful."]
    assert agent[0].meta.get("interruption") is True
    assert transcript.outcome == "unfinished"
