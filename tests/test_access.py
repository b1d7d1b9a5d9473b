"""Who may do what, for every way in: each public ``Repository`` method against every kind of person, on SQLite
and PostgreSQL; the same requests through the ``sparring`` command; and the app's screens acting only as the
person using them.

The people: group alpha-team has trainees anna (whose session is asked about) and amy, and mentors mia and moe;
beta-team has trainee bob and mentor max; tina is a trainer, boss the admin, and zed is nobody the store knows.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FunctionType
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session as DbSession
from sqlmodel import SQLModel
from typer.testing import CliRunner

from grading import grade
from simulator.cli import app as cli_app
from tests.support import wait_for
from transcripts.format import Event, Transcript, save_transcript
from transcripts.macros import Macro
from transcripts.repository import AccessDenied, NotFound, Repository
from transcripts.store import open_engine
from transcripts.tables import SessionRow

ROOT = Path(__file__).resolve().parent.parent

ACTORS = ("owner", "peer", "outsider", "mentor", "other_mentor", "trainer", "admin", "stranger")
NAMES = {
    "owner": "anna",
    "peer": "amy",
    "outsider": "bob",
    "mentor": "mia",
    "other_mentor": "max",
    "trainer": "tina",
    "admin": "boss",
    "stranger": "zed",
}
STAFF = {"trainer", "admin"}
PRIVATE = "PRIVATE-anna-7f3a"
"""In anna's session only: nobody who may not see it may ever be shown it."""
COMMENT = "PRIVATE-mia-note-51c2"
"""mia's comment on anna's session."""

OK, HIDDEN, DENIED = "ok", "hidden", "denied"
"""Allowed; refused as if it did not exist (NotFound); refused as not theirs to do (AccessDenied)."""


def outcomes(ok: Iterable[str] = (), hidden: Iterable[str] = (), denied: Iterable[str] = ()) -> dict[str, str]:
    """Every actor's outcome; a stranger (unknown to the store) is always refused when the store is opened."""
    table = {a: OK for a in ok} | {a: HIDDEN for a in hidden} | {a: DENIED for a in denied} | {"stranger": DENIED}
    assert set(table) == set(ACTORS), set(ACTORS) ^ set(table)
    return table


EVERYONE = outcomes(ok=set(ACTORS) - {"stranger"})
STAFF_ONLY = outcomes(ok=STAFF, denied={"owner", "peer", "outsider", "mentor", "other_mentor"})
READ = outcomes(ok={"owner", "mentor", *STAFF}, hidden={"peer", "outsider", "other_mentor"})
"""Anna's session: herself, her group's mentors and staff."""
WRITE = outcomes(ok={"owner", *STAFF}, hidden={"peer", "outsider", "other_mentor"}, denied={"mentor"})
"""Playing, finishing, resuming or closing anna's session, or replacing its grade."""
REVIEW = outcomes(ok={"mentor", *STAFF}, hidden={"peer", "outsider", "other_mentor"}, denied={"owner"})
RESPOND = outcomes(ok={"owner"}, hidden={"peer", "outsider", "other_mentor"}, denied={"mentor", *STAFF})
MEMBERS_OF_ALPHA = outcomes(ok={"owner", "peer", "mentor", *STAFF}, denied={"outsider", "other_mentor"})
READ_OK = {actor for actor, outcome in READ.items() if outcome == OK}

SESSIONS = {"s-anna": "anna", "s-amy": "amy", "s-bob": "bob", "s-mia": "mia", "s-moe": "moe"}
ALL = set(SESSIONS)
SEES = {
    "owner": {"s-anna"},
    "peer": {"s-amy"},
    "outsider": {"s-bob"},
    "mentor": {"s-anna", "s-amy", "s-mia"},  # not co-mentor moe's own practice
    "other_mentor": {"s-bob"},
    "trainer": ALL,
    "admin": ALL,
}
GROUPS = {
    "owner": ["alpha-team"],
    "peer": ["alpha-team"],
    "outsider": ["beta-team"],
    "mentor": ["alpha-team"],
    "other_mentor": ["beta-team"],
    "trainer": ["alpha-team", "beta-team"],
    "admin": ["alpha-team", "beta-team"],
}
PEOPLE_SEEN = {
    "owner": {"anna"},
    "peer": {"amy"},
    "outsider": {"bob"},
    "mentor": {"mia", "anna", "amy"},
    "other_mentor": {"max", "bob"},
}


def chat(session_id: str, *lines: tuple[str, str], scenario: str | None = None) -> Transcript:
    events = [Event(seq=i, t=float(i), role=role, type="message", text=text) for i, (role, text) in enumerate(lines, 1)]
    events.append(Event(seq=len(events) + 1, t=float(len(events) + 1), role="system", type="end", text="unfinished"))
    return Transcript(id=session_id, scenario=scenario, events=events)


