"""Does a model's customer line carry what the director decided, and make sense at all?

The actor's other checks catch leaks, the agent's voice and the wrong language. These catch the lines small
models write most: right language, wrong meaning ("I'm going to sleep." as thanks, "So, we can pay each of
those charges." as a reveal), a phrase said twice in one line, the company's own thanks, and words that have
nothing to do with the conversation. The signs of each intent are data (``lexicon/fit-<lang>.yaml``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from grading.cues import Phrases, lexicon, words
from grading.morphology import ROOT, root
from simulator.catalog.models import Intent

_QUOTED = re.compile(r"«[^»]*»|“[^”]*”|\"[^\"]*\"|'[^']{8,}'")
QUOTED = 3
"""Words of the agent's message a complaint may quote instead of naming the script."""
UNRELATED = 3
"""Content words a line may have, none of them in the conversation, before it counts as unrelated."""


@dataclass(frozen=True)
class FitLexicon:
    signs: dict[Intent, Phrases]
    """Words that carry each intent; an intent without signs needs none."""
    asks: frozenset[Intent]
    """Intents a question mark also carries ("You mean the contract?")."""
    company: Phrases
    """The company's voice: "thanks for contacting", «благодарим за обращение»."""
    ours: frozenset[str]
    """The company's "we" ("we", "our"): a reveal states the customer's own fact."""
    yours: frozenset[str]
    """"Your …" opening a reveal gives the agent the customer's fact as the agent's own."""
    everyday: frozenset[str]
    """Words any customer uses in any conversation (stopwords, the signs above): never off-topic."""
    works_now: Phrases
    """A thanks that says the problem is gone ("it works", «заработало»)."""
    later: Phrases
    """A fix still to come ("a technician tomorrow", «мастер приедет завтра»)."""


@cache
def fit_lexicon(language: str) -> FitLexicon:
    path = Path(__file__).parent / "lexicon" / f"fit-{language}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return FitLexicon(
        signs={Intent(k): Phrases(v) for k, v in data["signs"].items()},
        asks=frozenset(Intent(k) for k in data["question_carries"]),
        company=Phrases(data["company"]),
        ours=frozenset(data["ours"]),
        yours=frozenset(data["yours"]),
        works_now=Phrases(data["works_now"]),
        later=Phrases(data["later"]),
        everyday=lexicon(language).generic | {w for p in data["signs"].values() for phrase in p for w in words(phrase)},
    )


@dataclass(frozen=True)
class Context:
    """What the line must fit: the conversation so far and the words that belong to it."""

    language: str
    agent_last: str = ""
    """The agent's latest message (a template complaint may quote it)."""
    known: str = ""
    """Everything the line may echo: the case, the customer's own lines, the agent's."""
    trap_words: tuple[str, ...] = ()


def misfit(text: str, intents: Iterable[Intent], context: Context) -> str | None:
    """Why the line does not carry the decision or make sense, or None when it does."""
    lex = fit_lexicon(context.language)
    intents = list(intents)
    said = words(text)
    if repeated := _repeated(said):
        return f"repeats '{repeated}' within the line"
    # A customer may quote the company back ("'We value your patience'? Is that it?"): only their own words count.
    own = words(_QUOTED.sub(" ", text))
    if any(phrase not in " ".join(words(context.agent_last)) for phrase in lex.company.find(own)):
        return "speaks as the company"
    if Intent.tangent not in intents and _unrelated(said, context, lex):  # a tangent is off the topic by design
        return "has nothing to do with the conversation"
    if Intent.thanks in intents and premature(text, context.agent_last, context.language):
        return "says it works while the fix is still to come"
    for intent in intents:
        if intent is Intent.reveal:
            if lex.ours & set(said[:3]) or any(w in lex.ours for w in said if w in ("we", "мы")):
                return "states the fact as the company's"
            if said[:1] and said[0] in lex.yours:
                return "states the fact as the agent's"
            continue
        if not _carries(text, said, intent, context, lex):
            return f"does not {intent.value.replace('_', ' ')}"
    return None


def premature(line: str, agent_last: str, language: str) -> bool:
    """The line says the problem is gone ("It works") while the agent's fix is still to come ("a technician
    tomorrow"): a thanks that makes no sense yet."""
    lex = fit_lexicon(language)
    return bool(lex.works_now.find(words(line))) and bool(lex.later.find(words(agent_last)))


def _carries(text: str, said: list[str], intent: Intent, context: Context, lex: FitLexicon) -> bool:
    signs = lex.signs.get(intent)
    if signs is None:
        return True
    if signs.find(said) or (intent in lex.asks and "?" in text):
        return True
    if intent is Intent.template_complaint:
        return _quotes(said, words(context.agent_last))
    if intent is Intent.trap_reject:
        return any(w in said for w in context.trap_words)
    return False


def _repeated(said: list[str]) -> str | None:
    """A phrase of two or more words said twice in one line ("I'm sorry, I'm sorry")."""
    seen: set[tuple[str, str]] = set()
    for pair in zip(said, said[1:], strict=False):
        if pair in seen:
            return " ".join(pair)
        seen.add(pair)
    return None


def _quotes(said: list[str], agent: list[str]) -> bool:
    spans = {tuple(agent[i : i + QUOTED]) for i in range(len(agent) - QUOTED + 1)}
    return any(tuple(said[i : i + QUOTED]) in spans for i in range(len(said) - QUOTED + 1))


def _unrelated(said: list[str], context: Context, lex: FitLexicon) -> bool:
    """None of the line's content words begins like a word of the conversation (its ``root``, as
    ``cues.mentions`` compares them)."""
    content = [w for w in said if len(w) >= 4 and w not in lex.everyday and not w.isdigit()]
    if len(content) < UNRELATED:
        return False
    known = {w[:n] for w in words(context.known) for n in (ROOT - 1, ROOT)}  # read once, not once per content word
    return not any(root(w) in known for w in content)
