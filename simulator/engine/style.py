"""A persona's typing habits on a finished line: a shouted word when upset, the odd swapped letter."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable

from grading.cues import words
from simulator.catalog.models import Speech

UPSET_BELOW = 35
"""Patience under which a customer who shouts starts to."""
_TOKEN = re.compile(r"\w+")


def styled(text: str, speech: Speech, patience: int, rng: random.Random, keep: Iterable[str] = ()) -> str:
    """``keep``: text whose words stay exact (fact values must survive for the agent and the grader)."""
    protected = set(words(" ".join(keep)))
    candidates = [
        m
        for m in _TOKEN.finditer(text)
        if m.group().isalpha() and len(m.group()) >= 4 and m.group().casefold() not in protected
    ]
    chars = list(text)
    shouting = any(m.group().isupper() and len(m.group()) > 2 for m in _TOKEN.finditer(text))
    if speech.caps_when_upset and patience < UPSET_BELOW and candidates and not shouting:
        word = max(candidates, key=lambda m: len(m.group()))
        chars[word.start() : word.end()] = word.group().upper()
    for match in candidates:
        if rng.random() < speech.typos:
            i = rng.randrange(match.start() + 1, match.end() - 2)
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)
