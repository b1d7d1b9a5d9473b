"""Graded sessions as xAPI statements, sent to a real learning record store (Ralph's, on 127.0.0.1) and read back
through its own GET API: what it holds, once each, however often and however interrupted the push; a wrong
password or a missing LRS is one line and marks nothing sent; each person sends only what they may see.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from grading import grade
from simulator.cli import app as cli_app
from tests.lrs_server import PASSWORD, USERNAME, RalphLrs
from tests.test_access import chat
from transcripts.format import Transcript
from transcripts.lrs import Lrs, LrsError, authorization, push, statements_url
from transcripts.repository import GradedSession, NotFound, Repository
from transcripts.store import open_engine
from transcripts.xapi import ScenarioText, duration, statement, statement_id, verb_of

pytestmark = pytest.mark.slow  # the fast tier (-m "not slow") leaves it out

BASE = "https://academy.example.org/"
OWN = {"ann": {"s-ann-1", "s-ann-2", "s-ann-3"}, "amy": {"s-amy"}, "bob": {"s-bob"}, "mia": {"s-mia"}}
EVERY = set().union(*OWN.values())
SEES = {"ann": OWN["ann"], "amy": OWN["amy"], "bob": OWN["bob"], "mia": OWN["mia"] | OWN["ann"] | OWN["amy"]}
SEES["boss"] = EVERY


@dataclass
class Team:
    engine: Engine
    url: str
    prefix: str
    """Of every session id: tests share one LRS, and each reads back only its own statements."""

    def ids(self, short: set[str]) -> set[str]:
        return {f"{self.prefix}{s}" for s in short}

    def repo(self, name: str) -> Repository:
        return Repository.acting_as(self.engine, name)


def _store(repo: Repository, session_id: str, scenario: str | None, mode: str = "practice") -> None:
    transcript = chat(
        session_id,
        ("customer", "My internet has been down for three days."),
        ("agent", "I'm sorry, that is awful. What is your contract number?"),
        scenario=scenario,
    )
    repo.store_transcript(transcript, mode=mode)
    repo.save_report(grade(transcript))


@pytest.fixture(scope="module")
def shared_lrs(tmp_path_factory) -> Iterator[RalphLrs]:
    """One LRS for the tests that never stop it (starting one takes seconds)."""
    pytest.importorskip("ralph", reason="ralph-malph[lrs] is in the test extra")
    lrs = RalphLrs(tmp_path_factory.mktemp("ralph"))
    lrs.start()
    yield lrs
    lrs.stop()


@pytest.fixture
def team(database_url) -> Iterator[Team]:
    """night-shift: trainees ann (three sessions, one an assessment) and amy, mentor mia (one of her own);
    day-shift: trainee bob; boss the admin."""
    engine = open_engine(database_url)
    prefix = f"{uuid.uuid4().hex[:8]}-"
    boss = Repository.acting_as(engine, "boss")
    boss.add_group("night-shift")
    boss.add_group("day-shift")
    boss.add_person("ann", "trainee", groups=["night-shift"])
    boss.add_person("amy", "trainee", groups=["night-shift"])
    boss.add_person("bob", "trainee", groups=["day-shift"])
    boss.add_person("mia", "mentor", mentors=["night-shift"])
    for name, sessions in OWN.items():
        repo = Repository.acting_as(engine, name)
        for index, session_id in enumerate(sorted(sessions)):
            _store(
                repo,
                prefix + session_id,
                "home-internet-down" if index != 1 else None,
                "assessment" if index == 2 else "practice",
            )
    yield Team(engine, database_url, prefix)
    engine.dispose()


def cli(team: Team, who: str, *args: str, lrs: RalphLrs | None = None, **env: str) -> Any:
    settings = {"SPARRING_DATABASE_URL": team.url, "SPARRING_XAPI_BASE": BASE}
    if lrs is not None:
        settings |= {"SPARRING_LRS_URL": lrs.url, "SPARRING_LRS_USERNAME": USERNAME, "SPARRING_LRS_PASSWORD": PASSWORD}
    return CliRunner().invoke(cli_app, ["--as", who, *args], env={**settings, **env}, catch_exceptions=False)


def one_line_error(result: Any) -> str:
    assert result.exit_code != 0, result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def held(lrs: RalphLrs, team: Team) -> dict[str, dict[str, Any]]:
    """What the LRS holds of the team's by statement id; a duplicate id would be a failure of the LRS or ours."""
    found = [s for s in lrs.statements() if s["context"]["extensions"][f"{BASE}xapi/session"].startswith(team.prefix)]
    ids = [s["id"] for s in found]
    assert len(ids) == len(set(ids)), "the LRS holds a statement twice"
    return {s["id"]: s for s in found}


