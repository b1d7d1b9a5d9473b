"""The store on a real SQLite file and a real PostgreSQL: migrations, durability, and who sees what."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from grading import grade
from transcripts.format import Event, Transcript
from transcripts.repository import AccessDenied, NotFound, Refused, Repository
from transcripts.store import StoreError, _alembic, open_engine


def chat(session_id: str, *lines: tuple[str, str], scenario: str | None = None) -> Transcript:
    events = [Event(seq=i, t=float(i), role=role, type="message", text=text) for i, (role, text) in enumerate(lines, 1)]
    events.append(Event(seq=len(events) + 1, t=float(len(events) + 1), role="system", type="end", text="unfinished"))
    return Transcript(id=session_id, scenario=scenario, events=events)


ANGRY = chat(
    "s-ann",
    ("customer", "My order is 5 days late, this is RIDICULOUS!"),
    ("agent", "We apologize for any inconvenience."),
)


@pytest.fixture
def team(database_url):
    """boss (admin), two groups; ann trains in a (mentored by mia), bob in b (mentored by max)."""
    engine = open_engine(database_url)
    boss = Repository.acting_as(engine, "boss")
    for group in ("a", "b"):
        boss.add_group(group)
    boss.add_person("ann", "trainee", groups=["a"])
    boss.add_person("bob", "trainee", groups=["b"])
    boss.add_person("mia", "mentor", mentors=["a"])
    boss.add_person("max", "mentor", mentors=["b"])
    people = {name: Repository.acting_as(engine, name) for name in ("boss", "ann", "bob", "mia", "max")}
    people["ann"].store_transcript(ANGRY)
    people["ann"].save_report(grade(ANGRY))
    yield people
    engine.dispose()


def test_the_first_person_is_admin_and_strangers_are_refused(database_url):
    engine = open_engine(database_url)
    assert Repository.acting_as(engine, "first").actor.role == "admin"
    with pytest.raises(AccessDenied, match="stranger"):
        Repository.acting_as(engine, "stranger")
    engine.dispose()


def test_a_report_comes_back_as_it_was_graded(team):
    assert team["ann"].report("s-ann") == grade(ANGRY)
    assert team["ann"].transcript("s-ann") == ANGRY


def test_each_event_is_committed_as_it_happens(database_url):
    engine = open_engine(database_url)
    repo = Repository.acting_as(engine, "solo")
    live = Transcript(id="live", events=[])
    repo.start_session(live)
    repo.append_event("live", Event(seq=1, t=0.5, role="customer", type="message", text="hello?"))
    other = create_engine(database_url)  # another connection, as another process would see it
    with other.connect() as connection:
        rows = connection.execute(text("SELECT seq, text FROM event WHERE session_id = 'live'")).all()
    assert [tuple(r) for r in rows] == [(1, "hello?")]
    assert repo.session_info("live").status == "running"
    other.dispose()
    engine.dispose()


def test_trainees_see_only_their_own_sessions(team):
    assert [s.id for s in team["ann"].sessions()] == ["s-ann"]
    assert team["bob"].sessions() == []
    with pytest.raises(NotFound):
        team["bob"].transcript("s-ann")
    with pytest.raises(NotFound):
        team["bob"].report("s-ann")


def test_mentors_see_their_groups_and_nobody_else(team):
    assert [s.id for s in team["mia"].sessions()] == ["s-ann"]
    assert team["max"].sessions() == []
    with pytest.raises(NotFound):
        team["max"].marks("s-ann")
    with pytest.raises(AccessDenied):
        team["max"].members("a")
    assert [p.name for p, _ in team["mia"].members("a")] == ["ann", "mia"]


def test_cross_group_writes_are_refused(team):
    mark_id = team["mia"].marks("s-ann")[0].id
    with pytest.raises(NotFound):
        team["max"].review(mark_id, "agree")
    with pytest.raises(NotFound):
        team["max"].comment("s-ann", "nice")
    with pytest.raises(AccessDenied):
        team["ann"].review(mark_id, "agree")  # trainees do not review their own marks
    with pytest.raises(NotFound):
        team["bob"].respond(mark_id, "acknowledge")
    with pytest.raises(AccessDenied):
        team["mia"].respond(mark_id, "acknowledge")  # only the trainee answers for their session
    with pytest.raises(NotFound):
        team["bob"].append_event("s-ann", Event(seq=9, t=9, role="agent", type="message", text="hijack"))
    for trainee in ("ann", "mia"):
        with pytest.raises(AccessDenied):
            team[trainee].add_group("c")
        with pytest.raises(AccessDenied):
            team[trainee].add_person("eve", "admin")


def test_reviews_comments_and_responses(team):
    mark_id = team["mia"].marks("s-ann")[0].id
    team["mia"].review(mark_id, "override", "The customer had calmed down already.")
    team["mia"].comment("s-ann", "Ask for the order number first.", seq=2)
    team["ann"].respond(mark_id, "dispute", "I did apologise.")
    stored = team["boss"].marks("s-ann")[0]
    assert [(r.verdict, r.reason) for r in stored.reviews] == [("override", "The customer had calmed down already.")]
    assert [(r.response, r.reason) for r in stored.responses] == [("dispute", "I did apologise.")]
    assert [(c.text, c.seq, name) for c, name in team["ann"].comments("s-ann")] == [
        ("Ask for the order number first.", 2, "mia")
    ]
    with pytest.raises(Refused):
        team["mia"].review(mark_id, "override")  # an override needs a reason
    with pytest.raises(Refused):
        team["ann"].respond(mark_id, "dispute")


def test_staff_see_everything_and_filters_work(team):
    team["boss"].store_transcript(chat("s-bob", ("customer", "Hi"), ("agent", "Hello, what happened?")), trainee="bob")
    assert {s.id for s in team["boss"].sessions()} == {"s-ann", "s-bob"}
    assert [s.id for s in team["boss"].sessions(group="b")] == ["s-bob"]
    assert [s.id for s in team["boss"].sessions(trainee="ann")] == ["s-ann"]
    with pytest.raises(Refused):
        team["boss"].store_transcript(ANGRY, trainee="ann")  # the same session twice
    with pytest.raises(NotFound):
        team["ann"].store_transcript(chat("s-x", ("customer", "x")), trainee="bob")  # bob is invisible to ann
    with pytest.raises(AccessDenied):
        team["mia"].store_transcript(chat("s-y", ("customer", "y")), trainee="ann")  # mentors do not file for them


def test_a_newer_database_is_refused(database_url):
    open_engine(database_url).dispose()
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StoreError, match="newer Sparring"):
        open_engine(database_url)


def test_migrations_upgrade_an_older_database_and_keep_its_data(database_url):
    engine = create_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(_alembic(connection), "0001")
        connection.execute(text("INSERT INTO person (name, role, created_at) VALUES ('old', 'admin', '2025-01-01')"))
    engine.dispose()
    upgraded = open_engine(database_url)
    with upgraded.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0006"
        names = {
            row[0]
            for row in connection.execute(
                text(
                    "SELECT indexname FROM pg_indexes"
                    if upgraded.dialect.name == "postgresql"
                    else "SELECT name FROM sqlite_master WHERE type = 'index'"
                )
            )
        }
    assert {"ix_grade_session_latest", "ix_mark_grade_kind", "ix_audit_at", "ix_assignment_group_due"} <= names
    assert Repository.acting_as(upgraded, "old").actor.role == "admin"
    upgraded.dispose()


def test_an_unreachable_database_is_one_clear_error():
    with pytest.raises(StoreError, match=r"postgresql\+psycopg://sparring:\*\*\*@127.0.0.1:1/x: cannot open"):
        open_engine("postgresql+psycopg://sparring:secret@127.0.0.1:1/x")
