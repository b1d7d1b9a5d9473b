"""Every listing as a table for people and as CSV or JSON for scripts: the same rows, stable English keys in any
interface language, and a table piped into another program with every cell whole."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable

import pytest
from typer.testing import CliRunner

from simulator.cli import app
from simulator.cli.listing import cell, output_format
from tests.support import ROOT, sparring

# Longer than a column of an 80-character terminal: Rich used to cut them to "trainee-with…" in a pipe.
GROUP = "night-shift-of-the-customer-care-team-in-kazan-and-samara"
TRAINEE = "trainee-with-a-remarkably-long-name-konstantin-konstantinopolsky"
MACRO = "late-order-apology-with-a-long-name"
MACRO_TEXT = "We are sorry your order is late. " * 6 + "It will arrive within 3-5 working days."

LISTINGS: dict[str, list[str]] = {
    "list": ["list"],
    "sessions": ["--as", "boss", "sessions"],
    "progress": ["--as", "mia", "progress", "--group", GROUP],
    "calibration": ["--as", "mia", "calibration"],
    "audit": ["--as", "boss", "audit"],
    "unplaced": ["--as", "boss", "unplaced", "-s", "home-internet-down"],
    "group list": ["--as", "boss", "group", "list"],
    "group members": ["--as", "boss", "group", "members", GROUP],
    "templates list": ["--as", "boss", "templates", "list", "--group", GROUP],
}
REPORTS = {"progress", "calibration", "unplaced"}
"""Their JSON is the whole report (an object); the others print a list of the CSV's rows."""

HEADERS = {  # a heading of each table, in English and in Russian
    "list": ("temperament", "темперамент"),
    "sessions": ("trainee", "стажёр"),
    "progress": ("Skill", "Навык"),
    "calibration": ("Reviewed", "Проверено"),
    "audit": ("What", "Что"),
    "unplaced": ("question", "вопрос"),
    "group list": ("members", "участники"),
    "group members": ("in the group", "в группе"),
    "templates list": ("text", "текст"),
}


