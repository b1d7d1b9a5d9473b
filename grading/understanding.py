"""How the customer understands one agent message: the facts it asks for, the fix it offers or carries out,
the wrong advice it gives, the facts it states, and whether it asks anything at all, each with its evidence.

The director, the grader and the live coach all read a message through ``understand`` (via
``cues.analyze``), so the customer's reaction, the report and the coach agree. It needs no model. The
evidence is the scenario's own text (ask and match phrases, fact labels, values and questions, resolution
examples), compared word by word through stems, the synonym lexicon (``morphology``) and a one-letter
typo allowance against the scenario's own words:

- a phrase matches a sentence when each of its words meets a word of the sentence;
- a question no phrase places goes to the fact whose label, ask phrases and question share the most
  distinctive words with it;
- a statement or an offer no phrase places goes to the resolution whose example shares the most
  distinctive words with it, when it commits to something ("I've…", "will", «оформил»);
- when several targets claim the same words, the closer match wins (the same stem beats a synonym);
- negated mentions ("no need to restart"), narration ("I can see you already restarted it") and
  questions about what the customer did ("Have you restarted it?") are never advice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

from grading.cues import LINKS, QUOTED, Lexicon, expand, is_question, lexicon, sentences, words
from grading.morphology import Keys, Vocabulary, ru_past, stem, tokens, vocabulary

if TYPE_CHECKING:
    from simulator.catalog.models import Scenario

PLACED = 1.0
"""Evidence a question needs to be placed on a fact without a phrase: one label or ask word that only this
fact has, or two words of its question."""
RESOLVED = 2.0
"""Evidence a committing statement needs to count as a resolution without a phrase."""
NEGATION_REACH = 4
"""How many words after a negation it still applies to ("I won't make you restart it")."""
FRAGMENT = 4
"""A sentence this short right after a question continues it ("Street, house, flat.")."""
WEIGHTS = {"phrase": 1.0, "question": 0.5, "value": 0.5, "example": 1.0}
"""How much each kind of scenario text counts as evidence: a fact's question also says why it is asked, and
its value is what the customer would answer ("is the wave icon green?")."""
MARGIN = 0.1 / 10
"""How much better the best-fitting fact must fit than the next, in ``Found.quality`` units (score / 10)."""
TYPED = 1.5
"""A question word that says what kind of answer is wanted ("where", «когда») weighs more than a topic word."""
CLOSE, SYNONYM = 1.0, 0.8
"""Quality of a word match: the same stem or a typo of it, or a synonym from the lexicon."""


@dataclass(frozen=True)
class Found:
    """One decision and its evidence."""

    id: str
    words: tuple[str, ...]
    """The message's words that matched."""
    why: str
    """What they matched: "phrase 'contract'", "label and question", "example", "value"."""
    quality: float = CLOSE


@dataclass(frozen=True)
class Understanding:
    question: bool = False
    """The message asks something (a question or a request for information)."""
    asks: tuple[Found, ...] = ()
    """Known facts (volunteered or hidden) the message asks for."""
    checks: tuple[Found, ...] = ()
    """Of ``asks``, those asked in the same sentence as a step ("unplug it, then tell me whether the light
    changes"): the step may change them, so asking after one the customer already gave is no fault."""
    unknown: tuple[Found, ...] = ()
    """Facts the customer does not know that the message asks for."""
    resolutions: tuple[Found, ...] = ()
    traps: tuple[Found, ...] = ()
    states: tuple[Found, ...] = ()
    """Facts whose value the message states: the agent knows them."""
    unplaced: tuple[str, ...] = ()
    """Questions that seek something the scenario does not say."""
    guess: Found | None = None
    """For an unplaced question, the hidden fact it comes nearest to (for "My contract number, you mean?")."""

    def ids(self, what: str) -> list[str]:
        return [f.id for f in getattr(self, what)]


