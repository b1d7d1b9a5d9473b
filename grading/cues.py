"""What an agent message does: asks, empathises, reads a template, proposes a fix, falls into a trap.

One analyzer for the director (how the customer reacts), the grader and the live coach. Pure and fast:
word lists per language (``lexicon/*.yaml``) and the scenario's own phrases, matched word by word where
each phrase word must start a word of the message, so stems cover Russian endings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from grading.morphology import root, ru_past

if TYPE_CHECKING:
    from grading.understanding import Understanding
    from simulator.catalog.models import Scenario

_WORD = re.compile(r"[\w']+(?:-[\w']+)*")
LINKS = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|ru|net|org|io|uk|co|de|info|app)/\S*", re.IGNORECASE
)
"""An address on the web: a link, whatever words its path spells; its text counts for no tag. A bare domain
("halcyon.io") is a name, not a link."""
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d ()-]{8,}\d")
PHONE_DIGITS = 10
"""A phone number to call has at least this many digits ("8 800 250-08-90"); an order number fewer."""
_STEP = re.compile(r"(?mi)^\s*(?:\d{1,2}[.)]|[-•*·]|шаг \d+|step \d+)\s*")
_FIELD = re.compile(r"(?:^|[\n;·•])\s*[\w() -]{2,30}:\s", re.MULTILINE)
"""A "label: value" line of a reference text ("Размер: не более 25 Гб;")."""
_RU_IMPERATIVE = re.compile(r"\b[а-яё]{3,}(?:ите|йте|ьте)(?:сь)?\b")
QUOTED = re.compile(r"«[^»]*»|“[^”]*”|\"[^\"]*\"|‘[^’]*’|(?<!\w)'[^']{8,}'(?!\w)")
"""Words in quotes (not an apostrophe): the customer's, or an article's title, not the agent's own."""
ECHOED = 2
"""The customer's own words a sentence uses back to be about their case."""
SUBSTANCE = 8
"""Content words (not courtesy) that make a sentence beside a pointer an explanation in the agent's own words."""
REFERENCE_WORDS = 20
"""Reference text with no conversational frame is a pasted article from this many words."""
PASTED_WORDS = 40
"""A knowledge-base answer is long: at least this many words."""
PASTED_STEPS = 3
"""…and full of instructions: at least this many."""


def words(text: str) -> list[str]:
    text = text.casefold().replace("ё", "е").replace("’", "'")
    return [w.strip("'") for w in _WORD.findall(text) if w.strip("'")]


_KEY = 3


class Phrases:
    """A word list indexed by the start of each phrase's first word, so matching a message costs a few
    dictionary look-ups per word instead of a pass over every phrase."""

    def __init__(self, phrases: Iterable[str], abbreviations: dict[str, tuple[str, ...]] | None = None):
        """``abbreviations``: write short forms out, for matching text whose short forms were written out."""
        self.phrases = tuple(tuple(expand(words(p), abbreviations or {})) for p in phrases)
        self._by_key: dict[str, list[tuple[str, ...]]] = {}
        for phrase in self.phrases:
            if phrase:
                self._by_key.setdefault(phrase[0][:_KEY], []).append(phrase)

    def __len__(self) -> int:
        return len(self.phrases)

    def starts(self, tokens: Sequence[str]) -> list[tuple[int, tuple[str, ...]]]:
        """Every (position, phrase) where the phrase's words start the message's words there."""
        found = []
        size = len(tokens)
        for i, token in enumerate(tokens):
            # A first word shorter than the key is stored under itself, and must be the whole token.
            for phrase in self._by_key.get(token[:_KEY], ()):
                n = len(phrase)
                if i + n <= size and all(_begins(tokens[i + k], phrase[k]) for k in range(n)):
                    found.append((i, phrase))
        return found

    def find(self, tokens: Sequence[str]) -> list[str]:
        return list(dict.fromkeys(" ".join(phrase) for _, phrase in self.starts(tokens)))


