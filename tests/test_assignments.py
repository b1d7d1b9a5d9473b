"""Assignments, paths and certificates on a real SQLite file and a real PostgreSQL: who may assign, every status
computed from the sessions, path progress, a certificate recorded once, and the same through ``sparring``."""

from __future__ import annotations

import csv
import io
import itertools
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from simulator.catalog import catalog_roots, load_catalog
from simulator.cli import app as cli_app
from simulator.cli.progress import render_progress
from transcripts.assignments import (
    PathPlan,
    Step,
    assign,
    board,
    cancel_assignment,
    certificate,
    change_assignment,
    path_progress,
)
from transcripts.export import export_certificate
from transcripts.format import Event, Transcript
from transcripts.progress import progress
from transcripts.report import SKILLS, Report
from transcripts.repository import AccessDenied, NotFound, Refused, Repository
from transcripts.store import open_engine
from transcripts.tables import CertificateRow

TODAY = date(2027, 1, 10)
DUE = date(2027, 1, 15)
HOME = "home-internet-down"
PATH = PathPlan(
    id="telecom",
    title="Telecom first line",
    steps=(Step("home-internet-down", 70), Step("slow-mobile-internet", 75)),
    assessment=True,
    medals=(("gold", 90), ("silver", 80), ("bronze", 70)),
)
_ids = itertools.count()


def chat(session_id: str, scenario: str) -> Transcript:
    events = [
        Event(seq=1, t=1.0, role="customer", type="message", text="My internet is down."),
        Event(seq=2, t=2.0, role="agent", type="message", text="Let me check your line."),
        Event(seq=3, t=3.0, role="system", type="end", text="resolved"),
    ]
    return Transcript(id=session_id, scenario=scenario, events=events)


def play(repo: Repository, scenario: str, score: int | None, mode: str = "practice") -> str:
    """A finished session of ``repo``'s person, graded ``score`` (None: left ungraded)."""
    session_id = f"s{next(_ids)}"
    repo.store_transcript(chat(session_id, scenario), mode=mode)
    if score is not None:
        report = Report(
            transcript=session_id,
            scenario=scenario,
            score=score,
            passed=score >= 70,
            pass_score=70,
            skills=dict.fromkeys(SKILLS, score),
            outcome="resolved",
            marks=[],
        )
        repo.save_report(report)
    return session_id


@pytest.fixture
def team(database_url):
    """boss (admin) and tina (trainer); group a: trainees ann and amy, mentor mia; group b: trainee bob, mentor
    max."""
    engine = open_engine(database_url)
    boss = Repository.acting_as(engine, "boss")
    for group in ("a", "b"):
        boss.add_group(group)
    boss.add_person("ann", "trainee", groups=["a"])
    boss.add_person("amy", "trainee", groups=["a"])
    boss.add_person("bob", "trainee", groups=["b"])
    boss.add_person("mia", "mentor", mentors=["a"])
    boss.add_person("max", "mentor", mentors=["b"])
    boss.add_person("tina", "trainer")
    people = {n: Repository.acting_as(engine, n) for n in ("boss", "ann", "amy", "bob", "mia", "max", "tina")}
    yield people
    engine.dispose()


def set_home(repo: Repository, group: str = "a", **extra) -> int:
    extra.setdefault("due", DUE)
    made = assign(repo, group=group, kind="scenario", target=HOME, steps=[Step(HOME, extra.pop("mark", 70))], **extra)
    return made.id


def status(repo: Repository, assignment: int, trainee: str, today: date = TODAY) -> str:
    standing = board(repo, today=today).standing(assignment, trainee)
    assert standing is not None, (assignment, trainee)
    return standing.status


# -- who may assign


def test_mentors_assign_to_their_groups_staff_to_any_trainees_never(team):
    assert set_home(team["mia"]) > 0
    assert set_home(team["tina"], group="b") > 0
    assert set_home(team["boss"], group="b", trainee="bob") > 0
    with pytest.raises(AccessDenied, match="max may not assign to group 'a'"):
        set_home(team["max"], group="a")
    with pytest.raises(AccessDenied):
        set_home(team["ann"])
    with pytest.raises(NotFound):
        set_home(team["mia"], trainee="bob")  # not a trainee of group a
    with pytest.raises(NotFound):
        set_home(team["mia"], group="nowhere")
    with pytest.raises(Refused):
        set_home(team["mia"], attempts=0)
    with pytest.raises(Refused):
        set_home(team["mia"], mode="exam")
    with pytest.raises(Refused):
        assign(team["mia"], group="a", kind="path", target="telecom", steps=list(PATH.steps), due=DUE, pass_mark=80)


