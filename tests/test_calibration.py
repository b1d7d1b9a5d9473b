"""The calibration report (how far mentors trust the grader), on real SQLite files and a throwaway PostgreSQL.

Group A: trainee ann, mentors mia and moe; group B: trainee bob, mentor max; boss is the admin. Every figure below
is counted by hand from the reviews ``build_world`` makes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from simulator.cli.calibration import render_calibration
from tests.support import assert_one_line_error, sparring
from transcripts.calibration import (
    Calibration,
    Disagreement,
    Example,
    KindFigures,
    Overridden,
    Verdict,
    calibration,
)
from transcripts.format import Event, Transcript
from transcripts.report import SKILLS, Mark, Report
from transcripts.repository import AccessDenied, NotFound, Repository
from transcripts.store import open_engine

GREETING = "Greeting is expected here"


def mark(kind: str, seq: int, quote: str, positive: bool = False) -> Mark:
    return Mark.model_validate({"kind": kind, "seq": seq, "positive": positive, "quote": quote, "why": "w"})


def graded(repo: Repository, session_id: str, *marks: Mark) -> list[int]:
    """Grade the session with exactly these marks; returns the stored marks' ids, in order."""
    report = Report.model_validate(
        {
            "transcript": session_id,
            "score": 50,
            "passed": False,
            "pass_score": 70,
            "skills": dict.fromkeys(SKILLS, 50),
            "outcome": "resolved",
            "marks": list(marks),
        }
    )
    repo.save_report(report)
    return [stored.id for stored in repo.marks(session_id)]


def played(engine: Engine, trainee: str, session_id: str) -> Repository:
    repo = Repository.acting_as(engine, trainee)
    lines = [("customer", "My internet is down."), ("agent", "Sorry. What is your contract number?")] * 4
    events = [Event(seq=i, t=float(i), role=r, type="message", text=x) for i, (r, x) in enumerate(lines, 1)]
    repo.store_transcript(Transcript(id=session_id, events=events))
    return repo


def build_world(engine: Engine) -> None:
    boss = Repository.acting_as(engine, "boss")
    boss.add_group("A")
    boss.add_group("B")
    boss.add_person("ann", "trainee", groups=["A"])
    boss.add_person("bob", "trainee", groups=["B"])
    boss.add_person("mia", "mentor", mentors=["A"])
    boss.add_person("moe", "mentor", mentors=["A"])
    boss.add_person("max", "mentor", mentors=["B"])
    mia, moe, max_ = (Repository.acting_as(engine, name) for name in ("mia", "moe", "max"))

    ann = played(engine, "ann", "ann-1")
    canned, empathy, asked = graded(
        ann,
        "ann-1",
        mark("canned_answer", 2, "Q-canned-1"),
        mark("empathy", 2, "Q-empathy", positive=True),
        mark("asked_again", 4, "Q-asked"),
    )
    mia.review(canned, "agree")
    moe.review(canned, "override", GREETING)  # mentors disagree
    mia.review(empathy, "agree")
    mia.review(asked, "override", "The customer changed the subject")
    moe.review(asked, "override", "the customer changed  the SUBJECT")  # the same reason: no disagreement

    played(engine, "ann", "ann-2")
    [stale] = graded(ann, "ann-2", mark("canned_answer", 2, "Q-stale"))
    mia.review(stale, "override", "Stale grade")  # regraded below: this grade no longer counts
    canned, no_empathy = graded(ann, "ann-2", mark("canned_answer", 2, "Q-canned-2"), mark("no_empathy", 4, "Q-cold"))
    mia.review(canned, "override", "Personal enough")
    mia.review(canned, "agree")  # mia changed her mind: her latest review is her verdict
    mia.review(no_empathy, "override", "Empathy was there")
    moe.review(no_empathy, "override", "Apology came first")  # a different reason: a disagreement

    bob = played(engine, "bob", "bob-1")
    marks = graded(bob, "bob-1", *(mark("canned_answer", 2 * i, f"Q-bob-{i}") for i in range(1, 5)))
    for i, mark_id in enumerate(marks, 1):
        max_.review(mark_id, "override", f"Bob reason {i}")


@pytest.fixture
def engine(database_url) -> Iterator[Engine]:
    engine = open_engine(database_url)
    build_world(engine)
    yield engine
    engine.dispose()


def as_(engine: Engine, name: str, group: str | None = None) -> Calibration:
    return calibration(Repository.acting_as(engine, name), group=group)