def dead_pid() -> int:
    """The id of a process that has ended (so ``mark_abandoned`` takes its session for dead)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


# -- the world every test starts from


@dataclass
class World:
    engine: Engine
    boss: Repository
    mark_id: int
    """The first mark of anna's graded session."""
    counter: Iterator[int] = field(default_factory=itertools.count)

    def unique(self, prefix: str) -> str:
        return f"{prefix}-{next(self.counter)}"

    def person_id(self, name: str) -> int:
        person_id = self.boss.person(name).id
        assert person_id is not None
        return person_id

    def fresh(self, status: str = "running", pid: int | None = None) -> Transcript:
        """A new session of anna's in this state, started by anna herself."""
        live = Transcript(id=self.unique("live"), scenario="home-internet-down", events=[])
        Repository.acting_as(self.engine, "anna").start_session(live, pid=pid)
        if status != "running":
            with self.boss.db() as db:
                row = db.get(SessionRow, live.id)
                assert row is not None
                row.status = status
                db.add(row)
                db.commit()
        return live

    def snapshot(self) -> list[list[tuple]]:
        """Every row of every table: a refused request must leave it as it was."""
        with self.engine.connect() as connection:
            return [
                sorted(map(tuple, connection.execute(select(table))), key=repr)
                for _, table in sorted(SQLModel.metadata.tables.items())
            ]


def build_world(url: str) -> World:
    engine = open_engine(url)
    boss = Repository.acting_as(engine, "boss")  # the first person: the admin
    for group in ("alpha-team", "beta-team"):
        boss.add_group(group)
    boss.add_person("anna", "trainee", groups=["alpha-team"])
    boss.add_person("amy", "trainee", groups=["alpha-team"])
    boss.add_person("bob", "trainee", groups=["beta-team"])
    boss.add_person("mia", "mentor", mentors=["alpha-team"])
    boss.add_person("moe", "mentor", mentors=["alpha-team"])
    boss.add_person("max", "mentor", mentors=["beta-team"])
    boss.add_person("tina", "trainer")
    for session_id, name in SESSIONS.items():
        said = f"{PRIVATE} My order is 5 days late, this is RIDICULOUS!" if name == "anna" else "My order is late."
        transcript = chat(session_id, ("customer", said), ("agent", "We apologize for any inconvenience."))
        own = Repository.acting_as(engine, name)
        own.store_transcript(transcript)
        own.save_report(grade(transcript))
    mia = Repository.acting_as(engine, "mia")
    mia.comment("s-anna", COMMENT, seq=2)
    marks = boss.marks("s-anna")
    assert marks, "anna's session needs a mark to review and respond to"
    return World(engine, boss, marks[0].id)


@pytest.fixture
def world(database_url) -> Iterator[World]:
    built = build_world(database_url)
    yield built
    built.engine.dispose()


# -- the matrix: method -> requests, each with every actor's outcome and what an allowed one must return


@dataclass(frozen=True)
class Row:
    label: str
    call: Callable[..., Any]
    """``call(repo, *prepared)``."""
    expect: dict[str, str]
    check: Callable[..., None] | None = None
    """``check(world, actor, result, *prepared)`` for an allowed call."""
    prepare: Callable[[World], tuple] | None = None
    """Arguments made fresh for each actor (before the snapshot a refusal is compared with)."""


def _status(world: World, session_id: str) -> str:
    return world.boss.session_info(session_id).status


def _session_ids(result: list) -> set[str]:
    return {s.id for s in result}


