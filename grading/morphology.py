"""Word forms and domain synonyms: what makes «лицевого счёта» and «лицевой счёт», or "modem" and "router",
the same words to the analyzer.

Stems come from the Snowball stemmers (``snowballstemmer``). One algorithm family covers English and
Russian, it is small and fast, and it stems words no dictionary knows (typos, slang, product names), which
trainees' chats are full of. A dictionary lemmatizer (pymorphy3) would be more exact for Russian but
needs a second tool for English, and it still splits verb aspects («поднимет»/«поднялся») that the
synonym lexicon has to join anyway. Irregular forms and real synonyms are data:
``lexicon/synonyms-<lang>.yaml``, extended by a scenario's ``synonyms:``.

A word becomes a set of keys: its stem, plus ``#concept`` for every lexicon concept it belongs to. Two
words mean the same thing when their keys meet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import snowballstemmer
import yaml

_WORD = re.compile(r"[\w']+(?:-[\w']+)*")
_STEMMERS = {"en": "english", "ru": "russian"}
PREFIX = 6
"""A lexicon stem at least this long also covers longer stems it starts («перезагруз» → «перезагрузк»)."""

Keys = frozenset[str]


def tokens(text: str) -> list[str]:
    """Lower-case words, ё as е; hyphenated words split ("power-cycle"), numbers with hyphens kept whole."""
    text = text.casefold().replace("ё", "е").replace("’", "'")
    out: list[str] = []
    for word in _WORD.findall(text):
        word = word.strip("'")
        if not word:
            continue
        if "-" in word and not any(c.isdigit() for c in word):
            out.extend(p for p in word.split("-") if p)
        else:
            out.append(word)
    return out


@cache
def _stemmer(language: str) -> snowballstemmer.Stemmer:
    return snowballstemmer.stemmer(_STEMMERS.get(language, "english"))


_RU_PAST = re.compile(r"^[а-я]{2,}(?:[аеиоуыя]л[ао]?|[бгзкс]л[ао])(?:сь)?$")
_RU_PAST_PLURAL = re.compile(r"^[а-я]{2,}(?:[аеиоуыя]|[бгзкс])ли(?:сь)?$")


def ru_past(word: str, plural: bool = False) -> bool:
    """A Russian past-tense verb by its ending: «проверил», «пропустила», «поторопилась», «перенесла»; with
    ``plural``, «отправили» too. A noun ending the same way («канал») passes: callers look only where verbs are
    likely."""
    return bool(_RU_PAST.match(word) or (plural and _RU_PAST_PLURAL.match(word)))


ROOT = 5


def root(word: str) -> str:
    """A coarse key, the first ``ROOT`` letters: it joins what the Snowball stem keeps apart, verb aspects and
    alternations («перезагружал», «перезагрузите») and "authorized" / "authorize", at the price of some false
    friends. For telling whether two words are about the same deed or detail, not for reading meaning."""
    return word[:ROOT]


@lru_cache(maxsize=65536)
def stem(word: str, language: str) -> str:
    if any(c.isdigit() for c in word) or len(word) <= 2:
        return word
    # A Latin word in a Russian message (wifi, sms) is stemmed as English, and the other way round.
    cyrillic = any("\u0400" <= c <= "\u04ff" for c in word)
    return str(_stemmer("ru" if cyrillic else "en").stemWord(word))


@cache
def _load(language: str) -> dict[str, list[str]]:
    """The shipped lexicon (read once; callers copy before they add to it)."""
    path = Path(__file__).parent / "lexicon" / f"synonyms-{language}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(name): [str(p) for p in phrases] for name, phrases in data.items()}


@dataclass(frozen=True)
class Vocabulary:
    """Concepts of one language (the shipped lexicon, optionally extended by a scenario)."""

    language: str
    single: Mapping[str, frozenset[str]]
    """Stem -> concepts, for one-word lexicon entries."""
    multi: Mapping[str, tuple[tuple[tuple[str, ...], str], ...]]
    """First stem -> (stems of a several-word entry, its concept)."""

    def keys(self, words: Sequence[str]) -> list[Keys]:
        """Each word's keys: its stem and the concepts it is part of, here."""
        stems = [stem(w, self.language) for w in words]
        found: list[set[str]] = [{s} for s in stems]
        for i, s in enumerate(stems):
            found[i] |= self.concepts(s)
            for entry, concept in self.multi.get(s, ()):
                for k in _in_order(stems, i, entry):
                    found[k].add(concept)
        return [frozenset(f) for f in found]

    def concepts(self, s: str) -> frozenset[str]:
        """The concepts of the one-word entries this stem is, or begins with (at least ``PREFIX`` letters)."""
        hit = self.single.get(s, frozenset())
        for size in range(PREFIX, len(s)):
            more = self.single.get(s[:size])
            if more:
                hit = hit | more
        return hit

    def extended(self, synonyms: Mapping[str, Iterable[str]]) -> Vocabulary:
        """This vocabulary with a scenario's own ``synonyms:`` added (a known concept name extends it)."""
        if not synonyms:
            return self
        return _build(self.language, _merge(_load(self.language), synonyms))


GAP = 2
"""Words that may come between the words of a several-word entry: "switch the router off", «вернуть вам деньги»."""


def _in_order(stems: Sequence[str], start: int, entry: Sequence[str]) -> list[int]:
    """Where the entry's words follow each other from ``start``, each at most ``GAP`` words after the last;
    empty when they do not."""
    at = [start]
    for wanted in entry[1:]:
        nxt = next((j for j in range(at[-1] + 1, min(len(stems), at[-1] + 2 + GAP)) if _same(stems[j], wanted)), None)
        if nxt is None:
            return []
        at.append(nxt)
    return at


def _same(message_stem: str, lexicon_stem: str) -> bool:
    return message_stem == lexicon_stem or (len(lexicon_stem) >= PREFIX and message_stem.startswith(lexicon_stem))


def _merge(base: dict[str, list[str]], more: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    merged = {name: list(phrases) for name, phrases in base.items()}
    for name, phrases in more.items():
        merged.setdefault(name, []).extend(phrases)
    return merged


def _build(language: str, concepts: Mapping[str, Iterable[str]]) -> Vocabulary:
    single: dict[str, set[str]] = {}
    multi: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for name, phrases in concepts.items():
        concept = "#" + name
        for phrase in phrases:
            stems = tuple(stem(w, language) for w in tokens(phrase))
            if len(stems) == 1:
                single.setdefault(stems[0], set()).add(concept)
            elif stems:
                multi.setdefault(stems[0], []).append((stems, concept))
    return Vocabulary(
        language,
        {s: frozenset(c) for s, c in single.items()},
        {s: tuple(entries) for s, entries in multi.items()},
    )


@cache
def vocabulary(language: str) -> Vocabulary:
    return _build(language, _load(language))
