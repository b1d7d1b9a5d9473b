"""Progress per trainee, skill and group, on real SQLite files and a throwaway PostgreSQL.

The world (groups A and B, trainees alice, bob, dave, carol) is built once per backend; every level below is
computed by hand from the scores it stores: weights 10..1 over the last 10 graded sessions, newest first.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, event, text

from grading import grade
from simulator.cli.progress import CSV_COLUMNS, render_progress
from transcripts.format import Event, Transcript
from transcripts.progress import Progress, TraineeProgress, progress, tier_of
from transcripts.report import SKILLS, Mark, Report
from transcripts.repository import AccessDenied, NotFound, Repository
from transcripts.store import open_engine
from transcripts.tables import SessionRow

ROOT = Path(__file__).resolve().parent.parent
DAY0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def day(n: int) -> datetime:
    return DAY0 + timedelta(days=n)


def transcript(session_id: str, scenario: str | None) -> Transcript:
    return Transcript(
        id=session_id,
        scenario=scenario,
        events=[
            Event(seq=1, t=0, role="customer", type="message", text="My internet is down."),
            Event(seq=2, t=3, role="agent", type="message", text="Sorry to hear that. What is your contract number?"),
            Event(seq=3, t=9, role="system", type="end", text="resolved"),
        ],
    )


def marks(*kinds: str, positive: bool = False) -> list[Mark]:
    return [Mark.model_validate({"kind": k, "seq": 2, "positive": positive, "quote": "q", "why": "w"}) for k in kinds]


def report(session_id: str, scenario: str | None, skills: dict[str, int], score: int, found: list[Mark]) -> Report:
    return Report.model_validate(
        {
            "transcript": session_id,
            "scenario": scenario,
            "score": score,
            "passed": score >= 70,
            "pass_score": 70,
            "skills": skills,
            "outcome": "resolved",
            "marks": found,
        }
    )


def play(
    engine: Engine,
    trainee: str,
    session_id: str,
    when: datetime,
    scenario: str | None,
    skills: dict[str, int],
    score: int,
    found: list[Mark] | None = None,
) -> Repository:
    """A finished session of ``trainee`` started at ``when``, graded with exactly these scores."""
    repo = Repository.acting_as(engine, trainee)
    repo.store_transcript(transcript(session_id, scenario))
    with repo.db() as db:
        row = db.get(SessionRow, session_id)
        assert row is not None
        row.started_at = when
        db.add(row)
        db.commit()
    repo.save_report(report(session_id, scenario, skills, score, found or []))
    return repo


def alice_skills(i: int) -> dict[str, int]:
    return {
        "asking": 8 * i,
        "listening": 100 - 8 * i,
        "personalization": 50,
        "empathy": 30,
        "resolution": 100 if i % 2 == 0 else 0,
    }


def build_world(engine: Engine) -> None:
    """Group A: alice (12 sessions), bob (2), dave (none); group B: carol (1). Mentors ma (A, 1 session), mb (B)."""
    admin = Repository.acting_as(engine, "admin")
    admin.add_group("A")
    admin.add_group("B")
    admin.add_person("ma", "mentor", mentors=["A"])
    admin.add_person("mb", "mentor", mentors=["B"])
    for name, group in (("alice", "A"), ("bob", "A"), ("dave", "A"), ("carol", "B")):
        admin.add_person(name, "trainee", groups=[group])

    # alice: session i (1..12) on day i, stored out of order so only the start time can order them.
    for i in (7, 1, 12, 3, 10, 5, 2, 9, 11, 4, 8, 6):
        scenario = "billing" if i <= 8 else "internet"
        found = marks("canned_answer") + marks("empathy", positive=True)
        found += marks("interruption") if i <= 5 else []
        found += marks("no_empathy") if i <= 3 else []
        found += marks("slow_first_reply") if i <= 2 else []
        if i == 12:  # graded badly first, then regraded: only the latest grade counts, marks included
            first = marks(*["interruption"] * 5)
            repo = play(engine, "alice", f"alice-{i}", day(i), scenario, dict.fromkeys(SKILLS, 0), 0, first)
            repo.save_report(report(f"alice-{i}", scenario, alice_skills(i), 8 * i, found))
        else:
            play(engine, "alice", f"alice-{i}", day(i), scenario, alice_skills(i), 8 * i, found)

    play(engine, "bob", "bob-1", day(1), "billing", dict.fromkeys(SKILLS, 40), 40, marks("interruption"))
    play(engine, "bob", "bob-2", day(2), "internet", dict.fromkeys(SKILLS, 60), 60, marks("interruption"))
    play(engine, "carol", "carol-1", day(1), "internet", dict.fromkeys(SKILLS, 90), 90)
    play(engine, "ma", "ma-1", day(3), "billing", dict.fromkeys(SKILLS, 20), 20)  # a mentor practising


@pytest.fixture(scope="module")
def postgres_url(postgres_server) -> Iterator[str]:
    """A database of its own on the shared server, for this module's world."""
    engine = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS progress_tests"))
        connection.execute(text("CREATE DATABASE progress_tests"))
    engine.dispose()
    yield postgres_server.rsplit("/", 1)[0] + "/progress_tests"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world(request, tmp_path_factory) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('progress')}/db.sqlite"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = open_engine(url)
    build_world(engine)
    yield engine
    engine.dispose()