MATRIX: dict[str, list[Row]] = {
    "acting_as": [Row("acting_as", lambda repo: repo, EVERYONE, lambda w, a, r: _eq(r.actor.name, NAMES[a]))],
    "is_staff": [Row("is_staff", lambda repo: repo.is_staff, EVERYONE, lambda w, a, r: _eq(r, a in STAFF))],
    "visible_people": [
        Row(
            "visible_people",
            lambda repo: _visible_names(repo),
            EVERYONE,
            lambda w, a, r: _eq(r, None if a in STAFF else PEOPLE_SEEN[a]),
        )
    ],
    # A raw database session, with no checks of its own: only the store's modules may use it, and they filter
    # by visible_people (see test_only_the_store_reads_the_database_directly).
    "db": [Row("db", lambda repo: _opened(repo), EVERYONE, lambda w, a, r: _eq(r, True))],
    "add_group": [
        Row(
            "add_group",
            lambda repo, name: repo.add_group(name),
            STAFF_ONLY,
            lambda w, a, r, name: _eq(name in {g.name for g in w.boss.groups()}, True),
            lambda w: (w.unique("group"),),
        )
    ],
    "groups": [
        Row("groups", lambda repo: [g.name for g in repo.groups()], EVERYONE, lambda w, a, r: _eq(r, GROUPS[a]))
    ],
    "members": [
        Row(
            "members(alpha-team)",
            lambda repo: {p.name for p, _ in repo.members("alpha-team")},
            MEMBERS_OF_ALPHA,
            lambda w, a, r: _eq(r, {"anna", "amy", "mia", "moe"}),
        )
    ],
    "set_macros": [
        Row(
            "set_macros(alpha-team)",
            lambda repo: repo.set_macros(
                [Macro("late", "Sorry, your order is late; it will come this week.")], "alpha-team"
            ),
            outcomes(ok={"mentor", *STAFF}, denied={"owner", "peer", "outsider", "other_mentor"}),
            lambda w, a, r: _eq([m.name for m in w.boss.macros(group="alpha-team")], ["late"]),
        )
    ],
    "macros": [
        Row(
            "macros(group=alpha-team)",
            lambda repo: [m.name for m in repo.macros(group="alpha-team")],
            MEMBERS_OF_ALPHA,
            lambda w, a, r: _eq(r, []),
        )
    ],
    "person": [Row("person(anna)", lambda repo: repo.person("anna").name, READ, lambda w, a, r: _eq(r, "anna"))],
    "add_person": [
        Row(
            "add_person",
            lambda repo, name: repo.add_person(name, "admin"),
            STAFF_ONLY,
            lambda w, a, r, name: _eq(w.boss.person(name).role, "admin"),
            lambda w: (w.unique("newcomer"),),
        )
    ],
    "start_session": [
        Row(
            "start_session",
            lambda repo, t: repo.start_session(t),
            EVERYONE,
            lambda w, a, r, t: _eq(w.boss.session_info(t.id).person_id, w.person_id(NAMES[a])),
            lambda w: (Transcript(id=w.unique("new"), scenario="home-internet-down", events=[]),),
        )
    ],
    "append_event": [
        Row(
            "append_event(anna's live session)",
            lambda repo, t: repo.append_event(t.id, Event(seq=1, t=1.0, role="agent", type="message", text="hi")),
            WRITE,
            lambda w, a, r, t: _eq([e.text for e in w.boss.transcript(t.id).events], ["hi"]),
            lambda w: (w.fresh(),),
        )
    ],
    "finish_session": [
        Row(
            "finish_session(anna's live session)",
            lambda repo, t: repo.finish_session(t),
            WRITE,
            lambda w, a, r, t: _eq(_status(w, t.id), "finished"),
            lambda w: (w.fresh(),),
        )
    ],
    "store_transcript": [
        Row(
            "store_transcript(own)",
            lambda repo, t: repo.store_transcript(t),
            EVERYONE,
            lambda w, a, r, t: _eq(w.boss.session_info(t.id).person_id, w.person_id(NAMES[a])),
            lambda w: (chat(w.unique("imported"), ("customer", "hi")),),
        ),
        Row(
            "store_transcript(trainee=anna)",
            lambda repo, t: repo.store_transcript(t, trainee="anna"),
            WRITE,
            lambda w, a, r, t: _eq(w.boss.session_info(t.id).person_id, w.person_id("anna")),
            lambda w: (chat(w.unique("imported"), ("customer", "hi")),),
        ),
    ],
    "mark_abandoned": [
        Row(
            "mark_abandoned (anna's dead session)",
            lambda repo, t: repo.mark_abandoned(),
            EVERYONE,
            lambda w, a, r, t: _eq(_status(w, t.id), "abandoned" if a in READ_OK else "running"),
            lambda w: (w.fresh(pid=dead_pid()),),
        )
    ],
    "reopen_session": [
        Row(
            "reopen_session(anna's abandoned session)",
            lambda repo, t: repo.reopen_session(t.id),
            WRITE,
            lambda w, a, r, t: _eq(_status(w, t.id), "running"),
            lambda w: (w.fresh("abandoned"),),
        )
    ],
    "close_session": [
        Row(
            "close_session(anna's abandoned session)",
            lambda repo, t: repo.close_session(t.id),
            WRITE,
            lambda w, a, r, t: _eq(_status(w, t.id), "finished"),
            lambda w: (w.fresh("abandoned"),),
        )
    ],
    "transcript": [
        Row(
            "transcript(s-anna)",
            lambda repo: repo.transcript("s-anna"),
            READ,
            lambda w, a, r: _eq(PRIVATE in (r.events[0].text or ""), True),
        )
    ],
    "session_info": [
        Row("session_info(s-anna)", lambda repo: repo.session_info("s-anna").id, READ, lambda w, a, r: _eq(r, "s-anna"))
    ],
    "sessions": [
        Row("sessions()", lambda repo: _session_ids(repo.sessions()), EVERYONE, lambda w, a, r: _eq(r, SEES[a])),
        Row(
            "sessions(trainee=anna)",
            lambda repo: _session_ids(repo.sessions(trainee="anna")),
            EVERYONE,
            lambda w, a, r: _eq(r, SEES[a] & {"s-anna"}),
        ),
        Row(
            "sessions(group=alpha-team)",
            lambda repo: _session_ids(repo.sessions(group="alpha-team")),
            EVERYONE,
            lambda w, a, r: _eq(r, SEES[a] & {"s-anna", "s-amy", "s-mia", "s-moe"}),
        ),
    ],
    "save_report": [
        Row(
            "save_report(s-anna)",
            lambda repo, report: repo.save_report(report),
            WRITE,
            lambda w, a, r, report: _eq(w.boss.report("s-anna"), report),
            lambda w: (grade(w.boss.transcript("s-anna")),),
        )
    ],
    "report": [
        Row("report(s-anna)", lambda repo: repo.report("s-anna"), READ, lambda w, a, r: _eq(r.transcript, "s-anna"))
    ],
    "marks": [
        Row(
            "marks(s-anna)",
            lambda repo: [m.id for m in repo.marks("s-anna")],
            READ,
            lambda w, a, r: _eq(r[0], w.mark_id),
        )
    ],
    "comments": [
        Row(
            "comments(s-anna)",
            lambda repo: [c.text for c, _ in repo.comments("s-anna")],
            READ,
            lambda w, a, r: _eq(r, [COMMENT]),
        )
    ],
    "review": [
        Row(
            "review(anna's mark)",
            lambda repo, mark_id: repo.review(mark_id, "agree"),
            REVIEW,
            lambda w, a, r, mark_id: _eq(_reviewers(w, mark_id)[-1], w.person_id(NAMES[a])),
            lambda w: (w.mark_id,),
        )
    ],
    "comment": [
        Row(
            "comment(s-anna)",
            lambda repo, text: repo.comment("s-anna", text),
            REVIEW,
            lambda w, a, r, text: _eq(text in [c.text for c, _ in w.boss.comments("s-anna")], True),
            lambda w: (w.unique("note"),),
        )
    ],
    "graded_sessions": [
        Row(
            "graded_sessions()",
            lambda repo: {g.id for g in repo.graded_sessions()},
            EVERYONE,
            lambda w, a, r: _eq(r, SEES[a]),
        ),
        Row(
            "graded_sessions(session_id=s-anna)",
            lambda repo: [g.id for g in repo.graded_sessions(session_id="s-anna")],
            READ,
            lambda w, a, r: _eq(r, ["s-anna"]),
        ),
    ],
    "mark_pushed": [
        Row(
            "mark_pushed(anna's grade)",
            lambda repo, pushed: repo.mark_pushed("https://lrs.example.org/xAPI/statements", [pushed]),
            READ,
            lambda w, a, r, pushed: _eq(
                [
                    g.pushed
                    for g in w.boss.graded_sessions(session_id="s-anna", lrs="https://lrs.example.org/xAPI/statements")
                ],
                [True],
            ),
            lambda w: (_anna_grade(w),),
        )
    ],
    "respond": [
        Row(
            "respond(anna's mark)",
            lambda repo, mark_id: repo.respond(mark_id, "acknowledge"),
            RESPOND,
            lambda w, a, r, mark_id: _eq(len(w.boss.marks("s-anna")[0].responses), 1),
            lambda w: (w.mark_id,),
        )
    ],
}