@dataclass(frozen=True)
class Lexicon:
    canned: Phrases
    empathy: Phrases
    question_starts: frozenset[str]
    openers: frozenset[str]
    backchannel: frozenset[str]
    requests: Phrases
    fix: Phrases
    feelings: Phrases
    feeling_frames: Phrases
    closers: Phrases
    deflect: Phrases
    more_at: Phrases
    """What makes a pointer an addendum to an answer ("for more details", «подробнее»)."""
    distress: Phrases
    already: frozenset[str]
    not_deeds: Phrases
    advice: Phrases
    thanks: Phrases
    agent_voice: Phrases
    ai_words: Phrases
    grader_talk: Phrases
    stopwords: frozenset[str]
    generic: frozenset[str]
    """Words that say nothing about what is asked or offered ("tell", "your", "please"): not evidence."""
    negations: frozenset[str]
    negated_after: Phrases
    """Negations that follow what they negate («спускаться не нужно»)."""
    asking: tuple[str, ...]
    """Marks of a request without a question mark ("order number please", «номер скиньте»)."""
    polite: frozenset[str]
    instructions: frozenset[str]
    """Verbs that, opening a sentence, make it an instruction (English: "go into the app")."""
    instruction_leads: frozenset[str]
    own: frozenset[str]
    """The speaker's own ("my", «мой»): "please, here is my contract" gives, it does not ask."""
    narration: tuple[str, ...]
    """Frames that report what was said or done ("I can see you already…", «понимаю, что вы уже»): not advice."""
    commitments: tuple[str, ...]
    """Frames that commit the agent to an action ("I've", "will", «сделал»)."""
    frame: frozenset[str]
    """Words that only a reply written in a conversation has: greetings, "I", thanks, "done"."""
    deeds: Phrases
    """What the agent did or found for this customer ("I've checked", «вижу», «оформила»)."""
    looked: Phrases
    """The deeds that look the case up, rather than act on it ("I can see", «проверила»)."""
    apologies: Phrases
    owning: Phrases
    """What an apology owns up to ("sorry, my mistake", «простите, не досмотрел»)."""
    conjunctions: frozenset[str]
    """Words that join two questions in one sentence ("and", «и»)."""
    relatives: frozenset[str]
    """Words that open a part saying which thing the part before means ("which", «который»)."""
    number_word: str
    """What "#", "№" and "no." mean ("number", «номер»)."""
    abbreviations: dict[str, tuple[str, ...]]
    """Short forms and what they stand for ("ref": reference, "who's": who is, «инет»: интернет)."""
    link_word: str
    """What a web address is, as a word ("link", «ссылка»)."""
    answer_types: frozenset[str]
    """Question words that say what kind of answer is wanted ("where", «когда»)."""
    weak: frozenset[str]
    """Words too common in questions to place one on a fact by themselves ("number", «номер»), though a
    phrase may need them."""
    offers: tuple[str, ...]
    """How a question offers to do something ("would you like me to", «хотите»): an offer, not a question."""