def test_figures_per_kind_count_each_mentors_latest_verdict_on_the_latest_grade(engine):
    # canned_answer: ann-1 (agree + override: overridden), ann-2 (agree: stands), bob-1 x4 (override); the stale
    # grade's mark is not counted. Verdicts: 2 agree of 7.
    assert as_(engine, "boss").kinds == [
        KindFigures("canned_answer", reviewed=6, agreed=1, overridden=5, agreement=2 / 7, precision=1 / 6),
        KindFigures("asked_again", reviewed=1, agreed=0, overridden=1, agreement=0.0, precision=0.0),
        KindFigures("empathy", reviewed=1, agreed=1, overridden=0, agreement=1.0, precision=1.0),
        KindFigures("no_empathy", reviewed=1, agreed=0, overridden=1, agreement=0.0, precision=0.0),
    ]


def test_the_most_overridden_kinds_come_first_with_their_latest_overrides(engine):
    found = as_(engine, "boss")
    assert found.most_overridden == [
        Overridden(
            "canned_answer",
            5,
            [Example("bob-1", f"Q-bob-{i}", f"Bob reason {i}") for i in (4, 3, 2)],  # at most 3, newest first
        ),
        Overridden("asked_again", 1, [Example("ann-1", "Q-asked", "the customer changed  the SUBJECT")]),
        Overridden("no_empathy", 1, [Example("ann-2", "Q-cold", "Apology came first")]),
    ]
    assert "Q-stale" not in render_calibration(found, "json")


def test_mentors_who_disagree_on_a_mark_are_listed(engine):
    assert as_(engine, "boss").disagreements == [
        Disagreement(
            "ann-1",
            "canned_answer",
            "Q-canned-1",
            [Verdict("mia", "agree", None), Verdict("moe", "override", GREETING)],
        ),
        Disagreement(
            "ann-2",
            "no_empathy",
            "Q-cold",
            [Verdict("mia", "override", "Empathy was there"), Verdict("moe", "override", "Apology came first")],
        ),
    ]


def test_a_group_keeps_its_members_sessions_only(engine):
    group_a = as_(engine, "mia", "A")
    assert [(k.kind, k.reviewed, k.agreed, k.overridden, k.agreement) for k in group_a.kinds] == [
        ("canned_answer", 2, 1, 1, 2 / 3),
        ("asked_again", 1, 0, 1, 0.0),
        ("empathy", 1, 1, 0, 1.0),
        ("no_empathy", 1, 0, 1, 0.0),
    ]
    assert [o.kind for o in group_a.most_overridden] == ["asked_again", "canned_answer", "no_empathy"]  # ties by name
    assert group_a.most_overridden[1] == Overridden("canned_answer", 1, [Example("ann-1", "Q-canned-1", GREETING)])
    assert as_(engine, "boss", "A") == group_a
    group_b = as_(engine, "boss", "B")
    assert group_b.kinds == [KindFigures("canned_answer", 4, 0, 4, 0.0, 0.0)] and group_b.disagreements == []


def test_without_a_group_everyone_sees_what_they_may_see(engine):
    assert as_(engine, "mia") == as_(engine, "mia", "A")  # a mentor: the trainees of their groups
    assert as_(engine, "ann") == as_(engine, "mia", "A")  # a trainee: their own sessions
    assert as_(engine, "max") == as_(engine, "boss", "B")
    assert as_(engine, "bob").kinds[0].reviewed == 4


def test_a_group_is_for_its_mentors_and_staff(engine):
    with pytest.raises(AccessDenied, match="you do not mentor group 'A'"):
        as_(engine, "ann", "A")  # a trainee of the group
    with pytest.raises(AccessDenied):
        as_(engine, "max", "A")  # a mentor of another group
    with pytest.raises(NotFound, match="no group 'C'"):
        as_(engine, "boss", "C")