def _eq(actual: object, expected: object) -> None:
    assert actual == expected, f"got {actual!r}, expected {expected!r}"


def _anna_grade(world: World) -> Any:
    """Anna's latest grade as the LRS holds it, with a clean slate for each actor (pushed to no LRS yet)."""
    from transcripts.repository import PushedStatement

    with world.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM lrs_push")
    graded = world.boss.graded_sessions(session_id="s-anna")[0]
    return PushedStatement(graded.id, graded.grade_id, str(uuid.uuid4()))


def _visible_names(repo: Repository) -> set[str] | None:
    with repo.db() as db:
        ids = repo.visible_people(db)
    if ids is None:
        return None
    return {_name_of(repo, i) for i in ids}


def _name_of(repo: Repository, person_id: int) -> str:
    from transcripts.tables import PersonRow

    with DbSession(repo.engine) as db:
        person = db.get(PersonRow, person_id)
        assert person is not None
        return person.name


def _opened(repo: Repository) -> bool:
    with repo.db() as db:
        return isinstance(db, DbSession)


def _reviewers(world: World, mark_id: int) -> list[int]:
    stored = next(m for m in world.boss.marks("s-anna") if m.id == mark_id)
    return [r.reviewer_id for r in stored.reviews]


def public_api() -> set[str]:
    """Every public method, property and class method of Repository (and of any base class but object)."""
    found = set()
    for cls in Repository.__mro__[:-1]:
        for name, value in vars(cls).items():
            if not name.startswith("_") and isinstance(value, FunctionType | classmethod | staticmethod | property):
                found.add(name)
    return found


def test_every_public_repository_method_has_a_row_in_the_matrix():
    """A new method that reads or writes must say who may call it before it can ship."""
    api = public_api()
    missing, stale = sorted(api - set(MATRIX)), sorted(set(MATRIX) - api)
    assert not missing, f"add rows to MATRIX in {__file__} for: {', '.join(missing)}"
    assert not stale, f"MATRIX has rows for methods that are gone: {', '.join(stale)}"
    assert len(api) >= 25