def test_only_those_who_may_assign_change_or_cancel_and_others_do_not_see_it(team):
    made = set_home(team["mia"], attempts=3)
    with pytest.raises(NotFound):  # max does not even see group a's assignment
        change_assignment(team["max"], made, due=date(2027, 2, 1))
    with pytest.raises(NotFound):
        cancel_assignment(team["bob"], made)
    with pytest.raises(AccessDenied):  # ann sees it (it is hers) but may not change it
        change_assignment(team["ann"], made, attempts=9)
    changed = change_assignment(team["mia"], made, due=date(2027, 2, 1), pass_mark=85)
    assert (changed.due, changed.pass_mark, changed.attempts, changed.steps) == (
        date(2027, 2, 1),
        85,
        3,
        (Step(HOME, 85),),
    )
    assert change_assignment(team["tina"], made, attempts=5).attempts == 5
    cancelled = cancel_assignment(team["mia"], made)
    assert cancelled.cancelled_at is not None
    with pytest.raises(Refused):
        cancel_assignment(team["mia"], made)
    with pytest.raises(Refused):
        change_assignment(team["mia"], made, attempts=1)
    assert board(team["ann"]).assignments == []
    listed = board(team["mia"], cancelled=True)
    assert [a.id for a in listed.assignments] == [made] and listed.standings == []


def test_each_person_sees_the_standings_they_may(team):
    whole = set_home(team["mia"])
    only_amy = set_home(team["mia"], trainee="amy")
    other = set_home(team["max"], group="b")
    mia = board(team["mia"], today=TODAY)
    assert mia.groups == {"a": ["amy", "ann"]}
    assert {(s.assignment, s.trainee) for s in mia.standings} == {(whole, "amy"), (whole, "ann"), (only_amy, "amy")}
    ann = board(team["ann"], today=TODAY)
    assert [a.id for a in ann.assignments] == [whole]
    assert {(s.assignment, s.trainee) for s in ann.standings} == {(whole, "ann")}
    assert {a.id for a in board(team["boss"]).assignments} == {whole, only_amy, other}
    with pytest.raises(AccessDenied):
        board(team["max"], group="a")
    with pytest.raises(NotFound):
        board(team["max"], trainee="ann")
    assert board(team["ann"], group="a").groups == {"a": ["ann"]}  # her own group: herself only
    with pytest.raises(AccessDenied):
        board(team["ann"], group="b")


# -- statuses, all computed from the sessions


def test_every_status(team):
    ann, amy, mia = team["ann"], team["amy"], team["mia"]
    play(ann, HOME, 95)  # before the assignment: does not count
    made = set_home(mia, attempts=2, mark=80)
    assert status(mia, made, "ann") == "not_started"
    play(ann, HOME, None)  # started, not graded yet
    assert status(mia, made, "ann") == "in_progress"
    play(ann, HOME, 95, mode="assessment")  # the wrong mode: does not count
    play(ann, "chatbot-loop", 95)  # another scenario: does not count
    play(ann, HOME, 60)
    standing = board(mia, today=TODAY).standing(made, "ann")
    assert standing is not None
    assert (standing.status, standing.attempts_used, standing.attempts_left, standing.best_score) == (
        "in_progress",
        1,
        1,
        60,
    )
    assert status(mia, made, "ann", today=DUE) == "in_progress"  # due today: not yet overdue
    assert status(mia, made, "ann", today=DUE + timedelta(days=1)) == "overdue"
    assert status(mia, made, "amy", today=DUE + timedelta(days=1)) == "overdue"
    play(ann, HOME, 85)
    assert status(mia, made, "ann", today=DUE + timedelta(days=30)) == "passed"
    play(amy, HOME, 50)
    play(amy, HOME, 79)
    assert status(mia, made, "amy") == "failed"
    play(amy, HOME, 99)  # a pass after the attempts ran out still passes
    assert status(mia, made, "amy") == "passed"


def test_a_path_assignment_is_passed_step_by_step(team):
    ann, mia = team["ann"], team["mia"]
    made = assign(
        mia, group="a", kind="path", target="telecom", steps=list(PATH.steps), due=DUE, mode="assessment", attempts=2
    ).id
    play(ann, "home-internet-down", 72, mode="assessment")
    standing = board(mia, today=TODAY).standing(made, "ann")
    assert standing is not None
    assert (standing.status, standing.steps_passed, standing.steps_total, standing.next_scenario) == (
        "in_progress",
        1,
        2,
        "slow-mobile-internet",
    )
    assert standing.attempts_left == 2
    play(ann, "slow-mobile-internet", 74, mode="assessment")  # under this step's 75
    play(ann, "slow-mobile-internet", 90, mode="assessment")
    assert status(mia, made, "ann") == "passed"