@dataclass(frozen=True)
class _Word:
    word: str
    stem: str
    keys: Keys
    generic: bool
    literal: bool = False
    """Matches only itself, word for word (in a phrase of function words only)."""


@dataclass(frozen=True)
class _Phrase:
    text: str
    words: tuple[_Word, ...]
    """The words that must be in the sentence (chosen once, when the scenario is compiled)."""


@dataclass(frozen=True)
class _Target:
    id: str
    phrases: tuple[_Phrase, ...]
    bag: dict[str, float]
    """Key -> how strongly the scenario's text about this target says it (phrase words 1, question words 0.5)."""


@dataclass(frozen=True)
class _Value:
    id: str
    parts: tuple[tuple[str, ...], ...]
    """Stems of each part of the value with two or more meaningful words ("доставку до двери")."""
    digits: tuple[str, ...]


@dataclass
class _Sentence:
    text: str
    words: list[str]
    keys: list[Keys]
    question: bool
    offer: bool
    request: bool
    narrates: bool
    """Reports what was said or done ("I can see you already restarted it"), not advice."""
    commits: bool
    tells: bool
    """Tells the customer to do something ("you can…", "try…", «попробуйте»)."""
    steps: bool
    """Gives a step to carry out: an imperative that asks for no information ("please unplug…", «выключите…»)."""
    negated: list[bool]
    exact: list[frozenset[str]]
    """Each word's stem and any scenario word it is a typo of: a close match, unlike a synonym."""
    chunks: list[int]
    """Which comma-separated part of the sentence each word is in."""
    matched: dict[tuple[int, bool], Found | None] = field(default_factory=dict)
    """Phrase matches already worked out, by (target, negatable)."""

    @cached_property
    def affirmed(self) -> frozenset[str]:
        """The stems the sentence says without turning them around."""
        return frozenset(s for e, neg in zip(self.exact, self.negated, strict=True) if not neg for s in e)

    @cached_property
    def _exact(self) -> dict[str, list[int]]:
        return _positions(self.exact)

    @cached_property
    def _keys(self) -> dict[str, list[int]]:
        return _positions(self.keys)

    @cached_property
    def _starts(self) -> dict[str, list[int]]:
        return _positions([frozenset({w[:PREFIX_KEY]}) for w in self.words])

    def close(self, needed: _Word) -> list[int]:
        """Where the word is, as itself, a typo of itself, or the longer word an author's stem begins
        ("перезагруж" for «перезагружали»)."""
        if needed.literal:
            return [i for i, word in enumerate(self.words) if word == needed.word]
        found = self._exact.get(needed.stem, [])
        starting = self._starts.get(needed.word[:PREFIX_KEY]) if len(needed.word) > 3 else None
        if starting:
            more = [i for i in starting if self.words[i].startswith(needed.word) and i not in found]
            if more:
                return sorted([*found, *more])
        return found

    def near(self, needed: _Word) -> list[int]:
        """Where a word shares a stem or a lexicon concept with it."""
        hits = [self._keys[key] for key in needed.keys if key in self._keys]
        return hits[0] if len(hits) == 1 else sorted({i for positions in hits for i in positions})


