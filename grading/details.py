"""What a customer has already said, in a chat without a scenario.

The details they gave (order, ticket and contract numbers, emails, phone numbers, addresses, dates, amounts,
devices), what they already did, and where they have already been sent. The grader marks an agent who asks for
one of them again, or sends the customer back to do or go where they have been. The words are data
(``lexicon/details-<lang>.yaml``); the shapes (an email, a phone number, a code with digits) are patterns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import phonenumbers
import yaml

from grading.cues import EMAIL, LINKS, Phrases, advice_sentences, is_question, lexicon, sentences, words
from grading.morphology import stem

REGIONS = {"en": ("US", "GB"), "ru": ("RU",)}
"""Where a phone number written without a country code is read as local."""
_MONTHS = (
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр"
    r"|октябр|ноябр|декабр"
)
_DATE = re.compile(
    rf"\b\d{{1,2}}[./]\d{{1,2}}(?:[./]\d{{2,4}})?\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})[a-zа-я]*"
    rf"|\b(?:{_MONTHS})[a-z]*\s+\d{{1,2}}(?:st|nd|rd|th)?\b",
    re.IGNORECASE,
)
_AMOUNT = re.compile(
    r"[$€£₽]\s?\d[\d\s.,]*\d|\b\d[\d\s.,]*\d?\s?(?:[$€£₽]|руб|р\.|rub|usd|eur|gbp|dollars?|euros?|pounds?)",
    re.IGNORECASE,
)
_CODE = re.compile(
    r"(?<![\w@.])#?[A-ZА-Я]{0,4}[-/]?\d[\w/-]*\d[\w-]*|(?<![\w@.])#?[A-ZА-Я]{1,4}-?\d{3,}", re.IGNORECASE
)
_DEVICE = re.compile(r"\b(?:i[A-Z][a-z]+|[A-Z][a-z]+[A-Z]\w*)\b|\b[A-Z][a-z]{2,}\s+[A-Z]?\d{1,4}[A-Za-z]?\b")
_NAME = re.compile(r"\b[A-ZА-ЯЁ][\w-]*[a-zа-яё][A-ZА-ЯЁ]\w*|\b[A-ZА-ЯЁ][a-zа-яё]{2,}\b")
_NOT_NAMES = frozenset(
    [
        "the",
        "they",
        "their",
        "them",
        "this",
        "that",
        "these",
        "those",
        "then",
        "there",
        "hi",
        "hello",
        "and",
        "but",
        "so",
        "also",
        "just",
        "yes",
        "no",
        "please",
        "thanks",
        "sorry",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "how",
        "my",
        "our",
        "your",
        "its",
        "it's",
        "i'm",
        "i've",
        "you",
        "we",
        "he",
        "she",
    ]
)
"""Capitalised words that start a sentence without naming anyone."""
CODE_DIGITS = 3
"""A code has at least this many digits ("4471-B"); fewer is a count or a time."""
_CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
"""13 to 19 digits, maybe in groups: a payment card number when its check digit is right (Luhn)."""
_ABBREVIATED = re.compile(r"\b(?:ул|д|кв|корп|стр|пр|пер|мкр|г|st|rd|ave|apt)\.(?=\s*[\w\d])", re.IGNORECASE)
"""An abbreviation's dot inside an address («ул. Лесная, д. 15»), which does not end a sentence."""


@dataclass(frozen=True)
class Detail:
    kind: str
    """order, ticket, contract, number (a code of no known kind), card, email, phone, address, date, amount,
    device."""
    value: str


@dataclass(frozen=True)
class DetailLexicon:
    asks: dict[str, Phrases]
    """For each kind, phrases that ask for it ("order number", «номер заказа»)."""
    nouns: dict[str, Phrases]
    """For each kind of code, the nouns that name it just before it ("order 4471-B", «договор 77-4410»)."""
    address: Phrases
    """Words of an address: "street", "lane", «ул», «квартира»."""
    told: Phrases
    """The customer saying they already said it: "I just told you", «я же писал»."""
    went: Phrases
    """The customer saying where they have been sent or have been: "sent me", "I called", «отправили»."""
    places: Phrases
    """Where a customer is sent: "store", "seller", "number", «магазин», «горячая линия»."""
    send: Phrases
    """Advice that sends them somewhere: "contact", "call", "reach out to", «обратитесь», «позвоните»."""
    tried: Phrases
    """Questions that are advice: "have you tried", «вы пробовали»."""
    labels: dict[str, str]
    """How a mark names each kind ("order number", «номер заказа»)."""
    skip: frozenset[str]
    """Words left out before matching what a question asks for («номер вашего договора» asks «номер договора»)."""


@cache
def detail_lexicon(language: str) -> DetailLexicon:
    path = Path(__file__).parent / "lexicon" / f"details-{language}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return DetailLexicon(
        asks={kind: Phrases(p) for kind, p in data["asks"].items()},
        nouns={kind: Phrases(p) for kind, p in data["nouns"].items()},
        address=Phrases(data["address"]),
        told=Phrases(data["told"]),
        went=Phrases(data["went"]),
        places=Phrases(data["places"]),
        send=Phrases(data["send"]),
        tried=Phrases(data["tried"]),
        labels=data["labels"],
        skip=frozenset(data["skip"]),
    )