def sessions_of(statements: dict[str, dict[str, Any]], team: Team) -> set[str]:
    """The short ids of the sessions these statements are about."""
    return {s["context"]["extensions"][f"{BASE}xapi/session"].removeprefix(team.prefix) for s in statements.values()}


def pushed(team: Team, lrs: RalphLrs) -> set[str]:
    found = team.repo("boss").graded_sessions(lrs=statements_url(lrs.url))
    return {g.id.removeprefix(team.prefix) for g in found if g.pushed}


# -- the statement


def _graded(**changes: Any) -> GradedSession:
    graded = GradedSession(
        id="abc123",
        trainee="ann",
        scenario="home-internet-down",
        language="en",
        mode="practice",
        started_at=datetime(2025, 3, 1, 9, 0, tzinfo=UTC),
        ended_at=datetime(2025, 3, 1, 9, 12, 34, 500000, tzinfo=UTC),
        duration=754.5,
        grade_id=7,
        score=82,
        passed=True,
        pass_score=70,
        outcome="resolved",
        skills={"asking": 90, "listening": 80, "personalization": 70, "empathy": 85, "resolution": 100},
        meta={},
    )
    return replace(graded, **changes)


TEXTS = {"home-internet-down": ScenarioText("Home internet down", "Dana's internet is down.", "en")}


def test_a_statement_says_who_did_what_how_well_and_when():
    made = statement(_graded(), TEXTS, BASE)
    assert uuid.UUID(made["id"]).version == 5
    assert made["actor"] == {"objectType": "Agent", "name": "ann", "account": {"homePage": BASE, "name": "ann"}}
    assert made["verb"] == {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}}
    assert made["object"] == {
        "objectType": "Activity",
        "id": f"{BASE}scenarios/home-internet-down",
        "definition": {
            "type": "http://adlnet.gov/expapi/activities/simulation",
            "name": {"en": "Home internet down"},
            "description": {"en": "Dana's internet is down."},
        },
    }
    result = made["result"]
    assert result["score"] == {"scaled": 0.82, "raw": 82, "min": 0, "max": 100}
    assert result["success"] is True and result["completion"] is True and result["duration"] == "PT12M34.5S"
    assert result["extensions"][f"{BASE}xapi/skills/empathy"] == 85
    assert made["context"]["platform"] == "Sparring" and made["context"]["language"] == "en"
    assert "contextActivities" not in made["context"]  # no assignment or path known
    assert made["timestamp"] == "2025-03-01T09:12:34.500Z"
    assert "mbox" not in json.dumps(made) and "@" not in json.dumps(made["actor"])


def test_the_same_grade_is_the_same_statement_and_a_new_grade_a_new_one():
    first = statement(_graded(), TEXTS, BASE)
    assert statement(_graded(), TEXTS, BASE) == first
    assert statement_id(_graded(grade_id=8)) == first["id"]  # graded again to the same result: one statement
    assert statement_id(_graded(score=60, passed=False)) != first["id"]
    assert statement_id(_graded(id="other")) != first["id"]