PASSWORD = "correct horse battery staple"


def signed_in(world: World) -> dict[str, Repository | None]:
    """Every actor signed in with a password, as the served app does; None for one the store refuses. Signed in
    before any request, since a sign-in writes the audit log."""
    from transcripts.signin import SignInFailed, set_password, sign_in

    repos: dict[str, Repository | None] = {}
    for actor, name in NAMES.items():
        if actor != "stranger":
            set_password(world.boss, name, PASSWORD)
        try:
            repos[actor] = sign_in(world.engine, name, PASSWORD, delay=0)
        except SignInFailed:
            repos[actor] = None
    return repos


def _attempt(world: World, actor: str, row: Row, prepared: tuple, repos: dict | None) -> tuple[str, Any]:
    try:
        repo = Repository.acting_as(world.engine, NAMES[actor]) if repos is None else repos[actor]
        if repo is None:
            return DENIED, None
        return OK, row.call(repo, *prepared)
    except NotFound:
        return HIDDEN, None
    except AccessDenied:
        return DENIED, None


@pytest.mark.parametrize("way", ["as", "sign_in"])
@pytest.mark.parametrize("method", sorted(MATRIX))
@pytest.mark.slow
def test_the_access_matrix(world, method, way):
    """Acting as a person (``--as``, the terminal app) and signing in as them (the served app) give the same
    answers."""
    repos = signed_in(world) if way == "sign_in" else None
    problems = []
    for row in MATRIX[method]:
        for actor in ACTORS:
            prepared = row.prepare(world) if row.prepare else ()
            before = world.snapshot()
            got, result = _attempt(world, actor, row, prepared, repos)
            where = f"{row.label} as {actor} ({NAMES[actor]})"
            if got != row.expect[actor]:
                problems.append(f"{where}: {got}, expected {row.expect[actor]}")
            elif got != OK and world.snapshot() != before:
                problems.append(f"{where}: refused, but the database changed")
            elif got == OK and row.check is not None:
                try:
                    row.check(world, actor, result, *prepared)
                except AssertionError as exc:
                    problems.append(f"{where}: {exc}")
    assert not problems, "\n".join(problems)


def test_a_mentor_does_not_review_their_own_practice_or_a_fellow_mentors(world):
    mia = Repository.acting_as(world.engine, "mia")
    own = mia.marks("s-mia")[0].id
    with pytest.raises(AccessDenied):
        mia.review(own, "override", "I was right all along")
    with pytest.raises(NotFound):
        mia.transcript("s-moe")
    with pytest.raises(NotFound):
        mia.comment("s-moe", "nice")
    assert "s-moe" not in {s.id for s in mia.sessions(group="alpha-team")}


def test_only_the_store_reads_the_database_directly():
    """``Repository.db()`` and the engine skip every check: only the store's own modules may use them."""
    allowed = {
        "transcripts/repository.py",
        "transcripts/export.py",  # the names of the people on a session it has read through the repository
        "transcripts/progress.py",  # aggregates, scoped by Repository.visible_people
        "transcripts/calibration.py",  # aggregates of reviews, scoped by Repository.visible_people
        "transcripts/assignments.py",  # assignments and certificates, scoped by Repository.visible_people
        "transcripts/store.py",  # opens the engine
        "simulator/storage.py",  # opens the engine for a command
        "simulator/tui/app.py",  # switching identity: the same engine as another person
        "transcripts/signin.py",  # who someone is: people and credentials, read before anyone acts
    }
    raw = re.compile(r"\.db\(\)|\brepo\.engine\b|\bself\.engine\b|\bSession\(\s*(?:self\.)?engine\b|_engine\(")
    users = set()
    for path in [*ROOT.glob("simulator/**/*.py"), *ROOT.glob("transcripts/*.py"), *ROOT.glob("grading/**/*.py")]:
        if raw.search(path.read_text(encoding="utf-8")):
            users.add(path.relative_to(ROOT).as_posix())
    assert users <= allowed, users - allowed


# -- the same through the command line


@dataclass(frozen=True)
class Command:
    label: str
    args: Callable[[World, str, Path], list[str]]
    """``args(world, actor, tmp_path)``: the command line after ``--as NAME``."""
    expect: dict[str, str]
    hidden_from: Callable[[str], list[str]] = lambda actor: []
    """Text an allowed call must not print to this actor."""
    refused_only: bool = False
    """Run only where it is refused (an allowed run would need a terminal)."""


def _not_shown(*text: str, unless: set[str]) -> Callable[[str], list[str]]:
    return lambda actor: [] if actor in unless else list(text)


def _import_file(world: World, actor: str, tmp_path: Path) -> list[str]:
    path = tmp_path / f"{world.unique('imported')}.json"
    save_transcript(chat(path.stem, ("customer", "Hello?"), ("agent", "Hello, what happened?")), path)
    return ["import", str(path), "--trainee", "anna"]


