"""Typing habits: shouting when upset, swapped letters, and fact values that always survive."""

from __future__ import annotations

import random

from simulator.catalog.models import Speech
from simulator.engine.style import styled

LINE = "My contract number is 77-4410 and the router still blinks orange."


def test_a_shouter_shouts_only_when_upset():
    speech = Speech(caps_when_upset=True)
    calm = styled(LINE, speech, patience=80, rng=random.Random(1))
    upset = styled(LINE, speech, patience=10, rng=random.Random(1))
    assert calm == LINE
    assert upset != LINE and any(w.isupper() and len(w) >= 4 for w in upset.split())
    assert upset.casefold() == LINE.casefold()


def test_an_existing_capital_word_is_enough():
    text = "I said it TWICE already."
    assert styled(text, Speech(caps_when_upset=True), patience=5, rng=random.Random(0)) == text


def test_typos_swap_letters_but_never_in_fact_values():
    speech = Speech(typos=0.3)
    results = {styled(LINE, speech, 50, random.Random(seed), keep=["77-4410", "blinks orange"]) for seed in range(30)}
    assert len(results) > 3, "typos happen"
    for text in results:
        assert "77-4410" in text and "blinks orange" in text
        assert sorted(text) == sorted(LINE), "letters are swapped, never lost"


def test_no_habits_no_change_and_same_seed_same_line():
    assert styled(LINE, Speech(), 5, random.Random(3)) == LINE
    speech = Speech(typos=0.2, caps_when_upset=True)
    assert styled(LINE, speech, 5, random.Random(9)) == styled(LINE, speech, 5, random.Random(9))