def details(text: str, language: str) -> list[Detail]:
    """The details a customer's message gives, in order of kind."""
    lex = detail_lexicon(language)
    text = LINKS.sub(" ", text)
    found: list[Detail] = [Detail("email", e) for e in EMAIL.findall(text)]
    rest = EMAIL.sub(" ", text)
    for pattern, kind in ((_AMOUNT, "amount"), (_DATE, "date")):
        found += [Detail(kind, m.group().strip()) for m in pattern.finditer(rest)]
        rest = pattern.sub(" ", rest)
    cards = [
        m.group()
        for m in _CARD.finditer(rest)
        if luhn(m.group()) and _code_kind(rest[: m.start()], lex) in ("number", "contract")
    ]
    found += [Detail("card", card) for card in cards]
    for card in cards:
        rest = rest.replace(card, " ")
    codes: list[Detail] = []
    for sentence in address_sentences(rest):
        if lex.address.find(words(sentence)) and re.search(r"\d", sentence):
            found.append(Detail("address", sentence.strip()))
            continue
        for match in _CODE.finditer(sentence):
            code = match.group()
            if sum(c.isdigit() for c in code) >= CODE_DIGITS:
                codes.append(Detail(_code_kind(sentence[: match.start()], lex), code.lstrip("#")))
    # A code named for what it is ("order 7730-1152") is that; a bare number may be a phone number.
    found += [c for c in codes if c.kind != "number"]
    for region in REGIONS.get(language, ()):
        for phone in phonenumbers.PhoneNumberMatcher(rest, region, leniency=phonenumbers.Leniency.POSSIBLE):
            # Not a piece of a code already found ("48213-77" of order BX-48213-77).
            if not any(c.value in phone.raw_string or phone.raw_string in c.value for c in found):
                found.append(Detail("phone", phone.raw_string))
    phones = re.sub(r"\D", "", " ".join(d.value for d in found if d.kind == "phone"))
    found += [c for c in codes if c.kind == "number" and re.sub(r"\D", "", c.value) not in phones]
    found += [Detail("device", d) for d in _DEVICE.findall(text) if not d.isupper()]
    return found


def luhn(number: str) -> bool:
    """The payment card check digit is right (the Luhn algorithm)."""
    digits = [int(c) for c in number if c.isdigit()]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(reversed(digits)))
    return len(digits) >= 2 and total % 10 == 0


def address_sentences(text: str) -> list[str]:
    """Sentences, with an address's abbreviations («ул.», «д.», "St.") kept inside their sentence."""
    kept = _ABBREVIATED.sub(lambda m: m.group()[:-1] + "\u2024", text)  # the same length, so spans line up
    spans = [m.span() for m in re.finditer(r"[^.!?\n]+[.!?]*", kept)]
    return [text[start:end] for start, end in spans]


def _code_kind(before: str, lex: DetailLexicon) -> str:
    """The kind the nearest noun before a code names: "order 4471-B" is an order, «договор 77-4410» a contract."""
    tokens = words(before)[-4:]
    best, at = "number", -1
    for kind, nouns in lex.nouns.items():
        for i, _ in nouns.starts(tokens):
            if i > at:
                best, at = kind, i
    return best


def asks_for(text: str, language: str) -> list[str]:
    """The kinds of detail the agent's questions ask for ("What's your order number?" asks for an order)."""
    lex = detail_lexicon(language)
    base = lexicon(language)
    kinds: list[str] = []
    for sentence in sentences(LINKS.sub(" ", text)):
        if not is_question(sentence, base):
            continue
        tokens = [w for w in words(sentence) if w not in lex.skip]
        kinds += [kind for kind, phrases in lex.asks.items() if phrases.find(tokens) and kind not in kinds]
    return kinds


def confirms(text: str, detail: Detail) -> bool:
    """The agent says the value back ("So that's order 4471-B, right?"): confirming is not asking again."""
    digits = re.sub(r"\D", "", detail.value)
    if len(digits) >= CODE_DIGITS:
        return digits in re.sub(r"\D", "", text)
    return detail.value.casefold() in text.casefold()


def says_told(text: str, language: str) -> bool:
    """ "I just told you", «я же писал»: the customer had said it already."""
    return bool(detail_lexicon(language).told.find(words(text)))


def been_to(text: str, language: str) -> set[str]:
    """Stems of the places the customer says they were sent to, called or went to ("the store sent me here")."""
    lex = detail_lexicon(language)
    places: set[str] = set()
    for sentence in sentences(text):
        tokens = words(sentence)
        if lex.went.find(tokens):
            # A place is a word for one ("the store") or a name ("AudioNest said their return window is over").
            names = [w for w in _NAME.findall(sentence) if w.casefold() not in _NOT_NAMES]
            places |= {stem(w, language) for w in words(" ".join(names))}
            places |= {stem(phrase.split()[0], language) for phrase in lex.places.find(tokens)}
    return places


def sends_to(sentence: str, places: set[str], language: str) -> bool:
    """The sentence sends the customer to one of these places ("Please contact the store", "message AudioNest")."""
    lex = detail_lexicon(language)
    tokens = words(sentence)
    if not (lex.send.find(tokens) or lex.tried.find(tokens)):
        return False
    named = {stem(phrase.split()[0], language) for phrase in lex.places.find(tokens)}
    named |= {stem(w, language) for w in words(" ".join(_NAME.findall(sentence)))}
    return bool(named & places)


def advice(text: str, language: str) -> list[str]:
    """Sentences that tell the customer to do something, and questions that do ("Have you tried restarting?")."""
    lex = detail_lexicon(language)
    told = advice_sentences(text, language)
    return told + [s for s in sentences(text) if s not in told and lex.tried.find(words(s))]