def of(engine: Engine, who: str, **kwargs: str) -> Progress:
    return progress(Repository.acting_as(engine, who), **kwargs)


def trainee(result: Progress, name: str) -> TraineeProgress:
    return next(t for t in result.trainees if t.name == name)


BOB = 960 / 19  # (10 * 60 + 9 * 40) / (10 + 9)


# -- levels, tiers, marks


def test_levels_weigh_the_last_ten_sessions_ten_to_one_newest_first(world):
    alice = trainee(of(world, "alice"), "alice")
    # sessions 3..12 carry weights 1..10 (sum 55); sessions 1 and 2 fall out of the window
    assert alice.skills["asking"].level == pytest.approx(3960 / 55) == 72.0  # sum k * 8(k+2), k = 1..10
    assert alice.skills["listening"].level == pytest.approx((5500 - 3960) / 55) == 28.0
    assert alice.skills["personalization"].level == pytest.approx(50.0)
    assert alice.skills["empathy"].level == pytest.approx(30.0)
    assert alice.skills["resolution"].level == pytest.approx(100 * (2 + 4 + 6 + 8 + 10) / 55)  # even sessions
    assert alice.scored == pytest.approx(72.0)
    bob = trainee(of(world, "bob"), "bob")
    assert bob.scored == pytest.approx(BOB)
    assert all(bob.skills[s].level == pytest.approx(BOB) for s in SKILLS)


def test_failed_sessions_hold_the_overall_level_down_and_say_why(world):
    alice = trainee(of(world, "alice"), "alice")
    # 4 of her last 10 sessions passed: enough for developing (20%), not proficient (50%)
    assert (alice.level, alice.tier) == (59, "developing")
    assert alice.cap is not None and alice.cap.why == "passed 4 of the last 10 sessions: at most developing"
    bob = trainee(of(world, "bob"), "bob")
    assert (bob.level, bob.tier) == (39, "novice")  # none of 2 passed
    carol = trainee(of(world, "carol"), "carol")
    assert (carol.level, carol.cap) == (90, None)  # her one session passed


