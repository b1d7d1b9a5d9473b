"""The shipped catalogue and the cross-file checks that a single model cannot see."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.catalog import Intent, Temperament, load_catalog
from simulator.paths import shipped_catalog

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_personas_cover_the_temperaments_in_both_languages(catalog):
    temperaments = {doc.model.temperament for doc in catalog.personas.values()}
    assert {Temperament.angry, Temperament.confused, Temperament.sarcastic} <= temperaments
    for doc in catalog.personas.values():
        for lang in ("en", "ru"):
            assert doc.model.name.get(lang), (doc.model.id, lang)
            for intent in Intent:
                assert doc.model.lines[intent][lang], (doc.model.id, intent, lang)


def test_shipped_scenarios_are_half_english_half_russian(catalog):
    languages = [doc.model.language for doc in catalog.scenarios.values()]
    assert len(languages) >= 8
    assert languages.count("en") >= 4 and languages.count("ru") >= 4


def test_every_scenario_needs_questions_and_has_a_way_out(catalog):
    for doc in catalog.scenarios.values():
        scenario = doc.model
        required = [f for f in scenario.facts.hidden if f.required]
        assert required, f"{scenario.id}: nothing to find out"
        assert all(f.question for f in required), scenario.id
        assert scenario.traps, f"{scenario.id}: no trap"


def test_shipped_files_are_where_the_loader_looks():
    assert shipped_catalog() == ROOT
    assert (shipped_catalog() / "personas" / "angry.yaml").is_file()


def write_case(tmp_path: Path, replace: dict[str, str]) -> Path:
    text = (ROOT / "scenarios" / "home-internet-down.yaml").read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "scenarios" / "case.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("replace", "field", "problem"),
    [
        (
            {
                'question: "Could you give me your contract number so I can look at your line?"': (
                    'question: "Who are you?"'
                )
            },
            "facts.hidden[0].question",
            "no ask phrase matches",
        ),
        (
            {"example: \"I've booked a technician": "example: \"Please restart the router. I've booked a technician"},
            "resolutions[0].example",
            "falls into trap 'restart-again'",
        ),
        (
            {
                'example: "There is a fault on your line;': 'example: "Something is wrong;',
                'match: ["line fault", "fault on the line", "repair ticket"]': 'match: ["line fault"]',
            },
            "resolutions[1].example",
            "no match phrase",
        ),
        (
            {'      ask: ["contract", "account number", "account id"]\n': ""},
            "facts.hidden[0].ask",
            "required fact needs ask phrases",
        ),
        ({"persona: angry": "persona: grumpy"}, "persona", "unknown persona 'grumpy'"),
        (
            {"- id: technician": "- id: technician\n    requires: [pin-code]"},
            "resolutions[0].requires[0]",
            "unknown fact 'pin-code'",
        ),
    ],
)
def test_contradictions_name_the_field(tmp_path, replace, field, problem):
    path = write_case(tmp_path, {"id: home-internet-down": "id: case", **replace})
    loaded = load_catalog([shipped_catalog() / "personas", path])
    messages = [str(p) for p in loaded.problems]
    assert any(m.startswith(f"{path}:") and f": {field}: " in m and problem in m for m in messages), messages
