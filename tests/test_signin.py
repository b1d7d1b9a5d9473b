"""Sign-in: argon2 password hashes, lock-out, one-time invitation codes, looking as someone else read-only, the
audit log, the sign-in screen and identity switches in the app, and no password, hash or code in any output.
The access matrix itself runs over sign-in too (tests/test_access.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from tests.support import assert_one_line_error, sparring, wait_for
from tests.test_access import SIZE, anyio_backend, sparring_app  # noqa: F401 (a fixture)
from transcripts.repository import AccessDenied, Repository
from transcripts.signin import (
    LOCK_AFTER,
    SignInFailed,
    anyone_can_sign_in,
    audit_log,
    has_password,
    invite,
    redeem,
    set_password,
    sign_in,
    view_as,
)
from transcripts.store import open_engine
from transcripts.tables import CredentialRow, InvitationRow

PASSWORD = "Tr0mbone-SECRET-pw"
OTHER = "Other-SECRET-pw-2"


@pytest.fixture
def team(database_url):
    engine = open_engine(database_url)
    boss = Repository.acting_as(engine, "boss")  # the first person: the admin
    boss.add_group("alpha")
    boss.add_person("anna", "trainee", groups=["alpha"])
    boss.add_person("mia", "mentor", mentors=["alpha"])
    yield engine, boss
    engine.dispose()


def everything_stored(engine) -> str:
    with engine.connect() as connection:
        tables = (
            [r[0] for r in connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))]
            if (engine.dialect.name == "sqlite")
            else [r[0] for r in connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))]
        )
        return "\n".join(str(row) for table in tables for row in connection.execute(text(f'SELECT * FROM "{table}"')))


def test_a_password_is_kept_only_as_an_argon2_hash(team):
    engine, boss = team
    assert not has_password(engine, "anna") and not anyone_can_sign_in(engine)
    set_password(boss, "anna", PASSWORD)
    with Session(engine) as db:
        stored = db.get(CredentialRow, boss.person("anna").id)
    assert stored is not None and stored.hash.startswith("$argon2id$")
    assert "SECRET" not in everything_stored(engine)
    assert sign_in(engine, "anna", PASSWORD, delay=0).actor.name == "anna"
    with pytest.raises(SignInFailed, match="Wrong name or password"):
        sign_in(engine, "anna", OTHER, delay=0)
    with pytest.raises(SignInFailed, match="Wrong name or password"):  # an unknown name gets the same answer
        sign_in(engine, "nobody", PASSWORD, delay=0)
    with pytest.raises(AccessDenied):
        set_password(boss, "anna", "short")


def test_only_an_admin_sets_someone_elses_password(team):
    engine, boss = team
    set_password(boss, "mia", PASSWORD)
    mia = sign_in(engine, "mia", PASSWORD, delay=0)
    with pytest.raises(AccessDenied):
        set_password(mia, "anna", OTHER)
    set_password(mia, "mia", OTHER)  # her own
    assert sign_in(engine, "mia", OTHER, delay=0).actor.name == "mia"


def test_five_failures_lock_the_name_for_a_while(team):
    engine, boss = team
    set_password(boss, "anna", PASSWORD)
    for _ in range(LOCK_AFTER):
        with pytest.raises(SignInFailed):
            sign_in(engine, "anna", OTHER, delay=0)
    with pytest.raises(SignInFailed) as locked:
        sign_in(engine, "anna", PASSWORD, delay=0)  # even the right password
    with pytest.raises(SignInFailed) as unknown:
        sign_in(engine, "nobody-at-all", PASSWORD, delay=0)
    assert str(locked.value) == str(unknown.value)  # a locked name tells no more than a name nobody has
    with engine.begin() as connection:  # the lock runs out
        connection.execute(text("UPDATE credential SET locked_until = '2000-01-01 00:00:00'"))
    assert sign_in(engine, "anna", PASSWORD, delay=0).actor.name == "anna"
    actions = [e.action for e in audit_log(boss)]
    assert actions.count("sign_in_failed") == LOCK_AFTER + 1  # anna five times, then the unknown name
    assert "locked" in actions and "sign_in_locked" in actions


def test_a_failed_sign_in_is_slowed_down(team):
    import time

    engine, boss = team
    set_password(boss, "anna", PASSWORD)
    started = time.monotonic()
    with pytest.raises(SignInFailed):
        sign_in(engine, "anna", OTHER, delay=0.3)
    assert time.monotonic() - started >= 0.3


def test_an_invitation_works_once_for_its_person_and_expires(team):
    engine, boss = team
    code = invite(boss, "anna")
    assert anyone_can_sign_in(engine) and code not in everything_stored(engine)
    with pytest.raises(SignInFailed):
        redeem(engine, "mia", code, PASSWORD, delay=0)  # not hers
    assert redeem(engine, "anna", code, PASSWORD, delay=0).actor.name == "anna"
    with pytest.raises(SignInFailed, match="wrong, already used or expired"):
        redeem(engine, "anna", code, OTHER, delay=0)
    assert sign_in(engine, "anna", PASSWORD, delay=0).actor.name == "anna"
    late = invite(boss, "mia", timedelta(days=1))
    with engine.begin() as connection:
        connection.execute(text("UPDATE invitation SET expires_at = '2000-01-01 00:00:00' WHERE used_at IS NULL"))
    with pytest.raises(SignInFailed):
        redeem(engine, "mia", late, PASSWORD, delay=0)
    with pytest.raises(AccessDenied):
        invite(Repository.acting_as(engine, "mia"), "anna")  # admins only
    with Session(engine) as db:
        assert all(len(row.code_sha256) == 64 for row in db.exec(select(InvitationRow)))


def test_staff_look_as_someone_only_to_view_and_it_is_recorded(team):
    engine, boss = team
    boss.store_transcript(_chat(), trainee="anna")
    looking = view_as(boss, "anna")
    assert looking.actor.name == "anna" and looking.viewer is not None and looking.viewer.name == "boss"
    assert [s.id for s in looking.sessions()] == ["s-1"]
    with pytest.raises(AccessDenied, match="nothing can be changed"):
        looking.close_session("s-1")
    with pytest.raises(AccessDenied):
        view_as(Repository.acting_as(engine, "mia"), "anna")  # a mentor is not staff
    assert ("boss", "view_as", "anna") in [(e.actor, e.action, e.subject) for e in audit_log(boss)]
    with pytest.raises(AccessDenied):
        audit_log(Repository.acting_as(engine, "mia"))


def _chat():
    from transcripts.format import Event, Transcript

    events = [Event(seq=1, t=0.0, role="customer", type="message", text="Hi")]
    return Transcript(id="s-1", language="en", events=events, meta={"timing": "missing"})


@pytest.mark.slow
def test_the_commands_never_show_a_secret(tmp_path):
    url = f"sqlite:///{tmp_path}/store.db"
    env = {"SPARRING_DATABASE_URL": url, "SPARRING_USER": "boss"}
    assert sparring("group", "add", "alpha", env=env).returncode == 0
    assert sparring("person", "add", "anna", "--group", "alpha", env=env).returncode == 0
    outputs = []
    for args, stdin in [
        (("person", "passwd", "anna", "--password-stdin"), PASSWORD + "\n"),
        (("person", "passwd", "anna", "--password-stdin"), "short\n"),
    ]:
        result = _run(args, env, stdin)
        outputs.append(result.stdout + result.stderr)
    assert "Password set for anna" in outputs[0] and "at least 8 characters" in outputs[1]
    invited = _run(("person", "invite", "anna"), env, "")
    code = invited.stdout.strip().splitlines()[-1]
    redeemed = _run(("person", "redeem", "anna", "--password-stdin"), env, f"{code}\n{OTHER}\n")
    assert redeemed.returncode == 0, redeemed.stderr
    again = _run(("person", "redeem", "anna", "--password-stdin"), env, f"{code}\n{OTHER}\n")
    assert_one_line_error(again, 1, "invitation code")
    audit = sparring("audit", "--format", "json", env=env)
    assert audit.returncode == 0 and '"invitation_redeemed"' in audit.stdout
    denied = sparring("audit", env={**env, "SPARRING_USER": "anna"})
    assert_one_line_error(denied, 1, "only admins")
    everything = "\n".join([*outputs, redeemed.stdout, redeemed.stderr, again.stderr, audit.stdout])
    assert "SECRET" not in everything and code not in everything
    assert "SECRET" not in everything_stored(open_engine(url)) and code not in everything_stored(open_engine(url))


def _run(args, env, stdin):
    import os
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "simulator.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


@pytest.mark.slow
def test_serving_off_this_machine_needs_someone_who_can_sign_in(tmp_path):
    from simulator.tui.serve import child_command, loopback

    assert loopback("127.0.0.1") and loopback("localhost") and loopback("::1")
    assert not loopback("0.0.0.0") and not loopback("192.168.1.20") and not loopback("example.org")
    assert child_command({}).endswith("-m simulator.cli --sign-in")
    env = {"SPARRING_DATABASE_URL": f"sqlite:///{tmp_path}/store.db", "SPARRING_USER": "boss"}
    refused = sparring("serve", "--host", "0.0.0.0", "--port", "8765", env=env)
    assert_one_line_error(refused, 1, "nobody can sign in yet")


# -- the app


@pytest.mark.anyio
@pytest.mark.slow
async def test_the_app_opens_on_sign_in_and_a_wrong_password_gets_nowhere(team, monkeypatch, database_url):
    from textual.widgets import Input, Static

    from simulator.tui.home import HomeScreen
    from simulator.tui.signin import SignInScreen

    engine, boss = team
    set_password(boss, "anna", PASSWORD)
    monkeypatch.setenv("SPARRING_DATABASE_URL", database_url)
    monkeypatch.setenv("SPARRING_REQUIRE_SIGN_IN", "1")
    monkeypatch.setattr("transcripts.signin.FAILURE_DELAY", 0.0)
    app = sparring_app("boss", monkeypatch)  # the login name counts for nothing now
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        assert not hasattr(app, "repo")
        await pilot.click("#name")
        await pilot.press(*"anna", "tab", *OTHER, "enter")
        await wait_for(pilot, lambda: "Wrong name or password" in str(app.screen.query_one("#error", Static).render()))
        assert isinstance(app.screen, SignInScreen) and app.screen.query_one("#password", Input).value == ""
        await pilot.press(*PASSWORD, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        assert app.repo.actor.name == "anna" and app.sub_title.startswith("anna")


@pytest.mark.anyio
@pytest.mark.slow
async def test_switching_identity_asks_for_the_password_and_staff_only_look(team, monkeypatch, database_url):
    from simulator.tui.home import HomeScreen

    engine, boss = team
    set_password(boss, "mia", PASSWORD)
    monkeypatch.setenv("SPARRING_DATABASE_URL", database_url)
    monkeypatch.setattr("transcripts.signin.FAILURE_DELAY", 0.0)
    app = sparring_app("anna", monkeypatch)  # no sign-in required, but mia has a password
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        await pilot.press("i", *"mia", "enter")
        await pilot.pause(0.2)
        await pilot.press(*OTHER, "enter")
        await wait_for(pilot, lambda: any("Wrong name or password" in str(n.message) for n in app._notifications))
        assert app.repo.actor.name == "anna"
        await pilot.press("i", *"mia", "enter")
        await pilot.pause(0.2)
        await pilot.press("enter")  # no password: a trainee may not look as anyone
        await pilot.pause(0.3)
        assert app.repo.actor.name == "anna"
        await pilot.press("i", *"mia", "enter")
        await pilot.pause(0.2)
        await pilot.press(*PASSWORD, "enter")
        await wait_for(pilot, lambda: app.repo.actor.name == "mia")
    staff = sparring_app("boss", monkeypatch)
    async with staff.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(staff.screen, HomeScreen))
        await pilot.press("i", *"mia", "enter")
        await pilot.pause(0.2)
        await pilot.press("enter")  # staff, no password: only look
        await wait_for(pilot, lambda: staff.repo.actor.name == "mia")
        assert staff.repo.viewer is not None and "read-only" in staff.sub_title
    log = [(e.actor, e.action, e.subject) for e in audit_log(boss)]
    assert ("anna", "switch_failed", "mia") in log and ("anna", "switch", "mia") in log
    assert ("boss", "view_as", "mia") in log
