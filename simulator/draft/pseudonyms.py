"""Personal data in a real chat, replaced with consistent, realistic fakes before anything of it is written.

What is replaced: people's names (a name list per language, and names introduced or greeted: "my name is…",
"Operator Marina", "Hi Emily"), emails, phone numbers (``phonenumbers``: a valid number of the same region
and type), payment card numbers (a Luhn-valid number of the same length and network digit), addresses (street
and city words, house and flat numbers, postcodes) and order, ticket, contract and other codes (the same shape:
digits stay digits, letters stay letters, separators are kept). The details are found by
:func:`grading.details.details`, the same reader the grader uses; only names are found here.

One value maps to one fake everywhere in the chat (Russian names keep their case ending: «Марину» becomes
«Ольгу» when «Марина» became «Ольга»), and the fakes are drawn from a generator seeded with the chat itself,
so drafting the same chat twice gives the same draft. The names, streets and cities are data
(``lexicon-<lang>.yaml``): a small list per language rather than a large faker library, because a draft needs
a few plausible names, not every locale.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import phonenumbers
import yaml

from grading.cues import Phrases, lexicon, words
from grading.details import REGIONS, detail_lexicon, details, luhn

_CODES = frozenset({"order", "ticket", "contract", "number"})
_CAPITALISED = re.compile(r"(?<![\w@.])[A-ZА-ЯЁ][a-zа-яё]+(?:-[A-ZА-ЯЁ][a-zа-яё]+)?(?![\w@])")
_TOKEN = re.compile(r"[\w]+", re.UNICODE)
_YEAR = re.compile(r"(?:19|20)\d\d")
_JOINS = re.compile(r"[\s,.\u2024#/-]*")
_RU_ENDINGS = {
    "a": ("а", "ы", "и", "е", "у", "ой", "ей", "ою"),
    "ya": ("я", "и", "е", "ю", "ей", "ёй"),
    "y": ("й", "я", "ю", "ем", "е"),
    "soft": ("ь", "я", "ю", "ем", "е"),
    "cons": ("", "а", "у", "ом", "е"),
}
"""Case endings of Russian first names by how the name ends (Анна, Мария, Андрей, Игорь, Иван)."""
_SURNAME_ENDINGS = ("", "а", "у", "ым", "е", "ой", "ых", "ы")
"""Case endings of a Russian surname on its masculine base (Соколов, Соколова, Соколовой, Соколовым)."""
_SURNAME_BASE = re.compile(r"^([А-ЯЁ][а-яё]+(?:ов|ев|ёв|ин|ын))(" + "|".join(e for e in _SURNAME_ENDINGS if e) + ")?$")
_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        # fmt: off
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
        ],
        # fmt: on
        strict=True,
    )
)
_HARD = ("ая", "ой", "ую", "ое", "ый", "ых")
_SOFT = ("яя", "ей", "юю", "ее", "ий", "их")
_RU_ADJECTIVE = re.compile(r"([А-ЯЁ][а-яё]+?)(" + "|".join(_HARD + _SOFT) + ")")
"""A street named by an adjective («Лесная улица», «на Лесной») and its ending."""
_HUSHING = tuple("гкхжшщч")
_SIBILANT = tuple("жшчщц")


@dataclass(frozen=True)
class FakeData:
    female: tuple[str, ...]
    male: tuple[str, ...]
    surnames: tuple[str, ...]
    streets: tuple[str, ...]
    cities: tuple[str, ...]
    mail_domains: frozenset[str]
    introduces: Phrases
    """Words right before a name that introduce it ("my name is", «оператор»)."""
    greets: Phrases
    """Words right before a name that greet or thank its owner ("Hi", «спасибо»)."""
    cues: dict[str, Phrases]
    """What the customer's words say about their temperament, and how polite they are."""


@cache
def fake_data(language: str) -> FakeData:
    data = yaml.safe_load((Path(__file__).parent / f"lexicon-{language}.yaml").read_text(encoding="utf-8"))
    return FakeData(
        female=tuple(data["female"]),
        male=tuple(data["male"]),
        surnames=tuple(data["surnames"]),
        streets=tuple(data["streets"]),
        cities=tuple(data["cities"]),
        mail_domains=frozenset(data["mail_domains"]),
        introduces=Phrases(data["introduces"]),
        greets=Phrases(data["greets"]),
        cues={name: Phrases(phrases) for name, phrases in data["cues"].items()},
    )