# -- paths and certificates


def test_a_certificate_is_recorded_once_with_the_tier_of_the_passing_sessions(team):
    ann, mia, boss = team["ann"], team["mia"], team["boss"]
    play(ann, "home-internet-down", 95)  # practice: this path counts only assessments
    first = play(ann, "home-internet-down", 85, mode="assessment")
    [standing] = path_progress(mia, [PATH], trainee="ann")
    assert (standing.steps_passed, standing.next_scenario, standing.certificate) == (1, "slow-mobile-internet", None)
    with pytest.raises(NotFound):
        certificate(ann, PATH)
    second = play(ann, "slow-mobile-internet", 80, mode="assessment")
    earned = certificate(ann, PATH)
    assert (earned.trainee, earned.path, earned.tier, earned.score, earned.sessions) == (
        "ann",
        "telecom",
        "silver",
        82.5,
        [first, second],
    )
    play(ann, "slow-mobile-internet", 100, mode="assessment")  # later, better sessions change nothing
    assert certificate(mia, PATH, "ann") == earned

    shown = json.loads(render_progress(progress(mia), "json", paths=path_progress(mia, [PATH])))
    [along] = [p for p in shown["paths"] if p["trainee"] == "ann"]  # paths are in the JSON too, not only the table
    assert (along["path"], along["steps_passed"], along["steps_total"]) == ("telecom", 2, 2)
    assert along["certificate"]["tier"] == "silver"
    assert certificate(boss, PATH, "ann") == earned
    path_progress(boss, [PATH])
    with boss.db() as db:
        assert len(db.exec(select(CertificateRow)).all()) == 1
    with pytest.raises(NotFound):
        certificate(team["max"], PATH, "ann")
    page = export_certificate(earned, "en")
    assert "ann" in page and "Telecom first line" in page and "silver" in page and "серебро" in page
    assert "<script" not in page and "http" not in page.replace("http-equiv", "")


def test_a_tier_below_every_medal_is_completed(team):
    ann = team["ann"]
    easy = PathPlan("easy", "Easy", (Step("chatbot-loop", 50),))
    play(ann, "chatbot-loop", 55)
    assert certificate(ann, easy).tier == "completed"


# -- path files


def test_shipped_paths_load_and_name_real_scenarios(catalog):
    assert set(catalog.paths) >= {"telecom-first-line", "pervaya-liniya-ru"}
    languages = {doc.model.language for doc in catalog.paths.values()}
    assert languages == {"en", "ru"}
    for doc in catalog.paths.values():
        for step in doc.model.steps:
            assert catalog.scenarios[step.scenario].model.language == doc.model.language


@pytest.mark.parametrize(
    ("body", "line", "field", "problem"),
    [
        ("steps:\n  - scenario: nowhere\n    pass_mark: 70\n", 5, "steps[0].scenario", "unknown scenario 'nowhere'"),
        ("steps:\n  - scenario: home-internet-down\n    pass_mark: 170\n", 6, "steps[0].pass_mark", "less than"),
        (
            "steps:\n  - scenario: home-internet-down\n    pass_mark: 70\n    passmark: 70\n",
            7,
            "steps[0].passmark",
            "unknown field",
        ),
        ("steps:\n  - scenario: kurier-do-dveri\n    pass_mark: 70\n", 5, "steps[0].scenario", "is in 'ru'"),
        ("steps: []\n", 4, "steps", "at least 1"),
        (
            "steps:\n  - scenario: home-internet-down\n    pass_mark: 70\nmedals: {bronze: 90, silver: 80}\n",
            7,
            "medals",
            "must rise",
        ),
    ],
)
def test_a_bad_path_file_is_one_located_error(tmp_path, body, line, field, problem):
    folder = tmp_path / "scenarios" / "paths"
    folder.mkdir(parents=True)
    path = folder / "bad.yaml"
    path.write_text(f"id: bad\ntitle: Bad\nlanguage: en\n{body}", encoding="utf-8")
    loaded = load_catalog([*catalog_roots(), folder])
    [error] = loaded.problems
    assert (error.path, error.line, error.field) == (str(path), line, field), str(error)
    assert problem in error.problem


def test_the_path_schema_has_its_fields():
    from simulator.catalog.schema import json_schema

    schema = json_schema("path")
    assert {"id", "title", "language", "steps", "assessment", "medals"} <= set(schema["properties"])
    shipped = json.loads((Path(__file__).parent.parent / "schemas" / "path.json").read_text(encoding="utf-8"))
    assert shipped == json.loads(json.dumps(schema))