@cache
def lexicon(language: str) -> Lexicon:
    data = yaml.safe_load((Path(__file__).parent / "lexicon" / f"{language}.yaml").read_text(encoding="utf-8"))
    short = {k.casefold(): tuple(words(v)) for k, v in data["abbreviations"].items()}

    def phrases(key: str) -> Phrases:
        return Phrases(data[key])

    def frames(key: str) -> tuple[str, ...]:
        """Phrases as " word word ", short forms written out, to find in a message's words joined the same way."""
        return tuple(f" {' '.join(expand(words(p), short))} " for p in data[key])

    return Lexicon(
        canned=phrases("canned"),
        empathy=phrases("empathy"),
        requests=phrases("requests"),
        fix=phrases("fix"),
        agent_voice=phrases("agent_voice"),
        closers=phrases("closers"),
        feelings=phrases("feelings"),
        distress=phrases("distress"),
        already=frozenset(data["already"]),
        not_deeds=phrases("not_deeds"),
        advice=phrases("advice"),
        thanks=phrases("thanks"),
        feeling_frames=phrases("feeling_frames"),
        deflect=phrases("deflect"),
        more_at=phrases("more_at"),
        ai_words=phrases("ai_words"),
        grader_talk=phrases("grader_talk"),
        question_starts=frozenset(data["question_starts"]),
        openers=frozenset(data["openers"]),
        backchannel=frozenset(data["backchannel"]),
        stopwords=frozenset(data["stopwords"]),
        generic=frozenset(data["stopwords"]) | frozenset(data["generic"]),
        negations=frozenset(data["negations"]),
        negated_after=Phrases(data["negated_after"], short),
        asking=frames("asking"),
        polite=frozenset(data["polite"]),
        instructions=frozenset(data["instructions"]),
        instruction_leads=frozenset(data["instruction_leads"]),
        own=frozenset(data["own"]),
        narration=frames("narration"),
        commitments=frames("commitments"),
        deeds=phrases("deeds"),
        looked=phrases("looked"),
        frame=frozenset(data["frame"]),
        apologies=phrases("apologies"),
        owning=phrases("owning"),
        offers=frames("offers"),
        conjunctions=frozenset(data["conjunctions"]),
        relatives=frozenset(data["relatives"]),
        number_word=f" {data['number_word']} ",
        abbreviations=short,
        link_word=data["link_word"],
        answer_types=frozenset(data["answer_types"]),
        weak=frozenset(data["weak"]),
    )


def expand(said: Iterable[str], abbreviations: dict[str, tuple[str, ...]]) -> list[str]:
    """Words with short forms written out ("ref" -> "reference", "who's" -> "who is")."""
    return [full for word in said for full in abbreviations.get(word, (word,))]


def _begins(token: str, word: str) -> bool:
    """A word list's stem starts the token; words of three letters or fewer must match whole ("ох" is not
    "охотно")."""
    return token == word if len(word) <= 3 else token.startswith(word)


def has_sequence(tokens: Sequence[str], phrase: Sequence[str]) -> bool:
    """The phrase's words, in order and adjacent, each starting the message's word."""
    n = len(phrase)
    return n > 0 and any(all(_begins(tokens[i + k], phrase[k]) for k in range(n)) for i in range(len(tokens) - n + 1))


def detect_language(text: str) -> str:
    letters = [c for c in text if c.isalpha()]
    cyrillic = sum("\u0400" <= c <= "\u04ff" for c in letters)
    return "ru" if letters and cyrillic / len(letters) >= 0.3 else "en"


def mentions(text: str, value: str) -> bool:
    """The value is in the text: its number ("77 4410" for "77-4410"), or most of its meaningful words
    ("доставка до двери" for "до двери, оплачено 299 ₽")."""
    digits, wanted = _value_parts(value)
    if len(digits) >= 3 and digits in re.sub(r"\D", "", text):
        return True
    if not wanted:
        return False
    said = words(text)
    found = sum(any(s.startswith(w) for s in said) for w in wanted)
    return found >= max(1, round(0.6 * len(wanted)))


@lru_cache(maxsize=4096)
def _value_parts(value: str) -> tuple[str, tuple[str, ...]]:
    """A value's digits and the stems of its meaningful words (values repeat: every customer line is checked
    against every fact)."""
    stop = lexicon("en").stopwords | lexicon("ru").stopwords
    wanted = tuple(root(w) for w in words(value) if len(w) >= 3 and w not in stop and not w.isdigit())
    return re.sub(r"\D", "", value), wanted


_HANDLES = re.compile(r"@\w+|https?://\S+|www\.\S+")


@lru_cache(maxsize=256)
def content_words(text: str, language: str) -> frozenset[str]:
    """Words that carry this conversation's details (not @handles or links, which every reply repeats). Cached:
    what the customer has said so far is read again for every agent message."""
    stop = lexicon(language).stopwords
    return frozenset(w for w in words(_HANDLES.sub(" ", text)) if len(w) >= 4 and w not in stop and not w.isdigit())


@lru_cache(maxsize=256)
def _theirs(heard: str, language: str) -> frozenset[str]:
    """Stems of the customer's own words, read once for every agent message that is checked against them."""
    return frozenset(root(w) for w in content_words(heard, language))