def _script(word: str) -> str:
    return "ru" if re.search(r"[а-яё]", word, re.IGNORECASE) else "en"


def _ru_class(name: str) -> str:
    last = name[-1].casefold()
    return {"а": "a", "я": "ya", "й": "y", "ь": "soft"}.get(last, "cons")


def _ru_stem(name: str) -> str:
    return name if _ru_class(name) == "cons" else name[:-1]


def _attach(stem: str, ending: str, kind: str) -> str:
    """A case ending on a fake stem, spelled as Russian spells it after that stem («Ольги», not «Ольгы»)."""
    if kind == "a" and ending in ("ы", "и"):
        ending = "и" if stem.casefold().endswith(_HUSHING) else "ы"
    if kind == "a" and ending in ("ой", "ей"):
        ending = "ей" if stem.casefold().endswith(_SIBILANT) else "ой"
    return stem + ending


@dataclass(frozen=True)
class _Name:
    lemma: str
    """The name as listed (nominative)."""
    gender: str
    ending: str = ""
    kind: str = ""
    """How a Russian name declines (see ``_RU_ENDINGS``); empty for English."""


@cache
def _first_names() -> dict[str, _Name]:
    """Every form of every listed first name, in both languages, by its lower-case form."""
    forms: dict[str, _Name] = {}
    for language in ("en", "ru"):
        data = fake_data(language)
        for gender, names in (("f", data.female), ("m", data.male)):
            for name in names:
                if _script(name) == "en":
                    forms.setdefault(name.casefold(), _Name(name, gender))
                    continue
                kind = _ru_class(name)
                for ending in _RU_ENDINGS[kind]:
                    form = _attach(_ru_stem(name), ending, kind)
                    forms.setdefault(form.casefold().replace("ё", "е"), _Name(name, gender, ending, kind))
    return forms


@cache
def _surnames() -> dict[str, str]:
    """Listed surnames in both languages: English ones as they are, Russian bases ("соколов") to themselves."""
    return {name.casefold().replace("ё", "е"): name for lang in ("en", "ru") for name in fake_data(lang).surnames}


def _shape(value: str, rng: random.Random) -> str:
    """The same shape: each digit a digit (no leading zero where there was none), each letter a letter of the same
    script and case, everything else kept."""
    out = []
    for i, char in enumerate(value):
        if char.isdigit():
            leading = i == 0 or not value[i - 1].isdigit()
            low = 1 if leading and char != "0" else 0
            out.append(str(rng.randint(low, 9)))
        elif char.isalpha():
            cyrillic = "абвгдежзиклмнопрстуфхцчшэюя" if _script(char) == "ru" else "abcdefghijkmnpqrstuvwxyz"
            new = rng.choice(cyrillic)
            out.append(new.upper() if char.isupper() else new)
        else:
            out.append(char)
    return "".join(out)


def _luhn_digit(body: str) -> str:
    for digit in "0123456789":
        if luhn(body + digit):
            return digit
    raise AssertionError("unreachable: one check digit always fits")


def _into(template: str, digits: str) -> str:
    """``digits`` written into the last digit positions of ``template`` (its spaces, dashes and brackets kept)."""
    chars = list(template)
    positions = [i for i, c in enumerate(chars) if c.isdigit()]
    for i, digit in zip(positions[len(positions) - len(digits) :], digits, strict=True):
        chars[i] = digit
    return "".join(chars)


def translit(text: str) -> str:
    """Russian letters in Latin ones, for an email's local part or an id."""
    return "".join(_TRANSLIT.get(c, _TRANSLIT.get(c.lower(), c).capitalize() if c.isupper() else c) for c in text)