class Reading:
    """A scenario compiled for understanding: its vocabulary and the evidence for every target."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.lang = scenario.language
        self.lex = lexicon(self.lang)
        self.vocab: Vocabulary = vocabulary(self.lang).extended(scenario.synonyms)
        self._known_stems: set[str] = set()
        self._typos: dict[str, set[str]] = {}
        facts = scenario.all_facts()
        self._index_words(
            [p for f in facts for p in (*f.ask, f.label, f.value, f.question or "")]
            + [p for u in scenario.facts.unknown for p in (*u.ask, u.label)]
            + [p for r in scenario.resolutions for p in (*r.match, r.example)]
            + [p for t in scenario.traps for p in t.match]
        )
        self.known = [
            self._target(
                f.id,
                [*f.ask, f.label, *_code_prefixes(f.value)],
                {"question": [f.question or ""], "value": [f.value, *(r.replace("{value}", " ") for r in f.reveal)]},
            )
            for f in facts
        ]
        self.unknown = [self._target(u.id, [*u.ask, u.label], {}) for u in scenario.facts.unknown]
        self.resolutions = [
            self._target(r.id, r.match, {"example": [r.example, r.id.replace("-", " ")]}) for r in scenario.resolutions
        ]
        self.traps = [self._target(t.id, t.match, {}) for t in scenario.traps]
        self.fact_weight = _distinctive([t.bag for t in self.known + self.unknown])
        # Words the case itself is about ("line", "order") say less about which fix is meant than its actions.
        case = {k for t in self.known + self.unknown for k in t.bag}
        fix_weight = _distinctive([t.bag for t in self.resolutions + self.traps])
        self.fix_weight = {k: w / 2 if k in case else w for k, w in fix_weight.items()}
        self.values = [self._value(f.id, f.value) for f in facts]
        self.hidden = {f.id for f in scenario.facts.hidden}
        self.unknown_ids = {u.id for u in scenario.facts.unknown}
        self.info_words = {w for m in self.lex.asking for w in m.split()}
        # Fixes the customer carries out themselves ("press the Wi-Fi button"): their example tells them to.
        self.instructions = {r.id for r in scenario.resolutions if self._sentence(r.example).tells}
        self.example_values = {
            r.id: {v.id for v in self.values if any(d in _digits(r.example) for d in v.digits)}
            | {v.id for v in self.values if _stated(v, self._sentence(r.example))}
            for r in scenario.resolutions
        }

    # -- compiling the scenario
    def _index_words(self, texts: Iterable[str]) -> None:
        """The scenario's own stems, and their one-letter deletions, so "adress" and «догвора» are recognized."""
        for text in texts:
            for word in tokens(text):
                if len(word) >= 4 and not word.isdigit():
                    s = stem(word, self.lang)
                    self._known_stems.add(s)
                    for variant in _deletions(s):
                        self._typos.setdefault(variant, set()).add(s)

    def _corrected(self, s: str) -> frozenset[str]:
        """The stem and the scenario stems it is one dropped letter away from ("adress", «догвора»). Only a
        dropped letter: an extra or changed one too often makes another real word ("contract", "contact")."""
        if len(s) < 5 or s in self._known_stems or s.isdigit():
            return frozenset({s})
        return frozenset({s, *self._typos.get(s, ())})

    def _tokens(self, text: str) -> list[str]:
        """The message's words, with short forms written out ("ref", "who's", «инет»)."""
        return expand(tokens(_NUMBER_SIGN.sub(self.lex.number_word, text)), self.lex.abbreviations)

    def _words(self, text: str) -> tuple[list[str], list[Keys], list[frozenset[str]]]:
        said = self._tokens(text)
        exact = [self._corrected(stem(w, self.lang)) for w in said]
        # A corrected word takes the concepts of what it was meant to be.
        keys = self.vocab.keys(said)
        keys = [
            k | e | frozenset().union(*map(self.vocab.concepts, e)) | _beginning(e)
            for k, e in zip(keys, exact, strict=True)
        ]
        return said, keys, exact

    def _target(self, id: str, phrases: Iterable[str], evidence: dict[str, list[str]]) -> _Target:
        compiled = []
        bag: dict[str, float] = {}
        for phrase in phrases:
            said = tokens(phrase)
            keys = self.vocab.keys(said)
            needed = [_Word(w, stem(w, self.lang), k, self._generic(w)) for w, k in zip(said, keys, strict=True)]
            # Articles and pronouns may differ ("restart the phone" for "restart your phone") as long as two
            # words of substance remain; question words ("how long", "since when") carry the meaning. A phrase
            # of function words only ("when did you make") must be there word for word.
            substance = [w for w in needed if not w.generic]
            asked = [w for w in needed if w.generic and w.word in self.lex.question_starts]
            if len(substance) >= min(2, len(needed)):
                significant = substance + asked
            else:  # «с какого» is not «по какому»: endings are all such a phrase has
                significant = [replace(w, literal=True) for w in needed if len(w.word) > 1]
            if significant:
                compiled.append(_Phrase(phrase, tuple(significant)))
            self._add(bag, said, keys, WEIGHTS["phrase"])
        for kind, texts in evidence.items():
            for text in texts:
                said = tokens(text)
                self._add(bag, said, self.vocab.keys(said), WEIGHTS[kind])
        return _Target(id, tuple(compiled), bag)

    def _add(self, bag: dict[str, float], said: Sequence[str], keys: Sequence[Keys], weight: float) -> None:
        for word, k in zip(said, keys, strict=True):
            # A function word counts only as part of a lexicon phrase ("go out" for shipping).
            meaningful = not self._generic(word) or word in self.lex.answer_types
            for key in k | _beginning(frozenset(k)) if meaningful else {c for c in k if c.startswith("#")}:
                bag[key] = max(bag.get(key, 0.0), weight)

    def _value(self, id: str, value: str) -> _Value:
        parts = []
        for part in re.split(r"[,;:]| and | и ", value):
            stems = tuple(sorted({stem(w, self.lang) for w in tokens(part) if not self._generic(w)}))
            if len(stems) >= 2:
                parts.append(stems)
        digits = [_digits(d) for d in re.findall(r"\d[\d\s-]*\d", value)]
        return _Value(id, tuple(parts), tuple(d for d in digits if len(d) >= 3))

    def _asks_for_action(self, said: Sequence[str]) -> bool:
        """An imperative that is not a request for information: «перезагрузите», "please restart", "just go
        into the app"."""
        info = self.info_words
        if self.lang == "ru":
            return any(len(w) >= 5 and w.endswith("те") and w not in info and w not in self.lex.generic for w in said)
        after = [said[i + 1] for i, w in enumerate(said[:-1]) if w in self.lex.polite]
        return any(w not in info and w not in self.lex.generic for w in after) or self._instructs(said)

    def _instructs(self, said: Sequence[str]) -> bool:
        """The sentence opens with an instruction verb ("Tap the order", "Just log in"), not "send me"."""
        lead = 0
        while lead < len(said) and (said[lead] in self.lex.instruction_leads or said[lead] in self.lex.openers):
            lead += 1
        rest = said[lead : lead + 2]
        return bool(rest) and rest[0] in self.lex.instructions and rest[1:2] not in (["me"], ["us"])

    def _chunks(self, text: str, size: int) -> list[int]:
        """For each of the sentence's ``size`` words, which comma-separated part of it the word is in."""
        parts = _PARTS.split(text)
        if len(parts) == 1:
            return [0] * size
        out: list[int] = []
        for n, part in enumerate(parts):
            out += [n] * len(self._tokens(part))
        return out if len(out) == size else [0] * size  # a split that cut a word: one part, as before

    def _generic(self, word: str) -> bool:
        return len(word) <= 1 or word in self.lex.generic or word.isdigit()

    def _sentence(self, text: str) -> _Sentence:
        said, keys, exact = self._words(text)
        chunks = self._chunks(text, len(said))
        joined = f" {' '.join(said)} "
        plain = words(text)
        question = is_question(text, self.lex)
        request = (
            bool(self.lex.requests.find(plain))
            or any(m in joined for m in self.lex.asking)
            or (bool(self.lex.polite & set(said)) and not self._asks_for_action(said) and not self.lex.own & set(said))
        )
        return _Sentence(
            text=text,
            words=said,
            keys=keys,
            question=question,
            offer=question and any(o in joined for o in self.lex.offers),
            request=request,
            narrates=any(n in joined for n in self.lex.narration),
            commits=any(c in joined for c in self.lex.commitments) or _first_person_deed(said, self.lang),
            tells=bool(self.lex.advice.find(plain))
            or (self.lang == "ru" and self._asks_for_action(said))
            or self._instructs(said),
            steps=self._asks_for_action(said),
            negated=_negations(said, chunks, self.lex),
            chunks=chunks,
            exact=exact,
        )

    # -- reading a message
    def understand(self, text: str) -> Understanding:
        # Words quoted back ("you wrote: «…»") are the customer's, not what the agent asks, offers or advises;
        # an address on the web is a link, whatever words its path spells.
        text = LINKS.sub(f" {self.lex.link_word} ", QUOTED.sub(" ", text))
        text = _NUMBER_SIGN.sub(self.lex.number_word, text)  # before "order no." ends a sentence
        text = _JOINER.sub(", ", text)  # "order number + address": two things asked
        parts = [self._sentence(s) for s in sentences(text)]
        for before, after in zip(parts, parts[1:], strict=False):
            if before.question and len(after.words) <= FRAGMENT and not after.question:
                after.question = True  # "Where did he come? Street, house, flat."
        states = self._states(text, parts)
        stated = {f.id for f in states}
        asks: list[Found] = []
        checks: list[Found] = []
        unknown: list[Found] = []
        resolutions: list[Found] = []
        traps: list[Found] = []
        unplaced: list[str] = []
        guess: Found | None = None
        for p in parts:
            offered = self._resolutions(p) if not p.narrates and (not p.question or p.offer) else []
            # Statements and requests ("Could you restart it?") advise; "Have you restarted it?" asks.
            advises = not p.narrates and not p.offer and (not p.question or p.request)
            advice = self._best(self._phrases(p, self.traps, negatable=True)) if advises else []
            if offered and advice:
                # A fix and wrong advice in one sentence: who is to act decides. "I've changed it" is the fix,
                # "You can change it in your account" the advice; otherwise the closer match.
                if p.commits and not p.tells:
                    advice = []
                elif p.tells and not p.commits:
                    offered = [f for f in offered if f.id in self.instructions]
                else:
                    kept = self._best(offered + advice)
                    offered, advice = [f for f in offered if f in kept], [f for f in advice if f in kept]
            traps += advice
            resolutions += offered
            if offered and p.question:
                continue  # "Would a technician visit tomorrow work for you?" offers, it does not ask
            asking = p.question or (p.request and not advice)
            if not asking:
                continue
            told = {w for t in advice for w in t.words}
            placed = [f for f in self._place(p) if not set(f.words) <= told]
            if placed:
                found = [f for f in placed if f.id not in stated and f.id not in self.unknown_ids]
                asks += found
                checks += found if p.steps else []
                unknown += [f for f in placed if f.id in self.unknown_ids]
                continue
            about_fix = advice or self._phrases(p, self.traps + self.resolutions, negatable=False)
            ritual = self.lex.closers.find(words(p.text)) or any(_stated(v, p) for v in self.values)
            if p.question and not about_fix and not ritual:
                unplaced.append(p.text.strip())
                guess = guess or self._nearest(p)
        return Understanding(
            question=any(p.question for p in parts),
            asks=tuple(_unique(asks)),
            checks=tuple(_unique(checks)),
            unknown=tuple(_unique(unknown)),
            resolutions=tuple(_unique(resolutions)),
            traps=tuple(_unique(traps)),
            states=tuple(states),
            unplaced=tuple(unplaced) if not asks else (),
            guess=guess if not asks else None,
        )

    def phrased(self, text: str, target_id: str) -> Found | None:
        """The target's own phrases matched in ``text``, without the other evidence (for ``sparring validate``)."""
        targets = [t for t in self.known + self.unknown + self.resolutions + self.traps if t.id == target_id]
        for sentence in sentences(text):
            for target in targets:
                if found := self._phrase(self._sentence(sentence), target, negatable=False):
                    return found
        return None

    def _phrases(self, sentence: _Sentence, targets: Sequence[_Target], negatable: bool) -> list[Found]:
        return [f for t in targets if (f := self._phrase(sentence, t, negatable))]

    def _phrase(self, sentence: _Sentence, target: _Target, negatable: bool) -> Found | None:
        key = (id(target), negatable)
        if key not in sentence.matched:  # a sentence is tried against a target more than once
            sentence.matched[key] = self._match(sentence, target, negatable)
        return sentence.matched[key]

    def _match(self, sentence: _Sentence, target: _Target, negatable: bool) -> Found | None:
        best: Found | None = None
        for phrase in target.phrases:
            hits: list[int] = []
            quality = CLOSE
            for needed in phrase.words:
                close = sentence.close(needed)
                # A function word only ever matches itself, never through a concept.
                near = close or ([] if needed.generic else sentence.near(needed))
                if not near:
                    break
                if not close:
                    quality = min(quality, SYNONYM)
                if negatable:
                    near = [i for i in near if not sentence.negated[i]]
                    if not near:
                        break  # only ever said turned around ("no need to restart")
                hits.extend(near)
            else:
                why = f"phrase '{phrase.text}'" + (" through the synonym lexicon" if quality < CLOSE else "")
                found = Found(target.id, tuple(sentence.words[i] for i in sorted(set(hits))), why, quality)
                if best is None or (found.quality, len(found.words)) > (best.quality, len(best.words)):
                    best = found
        return best

    def _place(self, sentence: _Sentence) -> list[Found]:
        targets = self.known + self.unknown
        found = self._best(self._phrases(sentence, targets, negatable=False))
        covered = {w for f in found for w in f.words}
        # An offer ("Would it help if I gave you a week for Lesson 6?") names things; only a phrase makes it a question.
        for clause in [] if sentence.offer else _clauses(sentence, self.lex):
            if covered & set(clause.words) or (found and clause is sentence):
                continue  # a phrase has already said what this part asks
            scored = []
            for target in self.known:  # what the customer does not know is only ever asked for by name
                if any(f.id == target.id for f in found):
                    continue
                score, matched = self._score(clause, target, self.fact_weight, skip=frozenset(covered))
                if score >= PLACED:
                    # Of equal evidence, a hidden fact is the likelier question than one already told.
                    bias = 0.01 if target.id in self.hidden else 0.0
                    scored.append(Found(target.id, matched, "label, ask phrases and question", score / 10 + bias))
            ranked = sorted(scored, key=lambda f: -f.quality)
            if len(ranked) > 1 and ranked[0].quality - ranked[1].quality < MARGIN:
                continue  # two facts fit as well: the customer would ask which one is meant
            best = ranked[:1]
            found += best
            covered |= {w for f in best for w in f.words}
        return found

    def _best(self, found: list[Found]) -> list[Found]:
        """Targets that explain words of their own: of several claiming the same words, the closest match."""
        kept: list[Found] = []
        claimed: set[str] = set()
        for f in sorted(found, key=lambda f: (-f.quality, -len(f.words))):
            if not set(f.words) <= claimed:
                kept.append(f)
                claimed |= set(f.words)
        return kept

    def _score(
        self,
        sentence: _Sentence,
        target: _Target,
        weight: dict[str, float],
        skip: frozenset[str] = frozenset(),
        negatable: bool = False,
    ) -> tuple[float, tuple[str, ...]]:
        """How much of the target's evidence the sentence carries. A fix turned around ("won't send anyone") is
        no evidence of it; a question asks about a thing either way («не отключали ли вы его?»)."""
        total = 0.0
        matched: list[str] = []
        seen: set[str] = set()
        for word, keys, negated in zip(sentence.words, sentence.keys, sentence.negated, strict=True):
            typed = word in self.lex.answer_types
            if word in self.lex.weak or (negated and negatable) or word in skip:
                continue
            shared = {k for k in keys if k in target.bag} - seen
            if self._generic(word) and not typed:
                shared = {k for k in shared if k.startswith("#")}  # only as part of a lexicon phrase
            if shared:
                seen |= shared
                # "Where…?" asks for a place and "when…?" for a time: the question word says what kind of fact.
                total += max(target.bag[k] * weight.get(k, 0.0) for k in shared) * (TYPED if typed else 1.0)
                matched.append(word)
        return total, tuple(matched)

    def _nearest(self, sentence: _Sentence) -> Found | None:
        scored = [(self._score(sentence, t, self.fact_weight), t) for t in self.known if t.id in self.hidden]
        best = max(scored, key=lambda s: s[0][0], default=None)
        if best is None or best[0][0] <= 0:
            return None
        (_, matched), target = best
        # A guess rests on what the fact is (its label or ask phrases). A word only its example question shares
        # ("…so I can look at your line") is too thin to answer "the contract number, you mean?".
        keys = dict(zip(sentence.words, sentence.keys, strict=True))
        if not any(target.bag.get(k, 0.0) >= WEIGHTS["phrase"] for word in matched for k in keys[word]):
            return None
        return Found(target.id, matched, "nearest")

    def _resolutions(self, sentence: _Sentence) -> list[Found]:
        found = self._best(self._phrases(sentence, self.resolutions, negatable=True))
        if found or not (sentence.commits or sentence.offer):
            return found
        settled = {
            v.id for v in self.values if _stated(v, sentence) or any(d in _digits(sentence.text) for d in v.digits)
        }
        scored = []
        for target in self.resolutions:
            score, matched = self._score(sentence, target, self.fix_weight, negatable=True)
            # Restating what the fix settles (the new address, the refunded amount) as done is evidence too.
            restated = settled & self.example_values[target.id]
            if score >= RESOLVED or (restated and sentence.commits and score >= RESOLVED / 2):
                why = "example" + (" and the facts it settles" if restated else "")
                scored.append(Found(target.id, matched, why, score / 10))
        return sorted(scored, key=lambda f: -f.quality)[:1]

    def _states(self, text: str, parts: Sequence[_Sentence]) -> list[Found]:
        digits = _digits(text)
        # A question offers words for the customer to pick from ("door or entrance?"): only statements state,
        # but a number is specific wherever it is.
        return [
            Found(v.id, (), "value")
            for v in self.values
            if any(d in digits for d in v.digits) or any(_stated(v, p) for p in parts if not p.question)
        ]


