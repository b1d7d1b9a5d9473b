""" "Practise next": deterministic, explained by the weakest skill, in the trainee's language, and never a
scenario passed three times; on the home screen with `n` to start it."""

from __future__ import annotations

from collections import Counter

import pytest

from simulator.next_scenario import ENOUGH, suggest
from tests.support import wait_for
from tests.test_access import SIZE, anyio_backend, sparring_app  # noqa: F401 (a fixture)
from tests.test_progress import day, play
from transcripts.progress import progress
from transcripts.report import SKILLS
from transcripts.repository import Repository
from transcripts.store import open_engine


def graded(tmp_path, skills: dict[str, int], score: int = 75, sessions: int = 3):
    """A trainee with ``sessions`` graded sessions of these skill scores, and their progress."""
    engine = open_engine(f"sqlite:///{tmp_path}/db.sqlite")
    admin = Repository.acting_as(engine, "admin")
    admin.add_group("A")
    admin.add_person("kim", "trainee", groups=["A"])
    for i in range(sessions):
        play(engine, "kim", f"kim-{i}", day(i), "billing", skills, score)
    return engine, progress(admin, trainee="kim").trainees[0]


def test_a_first_timer_starts_with_the_easiest_case_in_their_language(catalog):
    for language in ("en", "ru"):
        first = suggest(catalog, None, Counter(), language)
        assert first is not None
        chosen = catalog.scenario(first.scenario)
        assert chosen.language == language
        assert chosen.difficulty == min(
            d.model.difficulty for d in catalog.scenarios.values() if d.model.language == language
        )
        assert first.reason.startswith("Start with the easiest case")


def test_the_weakest_skill_picks_the_case_and_names_itself(tmp_path, catalog):
    engine, kim = graded(tmp_path, {**dict.fromkeys(SKILLS, 80), "asking": 52})
    first = suggest(catalog, kim, Counter(), "en")
    assert first is not None and first.reason.startswith("Your asking skill is developing (52); this case has ")
    assert "facts to find" in first.reason
    chosen = catalog.scenario(first.scenario)
    most = max(len(d.model.facts.hidden) for d in catalog.scenarios.values() if d.model.language == "en")
    assert chosen.language == "en" and len(chosen.facts.hidden) == most
    assert suggest(catalog, kim, Counter(), "en") == first  # deterministic
    engine.dispose()
    engine, kim = graded(tmp_path / "b", {**dict.fromkeys(SKILLS, 80), "empathy": 30})
    calm = suggest(catalog, kim, Counter(), "en")
    assert calm is not None and calm.reason.startswith("Your empathy skill is novice (30); this customer is ")
    engine.dispose()


def test_a_case_passed_three_times_is_never_offered(tmp_path, catalog):
    engine, kim = graded(tmp_path, {**dict.fromkeys(SKILLS, 80), "asking": 52})
    passes: Counter[str] = Counter()
    offered = []
    while (next_up := suggest(catalog, kim, passes, "en")) is not None:
        offered.append(next_up.scenario)
        assert passes[next_up.scenario] < ENOUGH
        passes[next_up.scenario] += 1
    english = {sid for sid, d in catalog.scenarios.items() if d.model.language == "en"}
    russian = {sid for sid, d in catalog.scenarios.items() if d.model.language == "ru"}
    # every English case three times, then the Russian ones rather than nothing
    assert Counter(offered[: 3 * len(english)]) == Counter({sid: ENOUGH for sid in english})
    assert set(offered[3 * len(english) :]) == russian
    engine.dispose()


@pytest.mark.anyio
async def test_home_shows_what_to_practise_next_and_n_starts_it(tmp_path, monkeypatch):
    from textual.widgets import Static

    from simulator.tui.practice import PracticeScreen

    url = f"sqlite:///{tmp_path}/db.sqlite"
    monkeypatch.setenv("SPARRING_DATABASE_URL", url)
    engine, _ = graded(tmp_path, {**dict.fromkeys(SKILLS, 80), "listening": 45})
    engine.dispose()
    app = sparring_app("kim", monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            lambda: (
                app.screen.query("#next") and "Practise next" in str(app.screen.query_one("#next", Static).render())
            ),
        )
        line = str(app.screen.query_one("#next", Static).render())
        assert "Your listening skill is developing (45)" in line
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen))


def test_assigned_work_comes_first_an_overdue_one_before_all(tmp_path, catalog):
    from datetime import date

    from simulator.next_scenario import Open

    engine, kim = graded(tmp_path, {**dict.fromkeys(SKILLS, 80), "asking": 52})
    assigned = [
        Open("7", "chatbot-loop", date(2099, 1, 15), overdue=False),
        Open("3", "home-internet-down", date(2000, 1, 1), overdue=True),
    ]
    first = suggest(catalog, kim, Counter(), "en", assigned)
    assert first is not None and (first.scenario, first.assignment) == ("home-internet-down", "3")
    assert first.reason == "Assigned to you and overdue since 2000-01-01"
    later = suggest(catalog, kim, Counter(), "en", assigned[:1])
    assert later is not None and later.reason == "Assigned to you, due 2099-01-15" and later.assignment == "7"
    engine.dispose()