def test_tiers_follow_the_level(world):
    alice = trainee(of(world, "alice"), "alice")
    assert alice.tier == "developing"  # held down (above); no critical mark holds down a skill
    assert {s: alice.skills[s].tier for s in SKILLS} == {
        "asking": "proficient",
        "listening": "novice",
        "personalization": "developing",
        "empathy": "novice",
        "resolution": "developing",
    }
    assert trainee(of(world, "carol"), "carol").tier == "expert"
    assert [tier_of(x) for x in (0, 39.99, 40, 59.99, 60, 79.99, 80, 100)] == [
        "novice",
        "novice",
        "developing",
        "developing",
        "proficient",
        "proficient",
        "expert",
        "expert",
    ]
    assert tier_of(None) is None


def test_history_attempts_pass_rate_and_top_marks_use_the_latest_grade_of_each_session(world):
    alice = trainee(of(world, "alice"), "alice")
    assert alice.skills["asking"].history == [(day(i), 8 * i) for i in range(1, 13)]
    assert alice.history[-1] == (day(12), 96)  # the regrade, not the first grade (0)
    assert (alice.attempts, alice.passed) == (12, 4)  # 72, 80, 88, 96 pass
    assert alice.pass_rate == pytest.approx(1 / 3)
    # interruption: 5 on sessions 1..5; the 5 on the first grade of session 12 do not count; positive marks never
    assert [(m.kind, m.count) for m in alice.top_marks] == [
        ("canned_answer", 12),
        ("interruption", 5),
        ("no_empathy", 3),
    ]
    assert alice.groups == ["A"]


def test_high_scores_with_a_critical_fault_every_time_rank_below_honest_passes(tmp_path):
    """The trainee who interrupts in every session scores 90 and fails each: not an expert, not first."""
    engine = open_engine(f"sqlite:///{tmp_path}/db.sqlite")
    admin = Repository.acting_as(engine, "admin")
    admin.add_group("A")
    admin.add_person("ivan", "trainee", groups=["A"])
    admin.add_person("olga", "trainee", groups=["A"])
    critical = [
        Mark.model_validate({"kind": "interruption", "seq": 2, "quote": "q", "why": "w", "severity": "critical"})
    ]
    for i in range(5):
        play(engine, "ivan", f"ivan-{i}", day(i), "billing", dict.fromkeys(SKILLS, 90), 90, critical)
        repo = Repository.acting_as(engine, "ivan")
        repo.save_report(
            report(f"ivan-{i}", "billing", dict.fromkeys(SKILLS, 90), 90, critical).model_copy(update={"passed": False})
        )
        play(engine, "olga", f"olga-{i}", day(i), "billing", dict.fromkeys(SKILLS, 72), 72)
    result = progress(admin, group="A")
    ivan = trainee(result, "ivan")
    assert (ivan.scored, ivan.level, ivan.tier, ivan.pass_rate) == (90, 39, "novice", 0)
    assert ivan.skills["listening"].tier == "novice"
    assert ivan.skills["listening"].cap is not None
    assert ivan.skills["listening"].cap.why == "interruption (critical) in 5 of the last 5 sessions: at most novice"
    assert ivan.skills["asking"].level == 90  # interrupting is listening, not asking
    assert [(r.rank, r.trainee, r.tier) for r in result.groups[0].ranking] == [
        (1, "olga", "proficient"),
        (2, "ivan", "novice"),
    ]
    table = render_progress(result, "table", width=160)
    assert "Held down: passed 0 of the last 5 sessions: at most novice" in table
    assert "listening: Held down: interruption (critical) in 5 of the last 5 sessions" in table
    engine.dispose()


def test_a_trainee_without_sessions_has_no_level_yet(world):
    dave = trainee(of(world, "ma", trainee="dave"), "dave")
    assert (dave.level, dave.tier, dave.attempts, dave.pass_rate, dave.top_marks) == (None, None, 0, None, [])
    assert all(dave.skills[s].level is None and dave.skills[s].history == [] for s in SKILLS)


# -- the group