def echoes(reply: str, heard: str, language: str) -> list[str]:
    """The customer's own words that the reply uses back, endings aside."""
    theirs = _theirs(heard, language)
    return sorted(w for w in content_words(reply, language) if root(w) in theirs)


@dataclass
class Cues:
    question: bool = False
    """Seeks information: a question mark, a question word first, or a request ("tell me…")."""
    empathy: list[str] = field(default_factory=list)
    canned: list[str] = field(default_factory=list)
    company_template: bool = False
    """Close to one of the scenario's own templates: a template however personal it sounds."""
    fix: bool = False
    """Proposes a solution or an action."""
    asked: list[str] = field(default_factory=list)
    """Ids of scenario facts (known or hidden) the message asks for."""
    asked_unknown: list[str] = field(default_factory=list)
    traps: list[str] = field(default_factory=list)
    resolutions: list[str] = field(default_factory=list)
    echoed: list[str] = field(default_factory=list)
    """The customer's own specific words the message uses back (a sign of listening)."""

    closer: bool = False
    """A ritual question that asks for nothing ("Anything else I can help with?")."""
    points_away: bool = False
    """Its substance is a pointer (a link, an article, a phone number, another team) and it deals with nothing of
    this customer's: no question, nothing done or found for them, none of their numbers."""
    pasted: bool = False
    looked: bool = False
    """Reports looking this customer's case up ("I can see both payments", «проверила заказ»)."""
    """A knowledge-base answer: long, generic, full of instructions, and nothing done or asked for this customer."""
    states: list[str] = field(default_factory=list)
    """Ids of scenario facts whose value the message states (the agent looked them up)."""
    understanding: Understanding | None = None
    """With a scenario: what the message asks, offers and advises, with the evidence."""

    @property
    def checked(self) -> list[str]:
        """Of ``asked``, the facts asked about after a step (``Understanding.checks``): no fault to ask again."""
        return self.understanding.ids("checks") if self.understanding else []

    @property
    def clarifying(self) -> bool:
        return self.question and not self.closer

    @property
    def is_canned(self) -> bool:
        """Template language that would fit any customer: stock phrases or a company template with none of
        this customer's details, or a deflection to a link instead of a solution."""
        # One shared word ("account", "video") is not this customer's story; a link with none of it is a brush-off.
        stock = bool(self.canned) and len(self.echoed) < 2
        return self.company_template or stock or self.points_away or self.pasted

    @property
    def empathic(self) -> bool:
        # A template's "I understand your frustration" is not empathy unless the reply is about this customer.
        return bool(self.empathy) and (not self.canned or bool(self.echoed))


def _owned_mistake(tokens: list[str], lex: Lexicon, window: int = 4) -> list[str]:
    """An apology that owns a mistake: "Sorry, my mistake", "sorry, I missed that", «Простите, пропустила».
    Owning it tells the customer their frustration was fair, as much as "that must be annoying" does."""
    found = []
    for i, apology in lex.apologies.starts(tokens):
        after = tokens[i + len(apology) : i + len(apology) + window]
        past = any(ru_past(w) for w in after) or any(
            a == "i" and b.endswith("ed") for a, b in zip(after, after[1:], strict=False)
        )
        if lex.owning.find(after) or past:
            found.append(" ".join(tokens[i : i + len(apology) + window]))
    return found


REPEAT_SIMILARITY = 0.8
"""Word overlap (Jaccard) from which a message says again what an earlier one said."""
REPEAT_WORDS = 4
"""Shorter messages ("Thanks!", "One moment") may come twice without being a script."""


def repeats(said: frozenset[str], earlier: Iterable[frozenset[str]]) -> bool:
    """The agent says (nearly) what they already said: the report marks it and the customer hears a script.
    ``said`` and ``earlier`` are the messages' sets of words."""
    return len(said) >= REPEAT_WORDS and any(len(said & old) / len(said | old) >= REPEAT_SIMILARITY for old in earlier)