def test_verbs_durations_languages_and_placements():
    assert verb_of(_graded(mode="assessment")) == "passed"
    assert verb_of(_graded(mode="assessment", passed=False)) == "failed"
    assert verb_of(_graded(outcome="unfinished", passed=False)) == "failed"
    assert verb_of(_graded(outcome="customer_left", passed=False)) == "completed"
    assert [duration(s) for s in (0, 5, 60, 3725.25, 0.004)] == ["PT0S", "PT5S", "PT1M", "PT1H2M5.25S", "PT0S"]
    russian = statement(
        _graded(scenario="kurier", language="ru"), {"kurier": ScenarioText("Курьер", "Ольга", "ru")}, BASE
    )
    assert russian["object"]["definition"]["name"] == {"ru": "Курьер"} and russian["context"]["language"] == "ru"
    free = statement(_graded(scenario=None, language="ru"), TEXTS, BASE)
    assert free["object"]["id"] == f"{BASE}conversations"
    assert free["object"]["definition"]["name"] == {"ru": "свободный разговор"}
    gone = statement(_graded(scenario="retired"), TEXTS, BASE)
    assert gone["object"]["definition"]["name"] == {"en": "retired"}
    placed = statement(
        _graded(meta={"assignment": {"id": "week-1", "name": "Week 1"}, "path": {"id": "onboarding"}}), TEXTS, BASE
    )
    assert placed["context"]["contextActivities"] == {
        "parent": [
            {
                "objectType": "Activity",
                "id": f"{BASE}assignments/week-1",
                "definition": {"type": "http://adlnet.gov/expapi/activities/assessment", "name": {"en": "Week 1"}},
            }
        ],
        "grouping": [
            {
                "objectType": "Activity",
                "id": f"{BASE}paths/onboarding",
                "definition": {"type": "http://adlnet.gov/expapi/activities/course"},
            }
        ],
    }


def test_authorization_and_endpoint():
    assert statements_url("https://lrs.example.org/xAPI/") == "https://lrs.example.org/xAPI/statements"
    assert statements_url("https://lrs.example.org/xAPI/statements") == "https://lrs.example.org/xAPI/statements"
    assert authorization("u", "p", None) == "Basic dTpw"
    assert authorization("u", "p", "tok") == "Bearer tok"
    assert authorization(None, None, "Basic abc=") == "Basic abc="
    assert authorization(None, None, None) is None
    shown = repr(Lrs("https://lrs.example.org/xAPI/statements", "Basic c2VjcmV0", 5, ("pw-SECRET",)))
    assert "c2VjcmV0" not in shown and "SECRET" not in shown


def test_one_statement_from_the_command_line(team):
    result = cli(team, "ann", "xapi", "statement", f"{team.prefix}s-ann-1")
    assert result.exit_code == 0, result.stderr
    made = json.loads(result.stdout)
    assert made["actor"]["account"] == {"homePage": BASE, "name": "ann"}
    assert made["object"]["definition"]["name"] == {"en": "Home internet down for three days while working from home"}
    hidden = cli(team, "bob", "xapi", "statement", f"{team.prefix}s-ann-1")
    assert f"no session '{team.prefix}s-ann-1'" in one_line_error(hidden)
    team.repo("ann").start_session(Transcript(id="s-live", scenario="home-internet-down", events=[]))
    assert "has no grade yet" in one_line_error(cli(team, "ann", "xapi", "statement", "s-live"))


# -- against the LRS


def test_push_then_read_back_what_the_lrs_holds(team, shared_lrs):
    ralph = shared_lrs
    dry = cli(team, "boss", "xapi", "push", "--dry-run", lrs=ralph)
    assert dry.exit_code == 0, dry.stderr
    planned = {s["id"]: s for s in json.loads(dry.stdout)}
    assert len(planned) == len(EVERY) and not held(ralph, team) and not pushed(team, ralph)  # a dry run sends nothing

    result = cli(team, "boss", "xapi", "push", "--format", "json", "--batch", "3", lrs=ralph)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "lrs": statements_url(ralph.url),
        "graded": len(EVERY),
        "already_pushed": 0,
        "sent": len(EVERY),
        "already_stored": 0,
    }
    assert re.findall(r"(\d+)/(\d+) sent", result.stderr) == [("3", "6"), ("6", "6")]
    stored = held(ralph, team)
    assert set(stored) == set(planned) and pushed(team, ralph) == EVERY
    for statement_id_, sent in planned.items():
        got = stored[statement_id_]
        # The LRS adds when it stored it and on whose authority; everything sent comes back as sent.
        assert {k: v for k, v in got.items() if k not in ("stored", "authority", "version")} == sent
        single = cli(team, "boss", "xapi", "statement", sent["context"]["extensions"][f"{BASE}xapi/session"])
        assert json.loads(single.stdout) == sent


