"""The app served by ``sparring serve`` and used in headless chromium, as a person would: keys in, screen text out.

Each test starts its own server on the module's store; a screenshot of every step lands in
``test-artifacts/browser/<test>/`` (or under ``$SPARRING_TEST_ARTIFACTS``), with the server's log beside it.
The customer is the embedded llama.cpp model, as in the app.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import Terminal, artifacts_root, chromium_path, served, sparring

try:
    from playwright import sync_api
except ImportError:
    sync_api = None
CHROMIUM = chromium_path()
MISSING = "playwright is not installed" if sync_api is None else "no chromium on PATH" if CHROMIUM is None else None
if MISSING:
    if os.environ.get("CI"):
        raise RuntimeError(f"{MISSING}: CI must run the browser tests (bash scripts/test.sh installs both)")
    pytest.skip(f"{MISSING} (bash scripts/test.sh installs it)", allow_module_level=True)

pytestmark = [pytest.mark.llama, pytest.mark.timeout(120)]

VIEWPORT = {"width": 1280, "height": 800}
SCENARIO = "Stuck in a chatbot loop"  # the first row of the scenario list, so Enter on home starts it
OPENING_END = "Order ships today."  # the scenario's last authored opening line
MESSAGE = "Hi Alex, what is your order number?"
CUSTOMER_LINE = re.compile(r"^│ █ \S")  # a customer's bubble in the chat log: a bar at the left edge
PASSWORD_LINE = re.compile("(?i)password")
PASSWORDS = {"tom": "tom-secret-1", "mira": "mira-secret-2"}


def who(name: str, role: str) -> re.Pattern[str]:
    """The subtitle naming the acting person: "tom · trainee" today, "tom (trainee)" once sign-in lands."""
    return re.compile(rf"{name} (?:· {role}|\({role}\))")


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """One store for the module: group "team", mentored by mira, with tom training in it."""
    home = tmp_path_factory.mktemp("browser-store")
    for command in (
        ("group", "add", "team"),
        ("person", "add", "mira", "--role", "mentor", "--mentors", "team"),
        ("person", "add", "tom", "--group", "team"),
    ):
        done = sparring(home, *command)
        assert done.returncode == 0, done.stdout + done.stderr
    return home


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def artifacts(request) -> Path:
    folder = artifacts_root() / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def tab(browser, artifacts):
    """``tab(url, name)`` opens the app in a fresh browser context (its own connection, so its own app)."""
    contexts = []

    def open_tab(url: str, name: str = "tab") -> Terminal:
        context = browser.new_context(viewport=VIEWPORT)
        contexts.append(context)
        terminal = Terminal(context.new_page(), artifacts / name)
        terminal.open(url)
        return terminal

    yield open_tab
    for context in contexts:
        context.close()


def practise(term: Terminal) -> None:
    """From home: start a practice session, wait out the opening, send a message and see the customer answer it."""
    term.wait_for("Scenarios", SCENARIO, step="home")
    term.press("Enter")
    term.wait_for(OPENING_END, lambda screen: "is typing" not in screen, timeout=60, step="opening")
    term.type(MESSAGE)
    term.wait_for(MESSAGE, step="draft")
    term.press("Enter")

    def answered(screen: str) -> bool:
        lines = screen.splitlines()
        sent = [i for i, line in enumerate(lines) if MESSAGE in line and "Your reply" not in line]
        later = lines[sent[-1] + 1 :] if sent else []
        return any(CUSTOMER_LINE.match(line) for line in later) and "is typing" not in screen

    term.wait_for(answered, timeout=90, step="reply")


# Sign-in: `sparring person passwd NAME --password-stdin`, a "Sign in" screen (Name focused, Tab to Password,
# Enter), and `i` on home asking for a name and then a password.


def set_passwords(store: Path) -> None:
    for name, password in PASSWORDS.items():
        done = sparring(store, "person", "passwd", name, "--password-stdin", stdin=password + "\n")
        assert done.returncode == 0, done.stdout + done.stderr


def masked(password: str) -> str:
    """How a password field shows what was typed into it."""
    return "•" * len(password)


def sign_in(term: Terminal, name: str, password: str | None = None) -> None:
    password = PASSWORDS[name] if password is None else password
    term.wait_for("Sign in", step="sign-in")
    term.type(name)
    name_field = re.compile(rf"▊\s+{re.escape(name)}\s")
    term.wait_for(name_field)
    focused = term.field_colour(name_field)
    term.press("Tab")
    # Keys typed before Textual has moved the focus would still land in the name.
    term.wait_for(lambda _: term.field_colour(name_field) != focused)
    term.type(password)
    term.wait_for(masked(password), step="signing-in")
    term.press("Enter")


def test_a_trainee_signs_in_and_practises(store, artifacts, tab):
    set_passwords(store)
    with served(store, artifacts / "server.log") as url:
        term = tab(url)
        sign_in(term, "tom")
        term.wait_for("Scenarios", who("tom", "trainee"), step="home")
        practise(term)


def test_switching_to_the_mentor_needs_her_password(store, artifacts, tab):
    set_passwords(store)
    with served(store, artifacts / "server.log") as url:
        term = tab(url)
        sign_in(term, "tom")
        term.wait_for("Scenarios", who("tom", "trainee"), step="home")
        for attempt, password in (("wrong", "not-her-password"), ("missing", "")):
            term.press("i")
            term.wait_for(re.compile(r"(?i)act as|\bname\b"), step=f"{attempt}-name")
            term.type("mira")
            term.press("Enter")
            prompt = term.wait_for(PASSWORD_LINE, step=f"{attempt}-password")
            asked = {line.strip() for line in prompt.splitlines() if PASSWORD_LINE.search(line)}
            term.type(password)
            term.wait_for(masked(password))
            term.press("Enter")

            def refused(screen: str, asked: set[str] = asked) -> bool:
                """The prompt is gone and a notice about the password is up."""
                said = {line.strip() for line in screen.splitlines() if PASSWORD_LINE.search(line)}
                return bool(said) and not said & asked

            screen = term.wait_for(refused, who("tom", "trainee"), step=f"{attempt}-refused")
            assert not who("mira", "mentor").search(screen)
            # The next attempt must not mistake this notice for its password prompt.
            term.wait_for(lambda screen: not PASSWORD_LINE.search(screen), step=f"{attempt}-notice-gone")


def test_a_mentor_signs_in_in_her_own_browser_and_opens_the_mentor_screen(store, artifacts, tab):
    set_passwords(store)
    with served(store, artifacts / "server.log") as url:
        trainee = tab(url, "trainee")
        sign_in(trainee, "tom")
        trainee.wait_for("Scenarios", who("tom", "trainee"), step="home")
        mentor = tab(url, "mentor")
        sign_in(mentor, "mira")
        mentor.wait_for("Scenarios", who("mira", "mentor"), step="home")
        mentor.press("m")
        mentor.wait_for("Mentoring", "Groups", "Trainees", "team", "tom", step="mentor")
        trainee.wait_for(who("tom", "trainee"), step="still-tom")