def invoke(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """The command in this process (a subprocess takes seconds to start); ``--as`` leaves SPARRING_USER set."""
    saved = os.environ.get("SPARRING_USER")
    try:
        result = CliRunner().invoke(app, list(args), env=env, input=stdin, catch_exceptions=False)
    finally:
        if saved is None:
            os.environ.pop("SPARRING_USER", None)
        else:
            os.environ["SPARRING_USER"] = saved
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> dict[str, str]:
    """Two simulated sessions and one with a question the customer cannot place, a reviewed mark, a macro and
    a password change in the audit log: every listing has rows."""
    tmp = tmp_path_factory.mktemp("listings")
    env = {"SPARRING_DATABASE_URL": f"sqlite:///{tmp}/sparring.db", "SPARRING_HOME": str(tmp / "home")}

    def run(*args: str, stdin: str | None = None) -> str:
        return invoke(env, *args, stdin=stdin)

    run("--as", "boss", "group", "add", GROUP)
    run("--as", "boss", "person", "add", TRAINEE, "--role", "trainee", "--group", GROUP)
    run("--as", "boss", "person", "add", "mia", "--role", "mentor", "--mentors", GROUP)
    for bot in ("good", "hasty"):
        run("--as", TRAINEE, "simulate", "-s", "home-internet-down", "--agent-bot", bot, "-b", "scripted", "-q")
    script = tmp / "agent.yaml"
    script.write_text('- say: "Hi Dana, sorry about this. What about the box itself?"\n', encoding="utf-8")
    run("--as", TRAINEE, "simulate", "-s", "home-internet-down", "--agent-script", str(script), "-b", "scripted", "-q")
    hasty = next(s for s in json.loads(run("--as", "boss", "sessions", "--format", "json")) if s["passed"] is False)
    run("--as", "mia", "review", hasty["session"], "1", "--override", "--reason", "Fine here")
    macros = tmp / "macros.csv"
    macros.write_text(f'name,text\n{MACRO},"{MACRO_TEXT}"\n', encoding="utf-8")
    run("--as", "boss", "templates", "import", str(macros), "--group", GROUP)
    run("--as", "boss", "person", "passwd", "mia", "--password-stdin", stdin="long-secret-1\n")
    return env


@pytest.fixture
def cli(store) -> Callable[..., str]:
    """``cli(name, format, language)``: the listing's output, run in this process on the store."""
    return lambda name, output, language="en": invoke(
        {**store, "SPARRING_LANGUAGE": language}, *LISTINGS[name], "--format", output
    )


def parsed_csv(text: str) -> tuple[list[str], list[list[str]]]:
    header, *rows = list(csv.reader(io.StringIO(text)))
    return header, rows


@pytest.mark.parametrize("name", LISTINGS)
def test_csv_has_a_header_and_json_the_same_rows(cli, name):
    header, rows = parsed_csv(cli(name, "csv"))
    assert header and all(key == key.lower() and " " not in key for key in header), header
    assert rows and all(len(row) == len(header) for row in rows)
    data = json.loads(cli(name, "json"))
    if name in REPORTS:
        assert isinstance(data, dict)
        return
    assert [list(item) for item in data] == [header] * len(data)
    assert [[cell(value) for value in item.values()] for item in data] == rows


@pytest.mark.slow
def test_the_reports_csv_rows_come_from_their_json(cli):
    progress = json.loads(cli("progress", "json"))
    header, rows = parsed_csv(cli("progress", "csv"))
    [trainee] = progress["trainees"]
    assert {(r[header.index("trainee")], r[header.index("skill")]) for r in rows} == {
        (TRAINEE, skill) for skill in trainee["skills"]
    }
    calibration = json.loads(cli("calibration", "json"))
    header, rows = parsed_csv(cli("calibration", "csv"))
    assert [dict(zip(header, row, strict=True)) for row in rows] == [
        {key: cell(value) for key, value in kind.items()} for kind in calibration["kinds"]
    ]
    unplaced = json.loads(cli("unplaced", "json"))
    header, rows = parsed_csv(cli("unplaced", "csv"))
    assert [row[header.index("question")] for row in rows] == [u["question"] for u in unplaced["unplaced"]]
    assert rows[0][header.index("sessions")].count("#") == len(unplaced["unplaced"][0]["sessions"])


@pytest.mark.parametrize("name", LISTINGS)
def test_table_headers_follow_the_language_and_json_keys_do_not(cli, name):
    english, russian = HEADERS[name]
    assert english in cli(name, "table")
    assert russian in cli(name, "table", "ru")
    assert json.loads(cli(name, "json", "ru")) == json.loads(cli(name, "json"))
    assert cli(name, "csv", "ru") == cli(name, "csv")


def test_text_still_means_table(cli):
    assert cli("templates list", "text") == cli("templates list", "table")
    assert output_format("TEXT").value == "table"
    with pytest.raises(ValueError, match="table, csv, json"):
        output_format("xml")


@pytest.mark.slow
def test_a_piped_table_keeps_every_cell_whole(store):
    """A real pipe, as in ``sparring sessions | cat``: Rich must not size the table to 80 columns."""
    whole = {
        "sessions": (TRAINEE, "home-internet-down"),
        "group members": (TRAINEE,),
        "templates list": (MACRO, MACRO_TEXT.strip()),
        "progress": (GROUP, TRAINEE),
    }
    for name, values in whole.items():
        result = sparring(*LISTINGS[name], env=store)
        assert result.returncode == 0, result.stderr
        assert "…" not in result.stdout, result.stdout
        for value in values:
            assert value in result.stdout, f"{name}: {value} cut:\n{result.stdout}"


def test_a_bad_format_is_one_line(store):
    result = sparring("--as", "boss", "sessions", "--format", "xml", env=store)
    assert result.returncode == 2 and "table, csv, json" in result.stderr and "Traceback" not in result.stderr


def test_no_rows_is_a_header_or_an_empty_list(tmp_path):
    env = {"SPARRING_DATABASE_URL": f"sqlite:///{tmp_path}/empty.db", "SPARRING_HOME": str(tmp_path / "home")}
    assert invoke(env, "--as", "boss", "sessions", "--format", "csv").splitlines() == [
        "session,trainee,scenario,mode,started_at,status,outcome,score,passed"
    ]
    assert json.loads(invoke(env, "--as", "boss", "templates", "list", "--format", "json")) == []


def test_the_listing_module_is_the_only_renderer():
    """One helper prints every listing: no command module builds its own Rich table."""
    root = ROOT / "simulator"
    for module in ("cli/manage.py", "cli/__init__.py", "cli/understand.py", "understand.py"):
        text = (root / module).read_text(encoding="utf-8")
        assert "Table(" not in text and "csv.writer" not in text, module