def test_pushing_twice_sends_nothing_new_and_a_resend_duplicates_nothing(team, shared_lrs):
    ralph = shared_lrs
    assert cli(team, "boss", "xapi", "push", lrs=ralph).exit_code == 0
    first = held(ralph, team)
    again = cli(team, "boss", "xapi", "push", "--format", "json", lrs=ralph)
    assert json.loads(again.stdout)["sent"] == 0 and json.loads(again.stdout)["already_pushed"] == len(EVERY)
    resent = cli(team, "boss", "xapi", "push", "--resend", "--format", "json", lrs=ralph)
    assert json.loads(resent.stdout)["sent"] == len(EVERY) == json.loads(resent.stdout)["already_stored"]
    assert held(ralph, team) == first

    # A push recorded nowhere (the store lost it, or the LRS was filled by another copy): the LRS keeps one.
    with team.engine.begin() as connection:
        connection.execute(text("DELETE FROM lrs_push"))
    assert cli(team, "boss", "xapi", "push", lrs=ralph).exit_code == 0
    assert held(ralph, team) == first and pushed(team, ralph) == EVERY

    # A new grade is a new statement; the old one stays, as history.
    regraded = team.repo("ann").graded_sessions(session_id=f"{team.prefix}s-ann-1")[0]
    report = team.repo("ann").report(f"{team.prefix}s-ann-1")
    assert report is not None
    team.repo("ann").save_report(report.model_copy(update={"score": max(0, report.score - 30), "passed": False}))
    result = cli(team, "boss", "xapi", "push", "--format", "json", lrs=ralph)
    assert json.loads(result.stdout)["sent"] == 1
    now_held = held(ralph, team)
    assert set(first) < set(now_held) and len(now_held) == len(first) + 1
    assert statement_id(regraded) in now_held


def test_a_push_the_lrs_dies_in_goes_on_where_it_stopped(team, ralph):
    boss = team.repo("boss")
    lrs = Lrs(statements_url(ralph.url), authorization(USERNAME, PASSWORD, None), 10)
    seen: list[int] = []

    def kill_after_two(sent: int, total: int) -> None:
        seen.append(sent)
        if sent == 2:
            ralph.kill()

    with pytest.raises(LrsError, match="cannot reach the learning record store"):
        push(boss, lrs, {}, BASE, batch=1, progress=kill_after_two)
    assert seen == [1, 2] and len(pushed(team, ralph)) == 2

    ralph.start()  # the same port and data
    assert len(held(ralph, team)) == 2
    result = cli(team, "boss", "xapi", "push", "--format", "json", lrs=ralph)
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["already_pushed"] == 2 and summary["sent"] == len(EVERY) - 2
    assert sessions_of(held(ralph, team), team) == EVERY and pushed(team, ralph) == EVERY


def test_a_wrong_password_is_one_line_and_marks_nothing(team, shared_lrs):
    ralph = shared_lrs
    result = cli(team, "boss", "xapi", "push", lrs=ralph, SPARRING_LRS_PASSWORD="wrong-SECRET-pw")
    line = one_line_error(result)
    assert "refused the credentials (HTTP 401)" in line and "SECRET" not in result.stdout + result.stderr
    no_credentials = cli(team, "boss", "xapi", "push", lrs=ralph, SPARRING_LRS_USERNAME="", SPARRING_LRS_PASSWORD="")
    assert "refused the credentials" in one_line_error(no_credentials)
    token = cli(team, "boss", "xapi", "push", lrs=ralph, SPARRING_LRS_TOKEN="Basic bm9ib2R5OlNFQ1JFVA==")
    assert "refused the credentials" in one_line_error(token) and "SECRET" not in token.stderr
    assert not held(ralph, team) and not pushed(team, ralph)