def _clauses(sentence: _Sentence, lex: Lexicon) -> list[_Sentence]:
    """The parts of a sentence between commas and "and"/«и», where two questions share one sentence."""
    said = sentence.words
    cuts = [
        i
        for i, w in enumerate(said)
        if w in lex.conjunctions
        or (i and sentence.chunks[i] != sentence.chunks[i - 1] and not lex.relatives & set(said[i : i + 2]))
    ]
    bounds = [0, *cuts, len(sentence.words)]
    if len(bounds) == 2:
        return [sentence]
    out = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        if end > start:
            part = slice(start, end)
            out.append(
                replace(  # the sentence's own flags, its words cut down to the part (and phrase matches redone)
                    sentence,
                    text=" ".join(sentence.words[part]),
                    words=sentence.words[part],
                    keys=sentence.keys[part],
                    negated=sentence.negated[part],
                    exact=sentence.exact[part],
                    chunks=sentence.chunks[part],
                    matched={},
                )
            )
    return [sentence, *out]


BEGINNING = 6
"""Two stems that begin with the same this many letters are forms of one word («назначали», «назначили»)."""


def _beginning(stems: frozenset[str]) -> frozenset[str]:
    return frozenset("~" + s[:BEGINNING] for s in stems if len(s) >= BEGINNING and not s.startswith(("#", "~")))