def test_group_aggregates_its_trainees(world):
    result = of(world, "ma", group="A")
    assert [t.name for t in result.trainees] == ["alice", "bob", "dave"]
    (group,) = result.groups
    assert (group.name, group.trainees, group.attempts, group.passed) == ("A", 3, 14, 4)
    assert group.pass_rate == pytest.approx(4 / 14)
    assert group.level == pytest.approx((59 + 39) / 2)  # the levels as held down
    assert group.skills["listening"].level == pytest.approx((28 + BOB) / 2)
    assert group.skills["listening"].tier == "novice"
    assert group.skills["asking"].tier == "proficient"  # 61.3
    assert group.skills["personalization"].tier == "developing"  # 50.3
    assert group.weakest_skills == ["listening", "empathy"]  # 39.3 and 40.3; personalization 50.3
    assert [(m.kind, m.count) for m in group.top_marks] == [
        ("canned_answer", 12),
        ("interruption", 7),
        ("no_empathy", 3),
    ]
    # day 1: alice asked 8, bob 40
    assert group.skills["asking"].history[0] == (day(1).date(), 24.0)
    assert len(group.skills["asking"].history) == 12


def test_group_ranks_trainees_by_overall_level(world):
    (group,) = of(world, "ma", group="A").groups
    assert [(r.rank, r.trainee, r.tier, r.attempts) for r in group.ranking] == [
        (1, "alice", "developing", 12),
        (2, "bob", "novice", 2),
        (None, "dave", None, 0),
    ]


def test_hard_scenarios_are_those_fewer_than_half_of_those_who_tried_ever_passed(world):
    (group,) = of(world, "ma", group="A").groups
    # billing: alice (8 sessions) and bob (1) never passed; internet: alice passed, bob did not (1 of 2 is not < 50%)
    assert [(s.scenario, s.tried, s.passed, s.pass_rate, s.sessions) for s in group.hard_scenarios] == [
        ("billing", 2, 0, 0.0, 9)
    ]


def test_a_group_and_a_trainee_in_it(world):
    result = of(world, "admin", group="A", trainee="bob")
    assert [t.name for t in result.trainees] == ["bob"]
    assert result.groups[0].trainees == 3 and result.groups[0].ranking[0].trainee == "alice"


def test_the_group_summary_takes_a_handful_of_queries_whatever_the_number_of_trainees(world):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(world, "before_cursor_execute", count)
    try:
        of(world, "ma", group="A")
        group_queries = len(statements)
        statements.clear()
        of(world, "admin")
        everything = len(statements)
    finally:
        event.remove(world, "before_cursor_execute", count)
    assert group_queries <= 10 and everything <= 10, (group_queries, everything)


# -- who sees what


def test_a_trainee_sees_only_themself(world):
    result = of(world, "alice")
    assert [t.name for t in result.trainees] == ["alice"] and result.groups == []
    assert of(world, "alice", trainee="alice").trainees[0].attempts == 12
    with pytest.raises(NotFound):
        of(world, "alice", trainee="bob")
    with pytest.raises(AccessDenied):
        of(world, "alice", group="A")  # a member, but not its mentor


def test_a_mentor_sees_the_groups_they_mentor(world):
    result = of(world, "ma")
    assert [g.name for g in result.groups] == ["A"]
    assert [t.name for t in result.trainees] == ["alice", "bob", "dave", "ma"]  # themself too, having practised
    assert result.groups[0].trainees == 3 and result.groups[0].attempts == 14  # mentors are not its trainees
    assert [t.name for t in of(world, "mb").trainees] == ["carol"]  # mb never practised
    with pytest.raises(AccessDenied):
        of(world, "ma", group="B")
    with pytest.raises(NotFound):
        of(world, "ma", trainee="carol")
    with pytest.raises(NotFound):
        of(world, "ma", group="A", trainee="carol")