def test_an_lrs_that_is_not_there_or_not_an_lrs_is_one_line(team, shared_lrs):
    ralph = shared_lrs
    cases = {
        "http://127.0.0.1:9/xAPI": "cannot reach the learning record store at http://127.0.0.1:9/xAPI/statements",
        "http://no-such-lrs.invalid/xAPI": "no such host",
        f"{ralph.root}/not-xapi": "is not an xAPI statements resource (HTTP 404)",
        "lrs.example.org/xAPI": "SPARRING_LRS_URL: Value error, must be an http:// or https:// URL",
        "https://user:pw@lrs.example.org/xAPI": "must not hold a user or password",
    }
    for url, expected in cases.items():
        assert expected in one_line_error(cli(team, "boss", "xapi", "push", lrs=ralph, SPARRING_LRS_URL=url)), url
    assert "set SPARRING_LRS_URL" in one_line_error(cli(team, "boss", "xapi", "push"))
    assert "is not a date" in one_line_error(cli(team, "boss", "xapi", "push", "--since", "yesterday", lrs=ralph))
    assert not held(ralph, team) and not pushed(team, ralph)


def test_a_web_page_that_says_ok_to_anything_is_not_taken_for_an_lrs(team):
    """A 200 without the ids xAPI answers with has stored nothing: nothing is marked sent."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Page(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server name
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html>Welcome!</html>")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/xAPI"
        result = cli(team, "boss", "xapi", "push", SPARRING_LRS_URL=url)
        assert "is not an xAPI statements resource (HTTP 200)" in one_line_error(result)
    finally:
        server.shutdown()
        server.server_close()
    assert not any(g.pushed for g in team.repo("boss").graded_sessions(lrs=f"{url}/statements"))


def test_each_person_pushes_only_what_they_may_see(team, shared_lrs):
    ralph = shared_lrs
    for who in ("ann", "mia", "bob", "boss"):
        dry = cli(team, who, "xapi", "push", "--dry-run", lrs=ralph)
        assert sessions_of({s["id"]: s for s in json.loads(dry.stdout)}, team) == SEES[who], who
    assert cli(team, "ann", "xapi", "push", lrs=ralph).exit_code == 0
    assert sessions_of(held(ralph, team), team) == OWN["ann"]
    mia = cli(team, "mia", "xapi", "push", "--format", "json", lrs=ralph)
    assert json.loads(mia.stdout)["already_pushed"] == len(OWN["ann"])  # ann's, sent by ann
    assert sessions_of(held(ralph, team), team) == SEES["mia"]
    assert cli(team, "boss", "xapi", "push", lrs=ralph).exit_code == 0
    assert sessions_of(held(ralph, team), team) == EVERY
    with pytest.raises(NotFound):
        team.repo("bob").graded_sessions(session_id=f"{team.prefix}s-ann-1")


def test_since_keeps_sessions_that_ended_then_or_later(team, shared_lrs):
    ralph = shared_lrs
    with team.engine.begin() as connection:
        connection.execute(
            text("UPDATE session SET ended_at = :old WHERE id LIKE :ann"),
            {"old": datetime.now(UTC) - timedelta(days=30), "ann": f"{team.prefix}s-ann-%"},
        )
    since = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    result = cli(team, "boss", "xapi", "push", "--since", since, "--format", "json", lrs=ralph)
    assert json.loads(result.stdout)["sent"] == len(EVERY - OWN["ann"])
    assert sessions_of(held(ralph, team), team) == EVERY - OWN["ann"]
