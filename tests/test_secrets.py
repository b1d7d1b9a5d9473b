"""API keys and database passwords are never written: not to the database, transcripts, exports, config or
anything printed, on the happy path or on an error. Each test sets distinctive secrets, runs what a team runs
(sessions on the openai backend against a real local server, grading with the judge, exports in every format,
progress, help, failures), then searches everything written for them.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from simulator.cli import app as cli_app
from tests.openai_server import MODEL, OpenAIServer
from tests.support import fast_catalog

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "sk-SECRET-sparring-key-7d1e9c"
OPENAI_KEY = "sk-SECRET-openai-key-44b0"
URL_PASSWORD = "urlpw-SECRET-0c7e"
"""In user:password@ of the model server's URL."""
DB_PASSWORD = "dbpw-SECRET-a9f3"
LRS_PASSWORD = "lrspw-SECRET-3b8d"
LRS_TOKEN = "lrstoken-SECRET-c41e"
MARKER = "SECRET"
"""In every secret: finding it anywhere means some part of one leaked."""
JUDGE = json.dumps({"fault": True, "seq": 2, "evidence": "restart again"})


def free_port() -> int:
    """A port nobody listens on (a refused connection)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def with_userinfo(url: str, password: str) -> str:
    return url.replace("://", f"://sparring:{password}@", 1)


@dataclass
class Team:
    """A team's set-up with secrets everywhere a person might put them, and everything it printed."""

    tmp: Path
    env: dict[str, str]
    database_url: str
    """As given, without the password (to read the database back)."""
    server: OpenAIServer
    printed: list[str] = field(default_factory=list)

    def sparring(
        self, *args: str, stdin: str | None = None, ok: bool = True, **env: str
    ) -> subprocess.CompletedProcess:
        """The real command in a subprocess, as a user runs it."""
        result = subprocess.run(
            [sys.executable, "-m", "simulator.cli", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env={**os.environ, **self.env, **env},
            cwd=ROOT,
            timeout=300,
        )
        self.printed.append(f"$ sparring {' '.join(args)}\n{result.stdout}\n{result.stderr}")
        if ok:
            assert result.returncode == 0, result.stderr
        return result

    def invoke(self, *args: str, ok: bool = True, **env: str) -> Any:
        """The same command in this process (faster, for the many small ones)."""
        result = CliRunner().invoke(cli_app, list(args), env={**self.env, **env}, catch_exceptions=False)
        self.printed.append(f"$ sparring {' '.join(args)}\n{result.stdout}\n{result.stderr}")
        if ok:
            assert result.exit_code == 0, result.stderr
        return result

    def everything_written(self) -> dict[str, bytes]:
        """Every file under the test's folder (the SQLite file and its WAL, transcripts, exports, config), all
        that was printed, and every table of the database as text."""
        found = {str(p): p.read_bytes() for p in self.tmp.rglob("*") if p.is_file()}
        found["printed"] = "\n".join(self.printed).encode("utf-8")
        found["database"] = dump_database(self.database_url).encode("utf-8")
        return found


def dump_database(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
            assert {"session", "event", "grade", "mark", "person"} <= set(tables)
            return "\n".join(
                f"{table}: {row!r}" for table in tables for row in connection.execute(text(f'SELECT * FROM "{table}"'))
            )
    finally:
        engine.dispose()


def assert_nowhere(written: dict[str, bytes], *secrets: str) -> None:
    leaks = [f"{where}: {secret!r}" for where, data in written.items() for secret in secrets if secret.encode() in data]
    assert not leaks, "\n".join(leaks)


@pytest.fixture
def team(database_url, openai_server, tmp_path, monkeypatch) -> Iterator[Team]:
    """boss (admin), trainee ann and her mentor mia in group night-shift; the openai backend with a key in both
    variables and a password in the server URL; PostgreSQL with a password in its URL."""
    monkeypatch.setenv("SPARRING_USER", "nobody-yet")  # --as sets it in this process; restored after the test
    store_url = database_url
    if database_url.startswith("postgresql"):
        store_url = make_url(database_url).set(password=DB_PASSWORD).render_as_string(hide_password=False)
    env = {
        "SPARRING_HOME": str(tmp_path / "home"),
        "SPARRING_DATABASE_URL": store_url,
        "SPARRING_BACKEND": "openai",
        "SPARRING_MODEL": MODEL,
        "SPARRING_BASE_URL": openai_server.url,
        "SPARRING_API_KEY": API_KEY,
        "OPENAI_API_KEY": OPENAI_KEY,
        "SPARRING_MAX_RETRIES": "0",
        "SPARRING_TIMEOUT": "5",
    }
    team = Team(tmp_path, env, database_url, openai_server)
    team.invoke("--as", "boss", "group", "add", "night-shift")
    team.invoke("--as", "boss", "person", "add", "ann", "--role", "trainee", "--group", "night-shift")
    team.invoke("--as", "boss", "person", "add", "mia", "--role", "mentor", "--mentors", "night-shift")
    yield team


def stored_sessions(team: Team) -> list[dict[str, Any]]:
    engine = create_engine(team.database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, backend, options FROM session")).mappings().all()
            return [
                {**row, "options": json.loads(row["options"]) if isinstance(row["options"], str) else row["options"]}
                for row in rows
            ]
    finally:
        engine.dispose()


@pytest.mark.slow
def test_nothing_a_team_does_writes_a_secret(team: Team, tmp_path):
    server = team.server
    # Sessions on the openai backend: simulated, practised in the terminal, one refused by the server (its URL with
    # a password), one whose server is down.
    team.sparring(
        "--as", "ann", "simulate", "-s", "home-internet-down", "--agent-bot", "good", "-o", str(tmp_path / "a.json")
    )
    team.sparring(
        "--as", "ann", "practice", "-s", "fast-case", "--catalog", str(fast_catalog(tmp_path)),
        stdin="Hi Dana, I'm so sorry, three days is awful.\n/end\n",
    )  # fmt: skip
    server.fail(*[401] * 60)
    with_password = with_userinfo(server.url, URL_PASSWORD)
    team.sparring(
        "--as", "ann", "simulate", "-s", "home-internet-down", "--agent-bot", "hasty", SPARRING_BASE_URL=with_password
    )
    server.faults.clear()
    down = with_userinfo(f"http://127.0.0.1:{free_port()}/v1", URL_PASSWORD)
    team.sparring("--as", "ann", "simulate", "-s", "home-internet-down", SPARRING_BASE_URL=down)

    assert f"Bearer {API_KEY}" in {r.headers.get("authorization") for r in server.requests}  # the key was used
    stored = stored_sessions(team)
    assert len(stored) == 4 and {s["backend"] for s in stored} == {"openai"}
    assert {s["options"]["base_url"] for s in stored} >= {server.url}
    written = dump_database(team.database_url)
    assert "HTTP 401" in written and "cannot reach the model server" in written  # the errors were recorded

    # Grading with the judge on the same server, exports of every session in every format, progress, help.
    server.reply(*[JUDGE] * 8)
    team.sparring("grade", str(tmp_path / "a.json"), "--judge", "--format", "json")
    server.fail(*[401] * 8)
    team.sparring("grade", str(tmp_path / "a.json"), "--judge")
    server.faults.clear()
    for session in stored:
        for fmt in ("html", "md", "json", "csv"):
            team.invoke("--as", "mia", "export", session["id"], "--format", fmt)
            team.invoke(
                "--as", "ann", "export", session["id"], "--format", fmt, "-o", str(tmp_path / f"{session['id']}.{fmt}")
            )
    for fmt in ("table", "csv", "json"):
        team.invoke("--as", "mia", "progress", "--group", "night-shift", "--format", fmt)
        team.invoke("--as", "ann", "progress", "--format", fmt)
    team.invoke("--as", "boss", "sessions")
    team.invoke("--as", "boss", "group", "list")
    team.invoke("--as", "mia", "review", stored[0]["id"], "1", "--override", "--reason", "fine")
    for args in (["--help"], ["simulate", "--help"], ["practice", "--help"], ["export", "--help"], ["list"]):
        team.invoke(*args)

    # Refusals by the store.
    team.invoke("--as", "ann", "review", stored[0]["id"], "1", ok=False)
    team.invoke("--as", "stranger", "sessions", ok=False)

    assert_nowhere(team.everything_written(), API_KEY, OPENAI_KEY, URL_PASSWORD, DB_PASSWORD, MARKER)


BAD_DATABASE_URLS = {
    "refused": "postgresql+psycopg://sparring:{pw}@127.0.0.1:{port}/sparring",
    "password in the query": "postgresql+psycopg://sparring@127.0.0.1:{port}/sparring?password={pw}",
    "an unescaped @ in the password": "postgresql+psycopg://sparring:at@{pw}@127.0.0.1:{port}/sparring",
    "a bad port": "postgresql+psycopg://sparring:{pw}@127.0.0.1:port{port}/sparring",
    "an unknown driver": "postgresql+nosuchdriver://sparring:{pw}@127.0.0.1:{port}/sparring",
    "no driver installed": "mysql://sparring:{pw}@127.0.0.1:{port}/sparring",
    "sslpassword": "postgresql+psycopg://sparring@127.0.0.1:{port}/sparring?sslpassword={pw}&sslmode=disable",
}


@pytest.mark.parametrize("url", BAD_DATABASE_URLS.values(), ids=BAD_DATABASE_URLS.keys())
def test_a_database_that_cannot_be_used_is_one_line_without_its_password(url, tmp_path, monkeypatch):
    monkeypatch.setenv("SPARRING_USER", "boss")
    env = {"SPARRING_DATABASE_URL": url.format(pw=DB_PASSWORD, port=free_port())}
    runner = CliRunner()
    for args in (["sessions"], ["simulate", "-s", "home-internet-down", "-b", "scripted", "-q"], []):  # [] is the app
        result = runner.invoke(cli_app, args, env=env, catch_exceptions=False)
        assert result.exit_code == 1, result.stdout + result.stderr
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "database" in lines[0], lines
        assert MARKER not in result.stdout + result.stderr, lines[0]
    assert_nowhere({str(p): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}, MARKER)


@pytest.mark.postgres
def test_a_database_the_server_refuses_is_one_line_without_its_password(postgres_server, monkeypatch):
    missing = make_url(postgres_server).set(password=DB_PASSWORD, database="no_such_database")
    monkeypatch.setenv("SPARRING_USER", "boss")
    env = {"SPARRING_DATABASE_URL": missing.render_as_string(hide_password=False)}
    result = CliRunner().invoke(cli_app, ["sessions"], env=env, catch_exceptions=False)
    assert result.exit_code == 1 and "no_such_database" in result.stderr
    assert MARKER not in result.stdout + result.stderr


@pytest.mark.slow
def test_a_model_server_url_with_a_key_in_its_query_is_refused_without_repeating_it(tmp_path, openai_server):
    """The client would append its paths after the query, and the server's 404 would echo the key into every
    error line and transcript; one line says what to do instead."""
    env = {
        "SPARRING_HOME": str(tmp_path / "home"),
        "SPARRING_BACKEND": "openai",
        "SPARRING_MODEL": MODEL,
        "SPARRING_BASE_URL": f"{openai_server.url}?api_key={API_KEY}",
    }
    team = Team(tmp_path, env, f"sqlite:///{tmp_path}/home/data/sparring.db", openai_server)
    for args in (["simulate", "-s", "home-internet-down"], ["list"], ["sessions"]):
        result = team.sparring(*args, ok=False)
        assert result.returncode == 2, result.stderr
        assert [line for line in result.stderr.splitlines() if line.strip()] == [
            "error: SPARRING_BASE_URL: Value error, must not have a query string or #fragment: "
            "put an API key in SPARRING_API_KEY"
        ]
    assert not openai_server.requests
    assert_nowhere(
        {str(p): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
        | {"printed": "".join(team.printed).encode()},
        API_KEY,
    )


def test_the_backend_records_its_server_without_credentials():
    """What every stored session and turn records as its provenance ("options")."""
    from simulator.llm.openai_backend import OpenAIBackend

    for url in (
        f"https://user:{URL_PASSWORD}@llm.example.org:8443/v1",
        f"https://llm.example.org/v1?api_key={API_KEY}",
        f"https://llm.example.org/v1?key={API_KEY}#{URL_PASSWORD}",
    ):
        options = OpenAIBackend(base_url=url, model="m", api_key=API_KEY).options()
        assert options["base_url"].startswith("https://llm.example.org") and MARKER not in json.dumps(options)


def test_settings_never_show_their_secrets(monkeypatch):
    """A repr in a log line or a traceback's locals shows no key, no database password, no URL password."""
    from simulator.settings import load_settings

    monkeypatch.setenv("SPARRING_API_KEY", API_KEY)
    monkeypatch.setenv("SPARRING_DATABASE_URL", f"postgresql+psycopg://sparring:{DB_PASSWORD}@db.example.org/sparring")
    monkeypatch.setenv("SPARRING_BASE_URL", with_userinfo("https://llm.example.org/v1", URL_PASSWORD))
    monkeypatch.setenv("SPARRING_LRS_URL", "https://lrs.example.org/xAPI")
    monkeypatch.setenv("SPARRING_LRS_USERNAME", "lrs-user-SECRET")
    monkeypatch.setenv("SPARRING_LRS_PASSWORD", LRS_PASSWORD)
    monkeypatch.setenv("SPARRING_LRS_TOKEN", LRS_TOKEN)
    settings = load_settings()
    assert settings.api_key is not None and settings.api_key.get_secret_value() == API_KEY
    assert settings.lrs_password is not None and settings.lrs_password.get_secret_value() == LRS_PASSWORD
    assert settings.lrs_token is not None and settings.lrs_token.get_secret_value() == LRS_TOKEN
    assert MARKER not in repr(settings) + str(settings)


def test_lrs_credentials_come_from_the_environment_only(tmp_path):
    """Left in config.toml by hand, they are ignored rather than used (and so never copied anywhere from there)."""
    from simulator import paths
    from simulator.settings import load_settings

    config = paths.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        f'lrs_url = "https://lrs.example.org/xAPI"\nlrs_username = "u"\nlrs_password = "{LRS_PASSWORD}"\n'
        f'lrs_token = "{LRS_TOKEN}"\n',
        encoding="utf-8",
    )
    settings = load_settings()
    assert settings.lrs_url == "https://lrs.example.org/xAPI"
    assert (settings.lrs_username, settings.lrs_password, settings.lrs_token) == (None, None, None)


@pytest.mark.slow
def test_a_push_to_a_learning_record_store_writes_no_credential(team: Team, ralph, tmp_path):
    """Right and wrong passwords, a token, an LRS that is down, a dry run and one statement: the LRS's
    credentials appear nowhere, not in the store's record of what was sent, nor in anything printed."""
    from tests.lrs_server import PASSWORD as RALPH_PASSWORD
    from tests.lrs_server import USERNAME as RALPH_USER

    team.sparring(
        "--as", "ann", "simulate", "-s", "home-internet-down", "--agent-bot", "good", "-b", "scripted", "-q"
    )  # fmt: skip
    lrs = {"SPARRING_LRS_URL": ralph.url, "SPARRING_LRS_USERNAME": RALPH_USER}
    assert (
        "refused the credentials"
        in team.invoke("--as", "boss", "xapi", "push", ok=False, SPARRING_LRS_PASSWORD=LRS_PASSWORD, **lrs).stderr
    )
    assert (
        "refused the credentials"
        in team.sparring("--as", "boss", "xapi", "push", ok=False, SPARRING_LRS_TOKEN=LRS_TOKEN, **lrs).stderr
    )
    down = {**lrs, "SPARRING_LRS_URL": f"http://127.0.0.1:{free_port()}/xAPI"}
    assert (
        "cannot reach"
        in team.invoke("--as", "boss", "xapi", "push", ok=False, SPARRING_LRS_PASSWORD=LRS_PASSWORD, **down).stderr
    )
    team.invoke("--as", "boss", "xapi", "push", "--dry-run", SPARRING_LRS_PASSWORD=LRS_PASSWORD, **lrs)
    team.invoke("--as", "mia", "xapi", "push", "--format", "json", SPARRING_LRS_PASSWORD=RALPH_PASSWORD, **lrs)
    session = stored_sessions(team)[0]["id"]
    team.invoke("--as", "ann", "xapi", "statement", session, SPARRING_LRS_PASSWORD=LRS_PASSWORD, **lrs)
    team.invoke("--as", "ann", "xapi", "push", "--help")
    assert len(ralph.statements()) == 1  # mia sent ann's one session
    written = team.everything_written()
    written.pop(next(k for k in written if k.endswith("auth.json")))  # the LRS's own (hashed) credentials file
    assert_nowhere(written, LRS_PASSWORD, LRS_TOKEN, RALPH_PASSWORD, API_KEY, DB_PASSWORD, MARKER)


# -- the app


SIZE = (120, 36)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def _save_settings(monkeypatch, base_url: str) -> tuple[str, str]:
    """Open the settings screen with secrets in the environment, save, and return (screen text, config.toml)."""
    from simulator import paths
    from simulator.tui.app import SparringApp
    from simulator.tui.settings import SettingsScreen

    monkeypatch.setenv("SPARRING_USER", "boss")
    monkeypatch.setenv("SPARRING_BACKEND", "openai")
    monkeypatch.setenv("SPARRING_MODEL", MODEL)
    monkeypatch.setenv("SPARRING_BASE_URL", base_url)
    monkeypatch.setenv("SPARRING_API_KEY", API_KEY)
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    monkeypatch.setenv("SPARRING_LRS_URL", "https://lrs.example.org/xAPI")
    monkeypatch.setenv("SPARRING_LRS_PASSWORD", LRS_PASSWORD)
    monkeypatch.setenv("SPARRING_LRS_TOKEN", LRS_TOKEN)
    app = SparringApp()
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(SettingsScreen())
        await pilot.pause(0.2)
        shown = app.export_screenshot()
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        shown += app.export_screenshot()
    return shown, paths.config_file().read_text(encoding="utf-8")


@pytest.mark.anyio
@pytest.mark.slow
async def test_the_settings_screen_saves_no_key(monkeypatch):
    shown, saved = await _save_settings(monkeypatch, "http://127.0.0.1:8080/v1")
    assert 'backend = "openai"' in saved and 'base_url = "http://127.0.0.1:8080/v1"' in saved
    for secret in (API_KEY, OPENAI_KEY, LRS_PASSWORD, LRS_TOKEN):
        assert secret not in saved and secret not in shown


@pytest.mark.anyio
@pytest.mark.slow
async def test_the_settings_screen_does_not_copy_a_url_password_to_disk(monkeypatch):
    _, saved = await _save_settings(monkeypatch, with_userinfo("http://127.0.0.1:8080/v1", URL_PASSWORD))
    assert URL_PASSWORD not in saved