PREFIX_KEY = 4


def _positions(sets: Sequence[frozenset[str]]) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for i, keys in enumerate(sets):
        for key in keys:
            index.setdefault(key, []).append(i)
    return index


def _code_prefixes(value: str) -> list[str]:
    """The letters a code starts with ("SH" of "SH-559102"): "the SH number" names it."""
    return [m.group(1) for m in re.finditer(r"\b([A-Za-zА-Яа-я]{2,4})-?\d{3,}", value)]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _deletions(s: str) -> set[str]:
    """The word with one letter left out, never the first: slips happen inside words, and a missing first
    letter is usually another word («вмешаюсь», «мешает»)."""
    return {s[:i] + s[i + 1 :] for i in range(1, len(s))}


_PARTS = re.compile(r"[,;:—–]|\s-\s")
# "#", "№" and "no." after a word ("order no.") stand for the word "number".
_NUMBER_SIGN = re.compile(r"[#№]|(?<=\w )(?:no|nr)\.(?=\s|$)", re.IGNORECASE)

_JOINER = re.compile(r"\s[+&]\s|\s/\s")


def _first_person_deed(said: Sequence[str], language: str) -> bool:
    """«Я оформил», «мы отправили», «Проверил: …»: a Russian agent reporting what they did (the pronoun is
    often dropped, so a past-tense verb that opens the sentence counts too)."""
    if language != "ru":
        return False
    opening = [w for w in said[:2] if len(w) > 3]
    return any(ru_past(w, plural=True) for w in opening) or (
        any(w in ("я", "мы") for w in said) and any(ru_past(w, plural=True) for w in said)
    )