COMMANDS = [
    Command("sessions", lambda w, a, p: ["sessions"], EVERYONE, _not_shown("s-anna", unless=READ_OK)),
    Command(
        "sessions --trainee anna",
        lambda w, a, p: ["sessions", "--trainee", "anna"],
        EVERYONE,
        _not_shown("s-anna", unless=READ_OK),
    ),
    Command(
        "sessions --group alpha-team",
        lambda w, a, p: ["sessions", "--group", "alpha-team"],
        EVERYONE,
        _not_shown("s-anna", unless=READ_OK),
    ),
    Command("review", lambda w, a, p: ["review", "s-anna", "1"], REVIEW),
    Command("comment", lambda w, a, p: ["comment", "s-anna", "Ask for the order number", "--seq", "2"], REVIEW),
    Command("respond", lambda w, a, p: ["respond", "s-anna", "1"], RESPOND),
    Command("close", lambda w, a, p: ["close", w.fresh("abandoned").id], WRITE),
    Command(
        "practice --resume", lambda w, a, p: ["practice", "--resume", w.fresh("abandoned").id], WRITE, refused_only=True
    ),
    *(
        Command(f"export --format {fmt}", lambda w, a, p, fmt=fmt: ["export", "s-anna", "--format", fmt], READ)
        for fmt in ("html", "md", "json", "csv")
    ),
    Command(
        "export --out",
        lambda w, a, p: ["export", "s-anna", "--format", "json", "--out", str(p / f"{a}.json")],
        READ,
    ),
    Command("progress", lambda w, a, p: ["progress"], EVERYONE, _not_shown("anna", unless=READ_OK)),
    Command(
        "progress --format json",
        lambda w, a, p: ["progress", "--format", "json"],
        EVERYONE,
        _not_shown("anna", unless=READ_OK),
    ),
    Command("progress --trainee anna", lambda w, a, p: ["progress", "--trainee", "anna"], READ),
    Command(
        "progress --group alpha-team",
        lambda w, a, p: ["progress", "--group", "alpha-team"],
        outcomes(ok={"mentor", *STAFF}, denied={"owner", "peer", "outsider", "other_mentor"}),
    ),
    Command("calibration", lambda w, a, p: ["calibration"], EVERYONE),
    Command(
        "calibration --group alpha-team",
        lambda w, a, p: ["calibration", "--group", "alpha-team", "--format", "json"],
        outcomes(ok={"mentor", *STAFF}, denied={"owner", "peer", "outsider", "other_mentor"}),
    ),
    Command("group add", lambda w, a, p: ["group", "add", w.unique("group")], STAFF_ONLY),
    Command(
        "group list",
        lambda w, a, p: ["group", "list"],
        EVERYONE,
        lambda actor: [] if actor in STAFF else [g for g in ("alpha-team", "beta-team") if g not in GROUPS[actor]],
    ),
    Command("group members", lambda w, a, p: ["group", "members", "alpha-team"], MEMBERS_OF_ALPHA),
    Command(
        "person add",
        lambda w, a, p: ["person", "add", w.unique("newcomer"), "--role", "trainee", "--group", "alpha-team"],
        STAFF_ONLY,
    ),
    Command("import --trainee anna", _import_file, WRITE),
    Command(
        "assign --group alpha-team",
        lambda w, a, p: ["assign", "home-internet-down", "--group", "alpha-team", "--due", "2099-01-15"],
        outcomes(ok={"mentor", *STAFF}, denied={"owner", "peer", "outsider", "other_mentor"}),
    ),
    Command(
        "assignments --group alpha-team",
        lambda w, a, p: ["assignments", "--group", "alpha-team", "--format", "csv"],
        outcomes(ok={"owner", "peer", "mentor", *STAFF}, denied={"outsider", "other_mentor"}),
        lambda actor: ["amy"] if actor == "owner" else ["anna"] if actor == "peer" else [],
    ),
    Command("xapi statement", lambda w, a, p: ["xapi", "statement", "s-anna"], READ),
    Command(
        "xapi push --dry-run",
        lambda w, a, p: ["xapi", "push", "--dry-run"],
        EVERYONE,
        _not_shown("s-anna", unless=READ_OK),
    ),
]


@pytest.fixture
def cli(world, database_url, monkeypatch) -> Callable[..., Any]:
    """``cli(actor, *args)``: the real command in this process, as ``--as NAME``, on the world's database."""
    monkeypatch.setenv("SPARRING_DATABASE_URL", database_url)
    monkeypatch.setenv("SPARRING_USER", "nobody-yet")  # --as must win over the environment
    runner = CliRunner()

    def run(actor: str, *args: str, stdin: str | None = None) -> Any:
        return runner.invoke(cli_app, ["--as", NAMES[actor], *args], input=stdin, catch_exceptions=True)

    return run