def test_the_text_is_an_aligned_table_and_two_lists_in_either_language(engine, monkeypatch):
    found = as_(engine, "boss")
    text = render_calibration(found, "text", width=120)
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:2] == ["Mark", "Reviewed"])
    table = [lines[start], *lines[start + 2 : start + 6]]
    assert table[1].split() == ["canned", "answer", "6", "1", "5", "29%", "17%"]
    assert len({len(line) for line in table}) == 1, table  # the numbers end in one column
    assert "  canned answer: 5 overridden" in lines
    assert "    session bob-1 · “Q-bob-4” · Bob reason 4" in lines
    assert "  session ann-1 · canned answer · “Q-canned-1”" in lines
    assert "    mia agrees" in lines and f"    moe overrides: {GREETING}" in lines
    assert "Q-bob-1" not in text  # beyond the 3 examples

    monkeypatch.setenv("SPARRING_LANGUAGE", "ru")
    russian = render_calibration(found, "text", width=120)
    assert "Отметка" in russian and "Чаще всего отменяют" in russian and "Наставники расходятся" in russian
    assert "    сессия bob-1 · «Q-bob-4» · Bob reason 4" in russian.splitlines()
    assert "    mia соглашается" in russian.splitlines()


@pytest.mark.slow
def test_the_command_prints_one_json_object(engine, database_url):
    result = sparring("--as", "mia", "calibration", "--format", "json", env={"SPARRING_DATABASE_URL": database_url})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "kinds": [
            {
                "kind": "canned_answer",
                "reviewed": 2,
                "agreed": 1,
                "overridden": 1,
                "agreement": 2 / 3,
                "precision": 0.5,
            },
            {"kind": "asked_again", "reviewed": 1, "agreed": 0, "overridden": 1, "agreement": 0.0, "precision": 0.0},
            {"kind": "empathy", "reviewed": 1, "agreed": 1, "overridden": 0, "agreement": 1.0, "precision": 1.0},
            {"kind": "no_empathy", "reviewed": 1, "agreed": 0, "overridden": 1, "agreement": 0.0, "precision": 0.0},
        ],
        "most_overridden": [
            {
                "kind": "asked_again",
                "overridden": 1,
                "examples": [{"session": "ann-1", "quote": "Q-asked", "reason": "the customer changed  the SUBJECT"}],
            },
            {
                "kind": "canned_answer",
                "overridden": 1,
                "examples": [{"session": "ann-1", "quote": "Q-canned-1", "reason": GREETING}],
            },
            {
                "kind": "no_empathy",
                "overridden": 1,
                "examples": [{"session": "ann-2", "quote": "Q-cold", "reason": "Apology came first"}],
            },
        ],
        "disagreements": [
            {
                "session": "ann-1",
                "kind": "canned_answer",
                "quote": "Q-canned-1",
                "verdicts": [
                    {"mentor": "mia", "verdict": "agree", "reason": None},
                    {"mentor": "moe", "verdict": "override", "reason": GREETING},
                ],
            },
            {
                "session": "ann-2",
                "kind": "no_empathy",
                "quote": "Q-cold",
                "verdicts": [
                    {"mentor": "mia", "verdict": "override", "reason": "Empathy was there"},
                    {"mentor": "moe", "verdict": "override", "reason": "Apology came first"},
                ],
            },
        ],
    }


@pytest.mark.slow
def test_the_command_refuses_an_unknown_group_or_one_not_mentored_in_one_line(engine, database_url):
    env = {"SPARRING_DATABASE_URL": database_url}
    assert_one_line_error(sparring("--as", "boss", "calibration", "--group", "C", env=env), 2, "no group 'C'")
    assert_one_line_error(sparring("--as", "mia", "calibration", "--group", "B", env=env), 1, "not in group 'B'")


@pytest.mark.slow
def test_nothing_reviewed_yet_is_said_not_failed(database_url):
    env = {"SPARRING_DATABASE_URL": database_url}
    text = sparring("--as", "boss", "calibration", env=env)  # an empty store: boss becomes its admin
    assert (text.returncode, text.stdout) == (
        0,
        "No reviewed marks yet: mentors review marks with sparring review SESSION MARK.\n",
    )
    engine = open_engine(database_url)
    graded(played(engine, "boss", "s-1"), "s-1", mark("canned_answer", 2, "Q"))  # graded, never reviewed
    engine.dispose()
    russian = sparring("--as", "boss", "calibration", env={**env, "SPARRING_LANGUAGE": "ru"})
    assert (russian.returncode, russian.stdout) == (
        0,
        "Проверенных отметок пока нет: наставники проверяют отметки командой sparring review SESSION MARK.\n",
    )
    empty = sparring("--as", "boss", "calibration", "--format", "json", env=env)
    assert empty.returncode == 0
    assert json.loads(empty.stdout) == {"kinds": [], "most_overridden": [], "disagreements": []}