def _stated(value: _Value, sentence: _Sentence) -> bool:
    """A part of the value (two or more meaningful words) is in the sentence, none of it negated."""
    return any(all(s in sentence.affirmed for s in part) for part in value.parts)


def _distinctive(bags: Sequence[dict[str, float]]) -> dict[str, float]:
    """How much a key tells one target from the others: 1 for a key only one target has, 1/n for n."""
    counts: dict[str, int] = {}
    for bag in bags:
        for key in bag:
            counts[key] = counts.get(key, 0) + 1
    return {key: 1.0 / n for key, n in counts.items()}


def _negations(said: Sequence[str], chunks: Sequence[int], lex: Lexicon) -> list[bool]:
    """Which words a negation turns around: up to ``NEGATION_REACH`` words, never past a comma."""
    negated = [False] * len(said)
    for i, word in enumerate(said):
        if word in lex.negations:
            for j in range(i + 1, min(len(said), i + 1 + NEGATION_REACH)):
                negated[j] = negated[j] or chunks[j] == chunks[i]
    for i, _ in lex.negated_after.starts(list(said)):
        for j in range(max(0, i - NEGATION_REACH), i):
            negated[j] = negated[j] or chunks[j] == chunks[i]
    return negated


def _unique(found: Iterable[Found]) -> list[Found]:
    seen: dict[str, Found] = {}
    for f in found:
        seen.setdefault(f.id, f)
    return list(seen.values())


_READINGS: dict[int, tuple[Scenario, Reading]] = {}


def reading(scenario: Scenario) -> Reading:
    """The compiled scenario, built once per scenario object."""
    cached = _READINGS.get(id(scenario))
    if cached is None or cached[0] is not scenario:
        if len(_READINGS) > 64:
            _READINGS.clear()
        cached = (scenario, Reading(scenario))
        _READINGS[id(scenario)] = cached
    return cached[1]


def looked_up(states: Iterable[str], said: set[str], scenario: Scenario) -> set[str]:
    """The facts whose values the agent stated that count as known: only once the customer has given a hidden
    fact, the agent has something to look them up by."""
    return set(states) if said & {f.id for f in scenario.facts.hidden} else set()


def understand(text: str, scenario: Scenario) -> Understanding:
    return reading(scenario).understand(text)