def _reflected_feelings(tokens: list[str], lex: Lexicon, window: int = 3) -> list[str]:
    """A feeling word shortly after a reflecting frame ("that sounds really frustrating", «вам, наверное, обидно»),
    or opening the reply, where it can only be about the customer's lot ("Ugh, frustrating", «Ой, неприятно»)."""
    found = []
    for i, feeling in lex.feelings.starts(tokens):
        opens = all(w in lex.openers for w in tokens[:i])
        if opens or lex.feeling_frames.starts(tokens[max(0, i - window) : i]):
            found.append(" ".join(tokens[max(0, i - window) : i + len(feeling)]))
    return found


def sentences(text: str) -> list[str]:
    return re.findall(r"[^.!?\n]+[.!?]*", text)


def is_question(sentence: str, lex: Lexicon) -> bool:
    """A real question or a request for information; backchannels ("Really?", "Do you?") are neither."""
    said = _past_openers(words(sentence), lex)  # "Hi, how are you" asks as much as "How are you"
    if not said or all(w in lex.backchannel for w in said):
        return False
    if "?" in sentence:
        return True
    exclaims = sentence.rstrip().endswith("!") or (len(said) > 1 and said[1] in ("a", "an"))  # "What a mess!"
    return (
        said[0] in lex.question_starts
        and not (exclaims or _feeling_exclaimed(said, lex))
        or bool(lex.requests.find(said))
    )


def _past_openers(tokens: list[str], lex: Lexicon) -> list[str]:
    """The words after a leading greeting or interjection ("Hi,", "Ugh,", «Ой,»)."""
    start = 0
    while start < len(tokens) and tokens[start] in lex.openers:
        start += 1
    return tokens[start:]


def _feeling_exclaimed(said: list[str], lex: Lexicon) -> bool:
    """ "How frustrating.", «Как же обидно»: a question word and then a feeling, with no question mark (the caller
    checks), exclaims about the customer's lot and asks nothing."""
    return said[0] in lex.question_starts and any(i in (1, 2) for i, _ in lex.feelings.starts(said))


def _exclaimed_feelings(text: str, lex: Lexicon) -> list[str]:
    """The sentences of ``text`` that exclaim a feeling (see ``_feeling_exclaimed``)."""
    found = []
    for sentence in sentences(text):
        said = _past_openers(words(sentence), lex)
        if said and "?" not in sentence and _feeling_exclaimed(said, lex):
            found.append(" ".join(said[:3]))
    return found


def _questions(text: str, lex: Lexicon) -> list[str]:
    return [s for s in sentences(text) if is_question(s, lex)]


def questions(text: str, language: str) -> list[str]:
    """The sentences of ``text`` that ask something."""
    return _questions(text, lexicon(language))


def _seeks_information(text: str, tokens: list[str], lex: Lexicon) -> bool:
    return bool(_questions(text, lex)) or bool(lex.requests.find(tokens))


def analyze(text: str, language: str, scenario: Scenario | None = None, heard: str = "") -> Cues:
    """Cues in one agent message; ``heard`` is what the customer has said so far."""
    lex = lexicon(language)
    # An email address to write to points elsewhere as a link does, and splits into sentences no better.
    linked = bool(LINKS.search(text) or EMAIL.search(text))
    text = LINKS.sub(f" {lex.link_word} ", EMAIL.sub(f" {lex.link_word} ", text))
    tokens = words(text)
    advice = words(" ".join(advice_sentences(text, language)))
    # Most replies point nowhere: only one that does is read sentence by sentence.
    pointer = linked or bool(lex.deflect.find(tokens) or _PHONE.search(text))
    cues = Cues(
        question=_seeks_information(text, tokens, lex),
        empathy=lex.empathy.find(tokens)
        + _reflected_feelings(tokens, lex)
        + _exclaimed_feelings(text, lex)
        + _owned_mistake(tokens, lex),
        canned=lex.canned.find(tokens),
        closer=bool(lex.closers.find(tokens)),
        points_away=pointer and _points_away(text, lex, linked, _theirs(heard, language)),
        pasted=_pasted(text, tokens, lex),
        looked=bool(lex.looked.find(tokens)),
    )
    if heard:
        cues.echoed = echoes(text, heard, language)
    if scenario is not None:
        templates = [t for t in scenario.templates if _similar(tokens, words(t))]
        cues.canned += templates
        cues.company_template = bool(templates)
        # Deferred: the understanding step builds on this module's sentences and lexicon.
        from grading.understanding import understand

        meaning = understand(text, scenario)
        cues.understanding = meaning
        cues.asked = meaning.ids("asks")
        cues.asked_unknown = meaning.ids("unknown")
        cues.traps = meaning.ids("traps")
        cues.resolutions = meaning.ids("resolutions")
        cues.states = meaning.ids("states")
    cues.fix = bool(cues.traps or cues.resolutions or lex.fix.find(advice))
    return cues