@dataclass
class Pseudonyms:
    """One chat's mapping from personal data to fakes; see the module docstring."""

    seed: str
    language: str
    fakes: dict[tuple[str, str], str] = field(default_factory=dict)
    """(kind, the original's key) -> its fake."""
    replaced: dict[str, str] = field(default_factory=dict)
    """Each original as written -> what replaces it."""
    customer: str | None = None
    """The customer's (fake) first name, when the chat gives it."""
    agents: set[str] = field(default_factory=set)
    """The (original) first names of the people who answered."""
    _rng: random.Random = field(init=False)
    _used: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    # --- the fakes

    def _fresh(self, kind: str, key: str, make: Callable[[], str]) -> str:
        if (kind, key) not in self.fakes:
            for _ in range(200):
                fake = make()
                if fake.casefold() != key.casefold() and fake not in self._used:
                    break
            self._used.add(fake)
            self.fakes[kind, key] = fake
        return self.fakes[kind, key]

    def _pick(self, pool: Iterable[str], avoid: str) -> str:
        choices = sorted(p for p in pool if p.casefold() != avoid.casefold())
        return self._rng.choice(choices or sorted(pool))

    def first_name(self, name: _Name) -> str:
        """The fake for a first name's lemma, in the same form (case ending) as ``name``; every other form of a
        Russian name is learned with it («Марину», «Мариной»)."""
        language = _script(name.lemma)
        data = fake_data(language)
        pool = data.female if name.gender == "f" else data.male
        if name.kind:
            pool = tuple(p for p in pool if _ru_class(p) == name.kind) or pool
        lemma = self._fresh("name", name.lemma.casefold(), lambda: self._pick(pool, name.lemma))
        if not name.kind:
            return lemma
        kind = _ru_class(lemma)
        if kind == name.kind:
            for ending in _RU_ENDINGS[kind]:
                self._remember(_attach(_ru_stem(name.lemma), ending, kind), _attach(_ru_stem(lemma), ending, kind))
        return _attach(_ru_stem(lemma), name.ending if name.ending in _RU_ENDINGS[kind] else "", kind)

    def surname(self, word: str) -> str:
        """A fake surname; a Russian one keeps its case ending on a fake base («Соколовой» -> «Ивановой»)."""
        match = _SURNAME_BASE.match(word)
        if match:
            base, ending = match[1], match[2] or ""
            pool = tuple(fake_data("ru").surnames)
            return self._fresh("surname", base.casefold(), lambda: self._pick(pool, base)) + ending
        pool = fake_data(_script(word)).surnames
        return self._fresh("surname", word.casefold(), lambda: self._pick(pool, word))

    def place(self, word: str, street: bool) -> str:
        """A fake street or city; a Russian one is learned in every case form («Лесная», «на Лесной»)."""
        data = fake_data(_script(word))
        pool = data.streets if street else data.cities
        adjective = _RU_ADJECTIVE.fullmatch(word) if _script(word) == "ru" else None
        if adjective:
            stem, hard = adjective[1], adjective[2] in _HARD
            endings = _HARD if hard else _SOFT
            same = tuple(p for p in pool if p.endswith(endings[0])) or pool
            fake = self._fresh("place", stem.casefold(), lambda: self._pick(same, stem + endings[0]))
            for ending in endings:
                self._remember(stem + ending, fake[:-2] + ending)
            return fake[:-2] + adjective[2]
        if _script(word) == "ru":
            kind = _ru_class(word)
            same = tuple(p for p in pool if _ru_class(p) == kind and not _RU_ADJECTIVE.fullmatch(p)) or pool
            fake = self._fresh("place", word.casefold(), lambda: self._pick(same, word))
            if _ru_class(fake) == kind:
                for ending in _RU_ENDINGS[kind]:
                    self._remember(_attach(_ru_stem(word), ending, kind), _attach(_ru_stem(fake), ending, kind))
            return fake
        fake = self._fresh("place", word.casefold(), lambda: self._pick(pool, word))
        self._remember(word, fake)
        return fake

    def code(self, value: str) -> str:
        return self._fresh("code", value.upper(), lambda: _shape(value, self._rng))

    def card(self, value: str) -> str:
        digits = re.sub(r"\D", "", value)

        def make() -> str:
            body = digits[0] + "".join(str(self._rng.randint(0, 9)) for _ in digits[1:-1])
            return body + _luhn_digit(body)

        fake = self._fresh("card", digits, make)
        self._remember(digits[-4:], fake[-4:])  # "the card ending 6467", wherever it is said
        return _into(value, fake)

    def card_tail(self, value: str) -> str | None:
        """The fake's last digits for the last digits of a card already seen ("the card ending 6467")."""
        for (kind, original), fake in self.fakes.items():
            if kind == "card" and len(value) >= 4 and original.endswith(value):
                return fake[-len(value) :]
        return None

    def phone(self, raw: str) -> str:
        number, region = None, ""
        for region in REGIONS.get(self.language, ("US",)):
            try:
                number = phonenumbers.parse(raw, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                region = phonenumbers.region_code_for_number(number) or region
                break
        if number is None:
            return self.code(raw)
        national = str(number.national_number)
        wanted = phonenumbers.number_type(number)

        def make() -> str:
            for _ in range(2000):
                digits = national[0] + "".join(str(self._rng.randint(0, 9)) for _ in national[1:])
                fake = phonenumbers.parse(digits, region)
                if phonenumbers.is_valid_number_for_region(fake, region) and phonenumbers.number_type(fake) == wanted:
                    return digits
            example = phonenumbers.example_number_for_type(region, wanted) or phonenumbers.example_number(region)
            return str(example.national_number) if example else _shape(national, self._rng)

        fake = self._fresh("phone", f"{number.country_code}{national}", make)
        if sum(c.isdigit() for c in raw) < len(fake):
            return phonenumbers.format_number(phonenumbers.parse(fake, region), phonenumbers.PhoneNumberFormat.NATIONAL)
        return _into(raw, fake)

    def email(self, value: str) -> str:
        local, _, domain = value.partition("@")
        language = "ru" if self.language == "ru" else "en"
        data = fake_data(language)
        domain_fake = (
            domain
            if domain.casefold() in data.mail_domains
            else self._fresh("domain", domain.casefold(), lambda: "example." + domain.rsplit(".", 1)[-1])
        )

        def part(piece: str) -> str:
            if not piece.isalpha():
                return _shape(piece, self._rng)
            known = self._known_in_latin(piece.casefold())
            name = known or self._pick(data.surnames if self._rng.random() < 0.5 else data.female + data.male, piece)
            return translit(name).casefold()

        def make() -> str:
            return "".join(part(p) for p in re.findall(r"[^\W\d_]+|\d+|[^\w]|_", local)) + "@" + domain_fake

        return self._fresh("email", value.casefold(), make)

    def _known_in_latin(self, piece: str) -> str | None:
        """The fake of a name or surname already seen, when ``piece`` spells it in Latin ("sokolova")."""
        for (kind, original), fake in self.fakes.items():
            if kind not in ("name", "surname"):
                continue
            spelled = translit(original).casefold()
            if piece == spelled:
                return fake
            if kind == "surname" and piece.startswith(spelled) and piece[len(spelled) :] in ("a", ""):
                return fake + piece[len(spelled) :]
        return None

    # --- finding what to replace

    def learn(self, text: str, role: str) -> None:
        """Find the personal data in one message and choose a fake for each (``role``: who wrote it)."""
        self._names(text, role)
        found = details(text, self.language)
        for detail in found:
            if detail.kind == "email":
                self._remember(detail.value, self.email(detail.value))
            elif detail.kind == "card":
                self._remember(detail.value, self.card(detail.value))
        for detail in found:
            if detail.kind == "phone":
                self._remember(detail.value, self.phone(detail.value))
            elif detail.kind == "address":
                self._address(detail.value)
            elif detail.kind in _CODES and not _YEAR.fullmatch(detail.value):
                tail = self.card_tail(detail.value) if detail.value.isdigit() else None
                self._remember(detail.value, tail or self.code(detail.value))

    def _remember(self, original: str, fake: str) -> None:
        if original and original not in self.replaced:
            self.replaced[original] = fake

    def _address(self, value: str) -> None:
        """The address part of a sentence: runs of street and city words, numbers and the words of an address
        ("14 Willow Lane, Flat 3, Bristol BS6 5QT", «Москва, ул. Лесная, д. 15»)."""
        kinds = detail_lexicon(self.language).address
        stop = lexicon(self.language).stopwords

        def sort(word: str) -> str | None:
            if kinds.find(words(word)):
                return "kind"
            if any(c.isdigit() for c in word):
                return "number"
            return "name" if word[0].isupper() and word.casefold() not in stop else None

        runs: list[list[tuple[re.Match[str], str]]] = []
        for match in _TOKEN.finditer(value):
            kind = sort(match.group())
            if kind is None:
                runs.append([])
                continue
            joined = runs and runs[-1] and _JOINS.fullmatch(value[runs[-1][-1][0].end() : match.start()])
            if not joined:
                runs.append([])
            runs[-1].append((match, kind))
        for run in runs:
            sorts = [kind for _, kind in run]
            if "kind" in sorts and {"number", "name"} & set(sorts):
                self._remember(value[run[0][0].start() : run[-1][0].end()], self._fake_address(value, run))

    def _fake_address(self, value: str, run: list[tuple[re.Match[str], str]]) -> str:
        out, at = [], run[0][0].start()
        for i, (match, kind) in enumerate(run):
            out.append(value[at : match.start()])
            at = match.end()
            word = match.group()
            if kind == "number" or (kind == "name" and word.isupper()):
                out.append(self.code(word))
            elif kind == "name":
                # "Willow Lane", «ул. Лесная»: the word beside the street's kind names the street.
                if self.language == "ru":
                    street = i > 0 and run[i - 1][1] == "kind"
                else:
                    street = i + 1 < len(run) and run[i + 1][1] == "kind"
                out.append(self.place(word, street=street))
            else:
                out.append(word)
        return "".join(out)

    def _names(self, text: str, role: str) -> None:
        data = fake_data(self.language)
        firsts = _first_names()
        surnames = _surnames()
        matches = list(_CAPITALISED.finditer(text))
        for i, match in enumerate(matches):
            word = match.group()
            before = words(re.split(r"[.!?]", text[max(0, match.start() - 40) : match.start()])[-1])[-4:]
            after = words(text[match.end() : match.end() + 12])[:2]
            introduced = any(before[-len(p) :] == list(p) for p in data.introduces.phrases) or after[:1] == ["here"]
            introduced = introduced or after == ["на", "связи"]
            greeted = any(before[-len(p) :] == list(p) for p in data.greets.phrases)
            key = word.casefold().replace("ё", "е")
            name = firsts.get(key)
            stop = key in lexicon(self.language).stopwords or key in lexicon(self.language).generic
            addressed = introduced or (greeted and re.match(r"\s*(?:[,.!?;:—-]|$)", text[match.end() :]))
            if name is None and addressed and not stop and len(word) > 2:
                kind = _ru_class(word) if _script(word) == "ru" else ""
                name = _Name(word, "f" if kind in ("a", "ya") else "m", _RU_ENDINGS[kind][0] if kind else "", kind)
            if name is not None:
                self._remember(word, self.first_name(name))
                self._owner(name.lemma, role, introduced, greeted)
                following = matches[i + 1] if i + 1 < len(matches) else None
                if following and text[match.end() : following.start()].strip() == "":
                    self._remember(following.group(), self.surname(following.group()))
            elif self._surname(word, key, surnames, i > 0 and matches[i - 1].end() + 1 == match.start()):
                self._remember(word, self.surname(word))

    @staticmethod
    def _surname(word: str, key: str, surnames: dict[str, str], after_a_word: bool) -> bool:
        """A listed surname: a Russian one in any case form, an English one right after another capitalised word."""
        base = _SURNAME_BASE.match(word)
        if base:
            return base[1].casefold().replace("ё", "е") in surnames
        return key in surnames and _script(word) == "en" and after_a_word

    def _owner(self, lemma: str, role: str, introduced: bool, greeted: bool) -> None:
        """Whose name it is: one the agent uses without introducing themselves ("Sorry, Emily", «Анна, понимаю»)
        or the customer introduces is the customer's; one a system note or the agent introduces ("I'm Jake",
        «Оператор Марина»), or the customer greets or thanks, is the agent's."""
        theirs = (role == "agent" and not introduced) or (role == "customer" and introduced)
        if role == "system" or (role == "agent" and introduced) or (role == "customer" and greeted):
            self.agents.add(lemma)
        elif theirs and self.customer is None and lemma not in self.agents:
            self.customer = self.fakes.get(("name", lemma.casefold()))

    # --- replacing

    def apply(self, text: str) -> str:
        """``text`` with every original learned so far replaced by its fake (the longest first)."""
        if not self.replaced:
            return text
        originals = sorted(self.replaced, key=len, reverse=True)
        pattern = re.compile(r"(?<![\w@.])(?:" + "|".join(re.escape(o) for o in originals) + r")(?![\w@])")
        return pattern.sub(lambda m: self.replaced[m.group()], text)