def assert_refused_in_one_line(result: Any, where: str) -> None:
    assert result.exit_code != 0, f"{where}: allowed\n{result.stdout}"
    assert result.exception is None or isinstance(result.exception, SystemExit), f"{where}: {result.exception!r}"
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"{where}: {lines}"
    assert "Traceback" not in result.stdout + result.stderr, where


@pytest.mark.parametrize("command", COMMANDS, ids=[c.label for c in COMMANDS])
@pytest.mark.slow
def test_the_command_line_asks_the_store_as_the_person(world, cli, command, tmp_path):
    problems = []
    for actor in ACTORS:
        expected = command.expect[actor]
        if command.refused_only and expected == OK:
            continue
        where = f"sparring --as {NAMES[actor]} {command.label}"
        result = cli(actor, *command.args(world, actor, tmp_path), stdin="/end\n")
        printed = result.stdout + result.stderr
        if expected == OK:
            if result.exit_code != 0:
                problems.append(f"{where}: exit {result.exit_code}: {printed.strip()[-300:]}")
            problems += [f"{where}: printed {text!r}" for text in command.hidden_from(actor) if text in printed]
            continue
        try:
            assert_refused_in_one_line(result, where)
        except AssertionError as exc:
            problems.append(str(exc))
        problems += [f"{where}: printed {text!r}" for text in (PRIVATE, COMMENT) if text in printed]
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_a_refusal_through_the_real_command_is_one_line(world, database_url):
    """The same as a user runs it (a subprocess): no traceback, nothing of anna's."""
    from tests.support import sparring

    env = {"SPARRING_DATABASE_URL": database_url}
    for args in (
        ["--as", "bob", "export", "s-anna"],
        ["--as", "max", "review", "s-anna", "1"],
        ["--as", "zed", "sessions"],
    ):
        result = sparring(*args, env=env)
        assert result.returncode != 0
        assert "Traceback" not in result.stderr and PRIVATE not in result.stdout + result.stderr
        assert len([line for line in result.stderr.splitlines() if line.strip()]) == 1, result.stderr


# -- the app's screens


SIZE = (120, 36)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def tui_world(tmp_path, monkeypatch) -> Iterator[World]:
    """The world on SQLite, and every Repository call recorded with who made it."""
    url = f"sqlite:///{tmp_path}/tui.db"
    monkeypatch.setenv("SPARRING_DATABASE_URL", url)
    built = build_world(url)
    yield built
    built.engine.dispose()


@pytest.fixture
def calls(monkeypatch) -> list[tuple[Repository, str]]:
    """Every public Repository method the app calls, with the repository it was called on."""
    made: list[tuple[Repository, str]] = []
    for name in public_api() - {"acting_as", "is_staff"}:
        original = getattr(Repository, name)

        def recorded(self: Repository, *args: Any, __original: Callable = original, __name: str = name, **kw: Any):
            made.append((self, __name))
            return __original(self, *args, **kw)

        monkeypatch.setattr(Repository, name, recorded)
    return made


def sparring_app(user: str, monkeypatch) -> Any:
    from simulator.settings import load_settings
    from simulator.tui.app import SparringApp

    monkeypatch.setenv("SPARRING_USER", user)
    return SparringApp(settings=load_settings(backend="scripted"))