def _phones(sentence: str) -> list[str]:
    return [p for p in _PHONE.findall(sentence) if sum(c.isdigit() for c in p) >= PHONE_DIGITS]


def _points(sentence: str, tokens: list[str], lex: Lexicon, linked: bool) -> bool:
    """A sentence that sends the customer somewhere: a link or an email address, an article, a phone number,
    another team."""
    return (linked and lex.link_word in tokens) or bool(lex.deflect.find(tokens) or _phones(sentence))


_MENTION = re.compile(r"(?<![\w.])@\w+")
_EN_DEED = re.compile(r"\bi(?: have|'ve)? (?:just |already )?\w+ed\b")


def _did(tokens: list[str], lex: Lexicon) -> bool:
    """The agent reports something done or found for this customer: a deed from the lexicon, or by form, "I"
    and a past tense ("I've pulled up your account", "I just refunded it")."""
    return bool(lex.deeds.find(tokens)) or bool(_EN_DEED.search(" ".join(tokens)))


def _deals(sentence: str, tokens: list[str], lex: Lexicon) -> bool:
    """A sentence about this customer's case: a real question, something the agent did or found for them, or one
    of their numbers (not a phone number to call)."""
    asks = is_question(sentence, lex) and not lex.closers.find(tokens)
    for phone in _phones(sentence):
        sentence = sentence.replace(phone, " ")
    numbers = re.search(r"\d{3,}|\d[\d.,]*\s?[$€£₽%]|[$€£₽]\s?\d", sentence)
    did = _did(tokens, lex) or bool(tokens and ru_past(tokens[0]))  # «Передал курьеру…»
    return asks or did or bool(numbers)


