"""Replies an agent sent nearly verbatim to different customers, and which of a team's macros a reply is.

MinHash over word shingles in an LSH index (datasketch), so finding a reply's near-duplicates costs a few
dictionary look-ups, not a pass over every reply. Whatever an agent pastes into a macro (a URL, an email,
an order code, a name or product written with a capital mid-sentence, a ``{slot}`` of the macro itself)
reads as one placeholder, so the same macro sent to Anna about order 4471-B and to Boris about 9912-C
shingles the same.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Hashable, Iterable
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from grading.cues import lexicon

if TYPE_CHECKING:
    from datasketch import MinHash

SHINGLE = 3
SEED = 1
PASTED = "\x00"
"""What any pasted-in value reads as; no word can be it."""

_TOKEN = re.compile(
    r"(https?://\S+|www\.\S+"  # a URL
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # an email
    r"|\{\{?[^{}\n]*\}\}?|\[[^\[\]\n]*\]"  # a macro's slot: {name}, {{order}}, [product]
    r"|#?[\w-]*\d[\w-]*(?:[.,:/]\d[\w-]*)*)"  # anything with a digit: an order code, a date, a price
    r"|(\w+)"  # a word
    r"|[.!?\n]"  # the end of a sentence
)


@cache
def _greetings() -> frozenset[str]:
    return lexicon("en").openers | lexicon("ru").openers


def _words(text: str) -> list[str]:
    """Casefolded words, each pasted-in value (a run of them: "Galaxy S21") as one ``PASTED``. A word with a
    capital that is not all capitals (Anna, iPhone, but not OK or I) counts as pasted only mid-sentence,
    where a name is the likely reason for it. The greeting before a macro ("Добрый день!", "Hi Anna,") is left
    out: the same macro goes out under any of them."""
    out: list[str] = []
    sentence_start = True
    for pasted, word in _TOKEN.findall(text):
        if not pasted and not word:
            sentence_start = True
            continue
        if word and (sentence_start or word.islower() or word.isupper()):
            out.append(word.casefold())
        elif not out or out[-1] != PASTED:
            out.append(PASTED)
        sentence_start = False
    start = 0
    while start < len(out) and (out[start] in _greetings() or out[start] == PASTED):
        start += 1
    return out[start:]


def shingles(text: str) -> set[str]:
    """Word 3-grams of the normalised text; its words themselves if it has fewer than three."""
    return _grams(_words(text))


def _grams(found: list[str]) -> set[str]:
    if len(found) < SHINGLE:
        return set(found)
    return {" ".join(found[i : i + SHINGLE]) for i in range(len(found) - SHINGLE + 1)}


class ReplyIndex:
    """Agent replies indexed by MinHash LSH; each remembers its owner (the conversation it went to).

    Two replies are near-duplicates when their estimated Jaccard similarity reaches ``threshold``; the LSH
    only proposes candidates, since its banding alone lets through a few pairs far below it and replies
    sharing a stock opening are many. Results come in a fixed order: most similar first, then as added.
    """

    def __init__(self, threshold: float = 0.7, num_perm: int = 128, min_words: int = 6):
        from datasketch import MinHash, MinHashLSH  # here, not at import: it loads scipy, a third of a second

        self.threshold = threshold
        self.min_words = min_words
        # Keyed by row number. Weighted against missing pairs: every candidate is checked against the
        # threshold anyway, so a spurious one costs a comparison, a missed one a repeat not found.
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=(0.2, 0.8))
        # crc32, not the default SHA-1: as fixed across runs, 5x faster, and as accurate on the bench's replies.
        # One blank to copy, since making a MinHash draws its permutations afresh.
        self._blank = MinHash(num_perm=num_perm, seed=SEED, hashfunc=zlib.crc32)
        self._rows: dict[Hashable, int] = {}
        self._keys: list[Hashable] = []
        self._minhashes: list[MinHash] = []
        self._owners: list[int] = []
        self._owner_numbers: dict[Hashable, int] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def _signature(self, text: str) -> MinHash | None:
        """None for a reply too short to be a macro ("Thanks!", "Hi Anna"): a repeated greeting is not one."""
        found = _words(text)
        if len(found) < self.min_words:
            return None
        minhash = self._blank.copy()
        minhash.update_batch([s.encode() for s in _grams(found)])
        return minhash

    def add(self, key: Hashable, owner: Hashable, text: str) -> None:
        """Index a reply under a unique key; a short one is left out."""
        if key in self._rows:
            raise ValueError(f"reply {key!r} is already indexed")
        minhash = self._signature(text)
        if minhash is None:
            return
        row = len(self._keys)
        self._lsh.insert(row, minhash, check_duplication=False)
        self._rows[key] = row
        self._keys.append(key)
        self._minhashes.append(minhash)
        self._owners.append(self._owner_numbers.setdefault(owner, len(self._owner_numbers)))

    def repeated(self) -> dict[Hashable, list[Hashable]]:
        """For each indexed reply that has any: the replies to other owners it nearly duplicates."""
        if not self._keys:
            return {}
        owners = np.array(self._owners)
        keys = np.fromiter(self._keys, dtype=object, count=len(self._keys))
        everything = np.stack([m.hashvalues for m in self._minhashes])
        # A macro pasted unchanged shingles the same every time: look its neighbours up once.
        near: dict[bytes, np.ndarray] = {}
        found = {}
        for row, minhash in enumerate(self._minhashes):
            signature = minhash.hashvalues.tobytes()
            nearby = near.get(signature)
            if nearby is None:
                nearby = near[signature] = self._near(minhash, everything)
            others = nearby[owners[nearby] != owners[row]]
            if others.size:
                found[self._keys[row]] = keys[others].tolist()
        return found

    def _near(self, minhash: MinHash, everything: np.ndarray) -> np.ndarray:
        """Rows whose similarity to ``minhash`` reaches the threshold, most similar first, then as added
        (``everything``: all rows' hash values, stacked)."""
        rows = np.fromiter(self._lsh.query(minhash), dtype=np.intp)
        if not rows.size:
            return rows
        candidates = everything[rows]
        # MinHash.jaccard with every candidate at once: the share of hash values the two agree on.
        similarity = (candidates == minhash.hashvalues).mean(axis=1)
        kept = similarity >= self.threshold
        rows, similarity = rows[kept], similarity[kept]
        ordered: np.ndarray = rows[np.lexsort((rows, -similarity))]
        return ordered


class MacroLibrary:
    """A team's macros by name. A macro shorter than ``min_words`` is left out: a reply that short is never
    matched anyway.

    A reply is a macro when it holds most of the macro's shingles and adds little of its own: what an agent
    pastes in ("Здравствуйте, Дарья!", a course's title in quotes) adds shingles, so similarity alone would
    miss it. A library is hundreds of macros, so each is compared directly."""

    def __init__(self, macros: Iterable[tuple[str, str]], threshold: float = 0.7, min_words: int = 6):
        self.threshold = threshold
        self._macros = [(name, shingles(text)) for name, text in macros if len(_words(text)) >= min_words]

    def match(self, reply: str) -> str | None:
        """The name of the macro this reply is (the closest, if several), or None."""
        mine = shingles(reply)
        best, score = None, 0.0
        for name, macro in self._macros:
            shared = len(mine & macro)
            held, added = shared / len(macro), (len(mine) - shared) / max(1, len(mine))
            if held >= self.threshold and added <= 1 - self.threshold and held > score:
                best, score = name, held
        return best