# -- the command line


@pytest.fixture
def cli(team, database_url, monkeypatch):
    monkeypatch.setenv("SPARRING_DATABASE_URL", database_url)
    monkeypatch.setenv("SPARRING_USER", "nobody-yet")
    runner = CliRunner()

    def run(name: str, *args: str):
        return runner.invoke(cli_app, ["--as", name, *args], catch_exceptions=False)

    return run


@pytest.mark.slow
def test_assign_list_change_and_cancel_from_the_command_line(team, cli, monkeypatch):
    result = cli("mia", "assign", HOME, "--group", "a", "--due", "2099-01-15", "--pass", "80", "--attempts", "3")
    assert result.exit_code == 0, result.output
    assert "Assignment 1: home-internet-down for group a, due 2099-01-15." in result.output
    result = cli("mia", "assign", "telecom-first-line", "--group", "a", "--due", "2099-02-01")
    assert result.exit_code == 2 and "--mode assessment" in result.stderr
    result = cli(
        "mia",
        "assign",
        "telecom-first-line",
        "--group",
        "a",
        "--trainee",
        "ann",
        "--due",
        "2099-02-01",
        "--mode",
        "assessment",
    )
    assert result.exit_code == 0, result.output
    for refused in (
        ("max", "assign", HOME, "--group", "a", "--due", "2099-01-15"),
        ("ann", "assign", HOME, "--group", "a", "--due", "2099-01-15"),
    ):
        result = cli(*refused)
        assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1
    assert cli("mia", "assign", "nope", "--group", "a", "--due", "2099-01-15").exit_code == 2
    assert "YYYY-MM-DD" in cli("mia", "assign", HOME, "--group", "a", "--due", "15.01.2099").stderr

    play(team["ann"], HOME, 90)
    table = cli("mia", "assignments", "--group", "a").stdout
    assert "Group a" in table and "#1 home-internet-down" in table and "passed" in table and "not started" in table
    rows = list(csv.DictReader(io.StringIO(cli("mia", "assignments", "--group", "a", "--format", "csv").stdout)))
    assert {(r["assignment"], r["trainee"], r["status"]) for r in rows} == {
        ("1", "amy", "not_started"),
        ("1", "ann", "passed"),
        ("2", "ann", "not_started"),
    }
    assert rows[0]["pass_mark"] == "80" and rows[0]["attempts"] == "3"
    data = json.loads(cli("ann", "assignments", "--format", "json").stdout)
    assert [a["id"] for a in data["assignments"]] == [1, 2]
    assert [s["trainee"] for a in data["assignments"] for s in a["statuses"]] == ["ann", "ann"]
    assert cli("max", "assignments", "--group", "a").exit_code == 1

    assert cli("mia", "assignment", "change", "1", "--due", "2099-03-01", "--attempts", "5").exit_code == 0
    assert cli("max", "assignment", "cancel", "1").exit_code == 2  # not his to see
    assert cli("mia", "assignment", "cancel", "1").exit_code == 0
    data = json.loads(cli("boss", "assignments", "--format", "json", "--cancelled").stdout)
    first = next(a for a in data["assignments"] if a["id"] == 1)
    assert first["due"] == "2099-03-01" and first["attempts"] == 5 and first["cancelled_at"]

    monkeypatch.setenv("SPARRING_LANGUAGE", "ru")
    table = cli("mia", "assignments", "--group", "a").stdout
    assert "Группа a" in table and "не начато" in table


@pytest.mark.slow
def test_export_certificate_from_the_command_line(team, cli, tmp_path):
    ann = team["ann"]
    out = tmp_path / "cert.html"
    result = cli("ann", "export-certificate", "--path", "pervaya-liniya-ru", "-o", str(out))
    assert result.exit_code == 2 and "ann" in result.stderr and not out.exists()
    sessions = [play(ann, s, 91) for s in ("router-bez-wifi", "domashniy-internet-ru", "kurier-do-dveri")]
    sessions.append(play(ann, "kosmetika-zastryala", 95))
    progress = cli("mia", "progress", "--group", "a").stdout
    assert "Paths" in progress and "4/4 steps" in progress and "gold" in progress
    result = cli("mia", "export-certificate", "--path", "pervaya-liniya-ru", "--trainee", "ann", "-o", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "ann" in page and "Первая линия: интернет и доставка" in page and "gold" in page and "золото" in page
    assert all(s in page for s in sessions)
    assert (
        cli("max", "export-certificate", "--path", "pervaya-liniya-ru", "--trainee", "ann", "-o", str(out)).exit_code
        == 2
    )