def screen_text(screen: Any) -> str:
    """What the screen holds: every table cell, list and label, however far scrolled."""
    from textual.widgets import DataTable, OptionList, Static

    parts = []
    for table in screen.query(DataTable):
        parts += [str(cell) for row in range(table.row_count) for cell in table.get_row_at(row)]
    for options in screen.query(OptionList):
        parts += [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    for static in screen.query(Static):
        parts.append(str(static.render()))
    return "\n".join(parts)


@pytest.mark.anyio
async def test_a_mentor_of_another_group_sees_none_of_it(tui_world, calls, monkeypatch):
    from simulator.tui.mentor import MentorScreen

    app = sparring_app("max", monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(MentorScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, MentorScreen))
        await pilot.pause(0.2)
        screen = app.screen
        groups = screen.query_one("#groups")
        assert [str(groups.get_option_at_index(i).prompt) for i in range(groups.option_count)] == ["beta-team"]
        trainees = screen.query_one("#trainees")
        assert [str(trainees.get_row_at(i)[0]) for i in range(trainees.row_count)] == ["bob"]
        text = screen_text(screen)
        for other in ("alpha-team", "anna", "amy", "s-anna", "s-amy", PRIVATE):
            assert other not in text
    assert calls and {repo.actor.name for repo, _ in calls} == {"max"}


@pytest.mark.anyio
@pytest.mark.slow
async def test_a_trainee_opening_the_mentor_screen_sees_only_a_refusal(tui_world, calls, monkeypatch):
    from simulator.tui.mentor import MentorScreen

    app = sparring_app("bob", monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(MentorScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, MentorScreen))
        await pilot.pause(0.2)
        assert "anna" not in screen_text(app.screen) and "alpha-team" not in screen_text(app.screen)
        assert any(n.severity == "error" for n in app._notifications)  # bob mentors nobody
    assert {repo.actor.name for repo, _ in calls} == {"bob"}


@pytest.mark.anyio
@pytest.mark.slow
async def test_someone_elses_session_opens_as_a_refusal_on_every_screen(tui_world, calls, monkeypatch, tmp_path):
    """Review and report screens given anna's session id by someone who may not see it: a notification each,
    an empty screen, no export, and the app still running."""
    from simulator import paths
    from simulator.tui.mentor import ReviewScreen
    from simulator.tui.report import ReportScreen

    app = sparring_app("max", monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(ReviewScreen("s-anna"))
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
        await pilot.pause(0.1)
        await pilot.press("n", "g", "e")
        await pilot.pause(0.1)
        assert isinstance(app.screen, ReviewScreen)
        assert PRIVATE not in screen_text(app.screen) and not app.screen.query_one("#turns").children
        assert not (paths.data_dir() / "exports" / "s-anna.html").exists()

        app.use(app.switch_to("bob"))
        await app.push_screen(ReportScreen("s-anna"))
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
        await pilot.pause(0.1)
        await pilot.press("n", "k", "r")
        await pilot.pause(0.1)
        assert isinstance(app.screen, ReportScreen)
        assert PRIVATE not in screen_text(app.screen) and not app.screen.query_one("#turns").children
        assert sum(n.severity == "error" for n in app._notifications) >= 2
    assert {repo.actor.name for repo, _ in calls} <= {"max", "bob"}
    for repo, _ in calls:
        assert repo.actor.name in ("max", "bob")
    assert tui_world.boss.marks("s-anna")[0].reviews == [] and tui_world.boss.marks("s-anna")[0].responses == []


@pytest.mark.anyio
@pytest.mark.slow
async def test_a_mentor_cannot_resume_a_trainees_session_from_home(tui_world, calls, monkeypatch):
    """mia sees anna's abandoned session among the recent ones; taking it up is anna's alone: a notice, not a
    crash, and the session stays abandoned."""
    from textual.widgets import DataTable

    from simulator.tui.home import HomeScreen

    abandoned = tui_world.fresh("abandoned").id
    del calls[:]
    app = sparring_app("mia", monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        recent = app.screen.query_one("#recent", DataTable)
        assert abandoned in [str(recent.get_row_at(i)[0]) for i in range(recent.row_count)]
        recent.focus()
        recent.move_cursor(row=recent.get_row_index(abandoned))
        await pilot.press("c")
        await pilot.pause(0.2)
        assert isinstance(app.screen, HomeScreen)
        assert any(n.severity in ("error", "warning") for n in app._notifications)
    assert {repo.actor.name for repo, _ in calls} == {"mia"}
    assert _status(tui_world, abandoned) == "abandoned"


@pytest.mark.anyio
@pytest.mark.slow
async def test_switching_identity_switches_what_the_screens_ask_as(tui_world, calls, monkeypatch):
    from textual.widgets import DataTable

    from simulator.tui.home import HomeScreen
    from simulator.tui.screens import TextPrompt

    app = sparring_app("boss", monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        recent = app.screen.query_one("#recent", DataTable)
        assert "s-anna" in [str(recent.get_row_at(i)[0]) for i in range(recent.row_count)]
        for name, sees_anna in (("zed", True), ("bob", False)):  # zed is unknown: refused, boss stays
            await pilot.press("i")
            await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt))
            await pilot.press(*name, "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
            await pilot.pause(0.1)
            rows = [str(recent.get_row_at(i)[0]) for i in range(recent.row_count)]
            assert ("s-anna" in rows) is sees_anna, (name, rows)
        assert app.repo.actor.name == "bob"
        mark = len(calls)
        app.screen.refresh_recent()
    assert calls[mark:] and all(repo.actor.name == "bob" for repo, _ in calls[mark:])


def test_the_screens_open_the_store_only_through_the_app():
    """Screens call ``self.sparring.repo`` (the current person); only the app opens the store or switches who."""
    opening = re.compile(r"Repository\(|acting_as\(|open_repository\(|open_engine\(|create_engine\(|\.db\(\)")
    for path in sorted((ROOT / "simulator" / "tui").glob("*.py")):
        if path.name != "app.py":
            assert not opening.search(path.read_text(encoding="utf-8")), path.name


@pytest.mark.slow
def test_a_simulated_session_is_stored_as_the_person_running_it(world, cli, catalog):
    """What `simulate` writes belongs to whoever ran it, even a mentor, and only they and those above see it."""
    result = cli("mentor", "simulate", "-s", "home-internet-down", "--agent-bot", "good", "-b", "scripted", "-q")
    assert result.exit_code == 0, result.stderr
    session_id = Path(result.stdout.strip().splitlines()[-1]).stem.rsplit("-", 1)[-1]
    assert world.boss.session_info(session_id).person_id == world.person_id("mia")
    assert session_id not in {s.id for s in Repository.acting_as(world.engine, "moe").sessions()}