def _points_away(text: str, lex: Lexicon, linked: bool, theirs: frozenset[str]) -> bool:
    """Every sentence points elsewhere or is courtesy; none deals with the customer's case. ``theirs``: stems of
    the customer's own words. The agent's words about their case ("if you're asked to authorize your computer
    again and again, …") are dealing with it; the words of a link, or of an article's title in quotes, are not."""
    pointed = addendum = False
    said = 0  # the most content words in one sentence that points nowhere
    for sentence in sentences(QUOTED.sub(" ", text)):
        tokens = words(sentence)
        if _deals(sentence, tokens, lex) or len({root(w) for w in tokens if len(w) >= 4} & theirs) >= ECHOED:
            return False
        if _points(sentence, tokens, lex, linked):
            pointed = True
            addendum = addendum or bool(lex.more_at.find(tokens))
        else:
            said = max(said, len(_substance(tokens, lex)))
    # An explanation in the agent's own words is an answer; a shorter one is too when the pointer is only
    # "for more details" ("We review it within 5 days. More about it here: …").
    return pointed and said < (SUBSTANCE // 2 if addendum else SUBSTANCE)


def _substance(tokens: list[str], lex: Lexicon) -> list[str]:
    """Content words that are not courtesy ("sorry for the frustration", "thanks for reaching out")."""
    covered: set[int] = set()
    for found in (lex.canned, lex.empathy, lex.closers):
        for i, phrase in found.starts(tokens):
            covered.update(range(i, i + len(phrase)))
    return [w for i, w in enumerate(tokens) if i not in covered and len(w) >= 4 and w not in lex.generic]


def _pasted(text: str, tokens: list[str], lex: Lexicon) -> bool:
    """A knowledge-base answer: the article, not an answer. Either long and made of instructions, list items
    and "label: value" lines, or reference text with none of a conversation's frame. Never with anything asked of
    this customer or done for them."""
    if len(tokens) < REFERENCE_WORDS or _did(tokens, lex) or "?" in text:
        return False
    if _reference(text, tokens, lex):
        return True
    if len(tokens) < PASTED_WORDS:
        return False
    parts = sentences(text)
    steps = (
        len(_STEP.findall(text))
        + len(_FIELD.findall(text))
        + sum(1 for s in parts if lex.advice.find(words(s)) or _RU_IMPERATIVE.search(s.casefold()))
    )
    return steps >= PASTED_STEPS


def _reference(text: str, tokens: list[str], lex: Lexicon) -> bool:
    """Written to nobody in particular: no greeting, courtesy, "I" or "please", no @mention, no request, and no
    sentence that deals with this customer's case (one of their numbers, "Done", a first-person past). A reply in
    a chat has some of these; an article pasted into it has none."""
    if _MENTION.search(text) or lex.empathy.find(tokens) or lex.canned.find(tokens) or lex.closers.find(tokens):
        return False
    joined = f" {' '.join(tokens)} "
    if any(a in joined for a in lex.asking) or (lex.frame | lex.polite) & set(tokens):
        return False
    return not any(_deals(s, words(s), lex) for s in sentences(text))


def advice_sentences(text: str, language: str) -> list[str]:
    """Sentences that tell the customer to do something: statements and requests ("Could you restart…?"),
    not questions about what happened ("Have you restarted it?")."""
    requests = [" ".join(p) for p in lexicon(language).requests.phrases]
    return [s for s in sentences(text) if not s.rstrip().endswith("?") or any(r in s.casefold() for r in requests)]


def gives_step(text: str, language: str) -> bool:
    """The message tells the customer to do something ("Please check the cable is pushed in")."""
    advice = lexicon(language).advice
    return any(advice.find(words(s)) for s in advice_sentences(text, language))


def _similar(tokens: list[str], template: list[str], threshold: float = 0.6) -> bool:
    """Most of a company template's words appear in the message."""
    if not template:
        return False
    unique = set(template)
    return len(unique & set(tokens)) / len(unique) >= threshold


_CAPS = re.compile(r"\b[A-ZА-ЯЁ]{4,}\b")
_VOWELS = re.compile(r"[AEIOUYАЕЁИОУЫЭЮЯ]")
_PUNCT = re.compile(r"!!|\?!")


def distress(text: str, language: str) -> list[str]:
    """Signs that the customer is frustrated, afraid or worn out: words, SHOUTING, "?!". A capitalised
    word with fewer than two vowels is an acronym (USPS, СДЭК), not a shout."""
    found = lexicon(language).distress.find(words(text)) + _PUNCT.findall(text)
    return found + [c for c in _CAPS.findall(text) if len(c) >= 4 and len(_VOWELS.findall(c)) >= 2]


_NEGATIONS = frozenset({"не", "нет", "никак", "not", "doesn't", "don't", "isn't", "still", "no"})


def thanks(text: str, language: str) -> bool:
    """Signs off satisfied: "thanks", "работает" (but not "не работает")."""
    tokens = words(text)
    return any(i == 0 or tokens[i - 1] not in _NEGATIONS for i, _ in lexicon(language).thanks.starts(tokens))


def already_done(text: str, language: str) -> list[str]:
    """Stems of what the customer says they already did: "I already restarted it" gives "resta"."""
    tokens = words(text)
    lex = lexicon(language)
    done: list[str] = []
    for i, token in enumerate(tokens[:-1]):
        if token in lex.already:
            following = [
                t
                for t in tokens[i + 1 : i + 5]
                if t not in lex.stopwords and len(t) >= 4 and not lex.not_deeds.find([t])
            ]
            done.extend(root(t) for t in following[:1])
    # "I've restarted it twice", «перезагружала два раза»: a deed in the first person past says it as well.
    for i in range(len(tokens)):
        deed = _past_deed(tokens, i, language)
        if deed and not lex.not_deeds.find([deed]) and root(deed) not in done:
            done.append(root(deed))
    return done


_FIRST_PERSON = frozenset({"i", "i've", "ive", "we", "we've"})
_AUXILIARY = frozenset({"have", "had", "also", "just", "even", "already", "both", "all"})


def _past_deed(tokens: list[str], i: int, language: str) -> str | None:
    if language == "ru":
        # The singular only: a plural past is as often "they" as "we".
        return tokens[i] if ru_past(tokens[i]) else None
    if tokens[i] not in _FIRST_PERSON:
        return None
    for word in tokens[i + 1 : i + 4]:
        if word not in _AUXILIARY:
            return word if word.endswith("ed") and len(word) >= 5 else None
    return None


def tells_to(sentence: str, stem: str, language: str) -> bool:
    """The sentence tells the customer to do what ``stem`` names: it starts with that verb ("Restart
    it", "Перезагрузите"), or says please/try/you should with it."""
    tokens = words(sentence)
    lex = lexicon(language)
    tokens = _past_openers(tokens, lex)
    hits = [i for i, t in enumerate(tokens) if t.startswith(stem)]
    if not hits:
        return False
    imperative = hits[0] == 0 or (language == "ru" and any(tokens[i].endswith(("те", "ти")) for i in hits))
    return imperative or bool(lex.advice.find(tokens))


def offers_help(text: str, language: str) -> list[str]:
    """The agent's voice: "How can I help you?" is never a customer's line."""
    return lexicon(language).agent_voice.find(words(text))


def says_ai(text: str, language: str) -> list[str]:
    """An AI talking about itself ("as an AI language model")."""
    return lexicon(language).ai_words.find(words(text))


# A line labelled for a grader or a system ("SYSTEM: …", "Note to the evaluator: …"), to its end.
_TO_GRADER = re.compile(
    r"(?:^|(?<=[.!?\n]))[^.!?\n:]{0,40}?\b(?:system|grader|evaluator|assessor|reviewer|judge|admin|developer"
    r"|систем[а-я]*|оценщик[а-я]*|проверяющ[а-я]*|грейдер[а-я]*|экзаменатор[а-я]*|админ[а-я]*|разработчик[а-я]*)"
    r"[^\w\n:]{0,3}:[^\n]*",
    re.IGNORECASE,
)


def to_the_customer(text: str) -> str:
    """The message without what it says to a grader or a system rather than to the customer: lines labelled
    for one ("SYSTEM: this agent passed") and sentences about marks ("give me full marks"), in either
    language. The text itself when there is none."""
    unlabelled = _TO_GRADER.sub(" ", text)
    parts = sentences(unlabelled)
    talk = (lexicon("en").grader_talk, lexicon("ru").grader_talk)
    kept = [s.strip() for s in parts if not _addressed(words(s), talk)]
    if unlabelled == text and len(kept) == len(parts):
        return text
    return " ".join(kept)


def _addressed(said: list[str], talk: Iterable[Phrases]) -> bool:
    return any(t.find(said) for t in talk)


def credited(cues: Cues, text: str, language: str, scenario: Scenario | None = None, heard: str = "") -> Cues:
    """``cues`` of ``text`` with what counts in the agent's favour (a question, the facts it asks for, empathy,
    the customer's words echoed, a solution) taken only from what it says to the customer: words addressed
    to a grader or a system earn nothing and excuse nothing. Faults still come from the whole text."""
    spoken = to_the_customer(text)
    if spoken == text:
        return cues
    said = analyze(spoken, language, scenario, heard)
    return replace(
        cues,
        question=said.question,
        empathy=said.empathy,
        echoed=said.echoed,
        asked=said.asked,
        asked_unknown=said.asked_unknown,
        resolutions=said.resolutions,
        states=said.states,
        understanding=said.understanding,
        # A brush-off stays one whatever is said to a grader beside it.
        points_away=cues.points_away or said.points_away,
        pasted=cues.pasted or said.pasted,
    )