def test_staff_see_everyone(world):
    result = of(world, "admin")
    assert [g.name for g in result.groups] == ["A", "B"]
    assert [t.name for t in result.trainees] == ["alice", "bob", "carol", "dave", "ma"]
    assert of(world, "admin", group="B").groups[0].level == pytest.approx(90.0)
    with pytest.raises(NotFound):
        of(world, "admin", group="nope")
    with pytest.raises(NotFound):
        of(world, "admin", trainee="nobody")
    with pytest.raises(NotFound):
        of(world, "admin", group="B", trainee="alice")


# -- rendering


def test_csv_has_one_row_per_trainee_and_skill(world):
    rows = list(csv.DictReader(io.StringIO(render_progress(of(world, "ma", group="A"), "csv"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 3 * len(SKILLS)
    asking = next(r for r in rows if r["trainee"] == "alice" and r["skill"] == "asking")
    assert asking["level"] == "72.00" and asking["tier"] == "proficient" and asking["last_score"] == "96"
    assert asking["attempts"] == "12" and asking["pass_rate"] == "0.3333" and asking["groups"] == "A"
    assert asking["top_marks"] == "canned_answer:12;interruption:5;no_empathy:3"
    dave = next(r for r in rows if r["trainee"] == "dave")
    assert dave["level"] == "" and dave["pass_rate"] == ""


def test_json_is_the_whole_progress(world):
    data = json.loads(render_progress(of(world, "ma", group="A"), "json"))
    assert data["groups"][0]["weakest_skills"] == ["listening", "empathy"]
    alice = next(t for t in data["trainees"] if t["name"] == "alice")
    assert alice["skills"]["asking"]["level"] == pytest.approx(72.0)
    assert alice["skills"]["asking"]["history"][0] == ["2025-03-02T09:00:00Z", 8]


def test_the_table_reads_in_both_languages(world, monkeypatch):
    result = of(world, "ma", group="A")
    text = render_progress(result, "table")
    for fragment in (
        "Group A",
        "alice",
        "proficient",
        "billing",
        "Weakest skills: listening, empathy",
        "canned answer",
    ):
        assert fragment in text, fragment
    assert "\x1b[" not in text
    monkeypatch.setenv("SPARRING_LANGUAGE", "ru")
    russian = render_progress(result, "table")
    for fragment in ("Группа A", "уверенный", "Слабые навыки: умение слушать, эмпатия", "шаблонный ответ"):
        assert fragment in russian, fragment
    with pytest.raises(ValueError):
        render_progress(result, "xml")


def test_nothing_to_show_is_said(tmp_path):
    engine = open_engine(f"sqlite:///{tmp_path}/db.sqlite")
    result = progress(Repository.acting_as(engine, "admin"))
    assert result.trainees == [] and result.groups == []
    assert "No trainees" in render_progress(result, "table")
    assert list(csv.reader(io.StringIO(render_progress(result, "csv")))) == [list(CSV_COLUMNS)]


# -- with the real grader


def test_sessions_graded_by_the_grader(tmp_path):
    engine = open_engine(f"sqlite:///{tmp_path}/db.sqlite")
    admin = Repository.acting_as(engine, "admin")
    admin.add_group("G")
    admin.add_person("tess", "trainee", groups=["G"])
    tess = Repository.acting_as(engine, "tess")
    reports = []
    for i in range(3):
        chat = transcript(f"tess-{i}", "home-internet-down")
        tess.store_transcript(chat)
        reports.append(grade(chat))
        tess.save_report(reports[-1])
    result = progress(tess)
    (me,) = result.trainees
    assert me.attempts == 3
    for skill in SKILLS:  # three grades of the same chat: the level is that score
        assert me.skills[skill].level == pytest.approx(reports[0].skills[skill])
    assert me.level == pytest.approx(reports[0].score)


# -- the benchmark still runs


@pytest.mark.slow
def test_the_store_benchmark_runs_small():
    result = subprocess.run(
        [sys.executable, "bench/store_progress.py", "--sessions", "2000"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert "progress" in result.stdout and "SQLite" in result.stdout
