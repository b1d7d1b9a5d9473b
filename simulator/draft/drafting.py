"""A scenario draft from one real conversation, read with the grader's own readers.

The chat is imported (``transcripts.imports``), its personal data replaced with fakes (``pseudonyms``), and
then read as the grader reads it:

- the **opening** is the customer's first messages, before anyone answered;
- a detail the customer gave (``grading.details``: an order number, an address, a phone number…) is a
  **hidden** fact when the agent's last messages asked for that kind of detail (``asks_for``), with the
  agent's question as its ``question`` and the lexicon's phrases for that kind (and the question's own words) as
  ``ask``; otherwise it is **volunteered**. An answer to a question that asks for no known kind of detail
  ("Which lights are on?") is a hidden fact named by the question's words. What the customer says they
  already did or where they have been is volunteered;
- replies the grader marks ``canned_answer`` become **templates**;
- the **temperament** and intensity come from the customer's cues (``grading.cues.distress``: words, CAPITALS,
  "?!"; and the cue words in ``lexicon-<lang>.yaml``: fear, impatience, confusion, sarcasm, politeness);
- ``mentor_notes`` say what the grader found in the real chat, message by message.

What only a person can decide (the right fix, the trap, the business area) is written as a ``TODO`` value,
which ``sparring validate`` reports, one line each, until it is filled in.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grading import grade
from grading.cues import already_done, analyze, distress, lexicon, questions, sentences, words
from grading.details import Detail, asks_for, been_to, detail_lexicon, details
from grading.grader import sentence_with
from grading.understanding import reading
from simulator.catalog.models import Scenario, Temperament
from simulator.draft.pseudonyms import Pseudonyms, fake_data, translit
from simulator.i18n import t
from transcripts.format import Transcript, TranscriptError
from transcripts.imports import read_conversation

TODO = "TODO"
"""How a value a person must still write begins; ``sparring validate`` fails while one is left."""
MAX_PHRASE = 200
MAX_TEXT = 2000
MAX_CHUNKS = 6
ASK_PHRASES = 8
CODES = ("order", "ticket", "contract")
LABEL_WORDS = 4
"""Words of an agent's question that name the fact it asks for, when no lexicon kind does."""
_ORDER = tuple(Temperament)
TITLE_WORDS = 4
"""The title is the customer's first sentence of at least this many words (not "Hello!")."""


class DraftExists(FileExistsError):
    """The output file is there already and may not be overwritten."""


@dataclass
class _Fact:
    id: str
    label: str
    value: str
    ask: list[str] = field(default_factory=list)
    question: str | None = None
    reveal: list[str] = field(default_factory=list)
    required: bool = False

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "label": self.label, "value": self.value}
        if self.ask:
            out["ask"] = self.ask
        if self.question:
            out["question"] = self.question
        if self.reveal:
            out["reveal"] = self.reveal
        if self.required:
            out["required"] = True
        return out


@dataclass
class Mood:
    temperament: Temperament
    intensity: int
    evidence: list[str]
    """The customer's words that tell it ("NOBODY", "?!", "really panicking")."""


@dataclass
class Draft:
    scenario_id: str
    language: str
    text: str
    """The YAML."""
    todos: int
    """Values a person must still write."""
    replaced: int
    """Personal details replaced with fakes."""
    mood: Mood


# ------------------------------------------------------------------------------------------ small helpers


def _cut(text: str, limit: int = MAX_PHRASE) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def slug(text: str) -> str:
    """An id from any text: Latin letters, digits and dashes."""
    out = re.sub(r"[^a-z0-9]+", "-", translit(text.casefold())).strip("-")
    return out[:64].strip("-")


def _unique_id(wanted: str, taken: set[str]) -> str:
    base = slug(wanted) or "fact"
    name, n = base, 2
    while name in taken:
        name = f"{base}-{n}"
        n += 1
    taken.add(name)
    return name


def _phrases(kind: str, language: str) -> list[str]:
    lex = detail_lexicon(language)
    found = lex.asks.get(kind)
    return [" ".join(p) for p in found.phrases][:ASK_PHRASES] if found else []


def _topic(question: str, language: str) -> list[str]:
    """The words of a question that say what it asks about ("which lights are on at the front of the router?"
    -> lights, front, router)."""
    lex = lexicon(language)
    skip = lex.generic | lex.question_starts | lex.polite | lex.openers | lex.stopwords
    said = [w for w in words(question) if w not in skip and len(w) >= 3 and not w.isdigit()]
    return list(dict.fromkeys(said))[:LABEL_WORDS]


def _closer(sentence: str, language: str) -> bool:
    lex = lexicon(language)
    return bool(lex.closers.find(words(sentence)) or lex.agent_voice.find(words(sentence)))


# ------------------------------------------------------------------------------------------ reading the chat


def _pseudonymised(transcript: Transcript) -> tuple[Transcript, Pseudonyms]:
    seed = hashlib.sha256("\n".join(f"{e.role}\t{e.text or ''}" for e in transcript.events).encode("utf-8")).hexdigest()
    fakes = Pseudonyms(seed, transcript.language)
    for event in transcript.events:
        if event.text:
            fakes.learn(event.text, event.role)
    events = [e.model_copy(update={"text": fakes.apply(e.text)}) if e.text else e for e in transcript.events]
    return transcript.model_copy(update={"events": events, "id": "draft", "meta": {}}), fakes


@dataclass
class _Reading:
    language: str
    opening: list[str] = field(default_factory=list)
    volunteered: list[_Fact] = field(default_factory=list)
    hidden: list[_Fact] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)
    said: set[str] = field(default_factory=set)
    """Kinds of volunteered statement already taken ("tried", "been")."""

    def fact(self, kind_label: str, value: str) -> _Fact | None:
        key = value.casefold()
        if not value or key in self.seen:
            return None
        self.seen.add(key)
        return _Fact(_unique_id(kind_label, self.ids), _cut(kind_label), _cut(value))


def _read(transcript: Transcript) -> _Reading:
    lang = transcript.language
    found = _Reading(lang)
    kinds: dict[str, str] = {}
    """Kinds of detail the agent's last messages asked for -> the question that asked."""
    open_questions: list[str] = []
    """The agent's last questions that ask for no known kind of detail."""
    acted = False
    opening = True
    last = ""
    for event in transcript.messages():
        text = event.text or ""
        if event.role == "agent":
            if last != "agent":
                kinds, open_questions = {}, []
            opening = opening and not found.opening
            for sentence in questions(text, lang):
                if _closer(sentence, lang):
                    continue
                asked = asks_for(sentence, lang)
                for kind in asked:
                    kinds.setdefault(kind, sentence.strip())
                if not asked:
                    open_questions.append(sentence.strip())
            cues = analyze(text, lang)
            acted = acted or cues.fix or cues.looked
        elif event.role == "customer":
            if opening:
                found.opening.append(text)
                _volunteer(found, text, lang)
            else:
                _answer(found, text, lang, kinds, open_questions, acted)
        last = event.role
    return found


def _given(text: str, lang: str) -> list[Detail]:
    """The customer's details in a message, without a "device" that is part of an address ("Flat 3")."""
    found = details(text, lang)
    addresses = [d.value for d in found if d.kind == "address"]
    return [d for d in found if not (d.kind == "device" and any(d.value in a for a in addresses))]


def _label(kind: str, lang: str) -> str:
    return detail_lexicon(lang).labels.get(kind, kind)


def _volunteer(found: _Reading, text: str, lang: str) -> None:
    for detail in _given(text, lang):
        fact = found.fact(_label(detail.kind, lang), detail.value)
        if fact is not None:
            fact.ask = _phrases(detail.kind, lang)
            found.volunteered.append(fact)
    already = lexicon(lang).already
    for sentence in sentences(text):
        # Where they have been ("I've called the courier"), else what they did already ("перезагружала уже").
        tried = bool(already & set(words(sentence))) and bool(already_done(sentence, lang))
        kind = "been" if been_to(sentence, lang) else "tried" if tried else None
        if kind and kind not in found.said:
            fact = found.fact(t(f"draft.label.{kind}", lang=lang), sentence.strip())
            if fact is not None:
                found.said.add(kind)
                found.volunteered.append(fact)


def _answer(
    found: _Reading, text: str, lang: str, kinds: dict[str, str], open_questions: list[str], acted: bool
) -> None:
    answered = False
    unasked = []
    for detail in _given(text, lang):
        kind = detail.kind
        if kind == "number":
            kind = next((k for k in CODES if k in kinds), kind)
        if kind not in kinds:
            unasked.append(detail)
            continue
        fact = found.fact(_label(kind, lang), detail.value)
        answered = True
        if fact is None:
            continue
        fact.ask = _phrases(kind, lang)
        fact.question = _cut(kinds[kind])
        fact.required = not acted
        if detail.value in text and "{" not in text and "}" not in text:
            fact.reveal = [_cut(text.replace(detail.value, "{value}"), MAX_TEXT)]
        found.hidden.append(fact)
    for detail in unasked:
        fact = found.fact(_label(detail.kind, lang), detail.value)
        if fact is not None:
            fact.ask = _phrases(detail.kind, lang)
            found.volunteered.append(fact)
    if not answered and open_questions:
        question = open_questions.pop(0)
        topic = _topic(question, lang)
        first = next((s.strip() for s in sentences(text) if s.strip()), "")
        # "Yes." is no fact, and a value the opening already says is not hidden.
        if topic and len(words(first)) >= 2 and first.casefold() not in " ".join(found.opening).casefold():
            fact = found.fact(" ".join(topic), first)
            if fact is not None:
                fact.ask = [" ".join(topic)] + ([" ".join(topic[:2])] if len(topic) > 2 else [])
                fact.question = _cut(question)
                fact.required = not acted
                found.hidden.append(fact)
            return
    if not answered:
        _volunteer(found, text, lang)


# ------------------------------------------------------------------------------------------ the customer's mood


def mood(texts: Iterable[str], language: str) -> Mood:
    """The temperament and intensity the customer's messages suggest, and the words that suggest them."""
    cues = fake_data(language).cues
    scores = dict.fromkeys(Temperament, 0)
    evidence: list[str] = []
    polite = 0
    for text in texts:
        signs = distress(text, language)
        shouts = [s for s in signs if s.isupper() or s in ("!!", "?!")]
        scores[Temperament.angry] += 2 * len(shouts) + len(signs) - len(shouts)
        evidence += signs
        tokens = words(text)
        for name in ("anxious", "impatient", "confused", "sarcastic"):
            said = cues[name].find(tokens)
            scores[Temperament(name)] += 2 * len(said)
            evidence += said
        polite += len(cues["polite"].find(tokens))
    if polite:  # a polite customer in distress is afraid rather than angry
        scores[Temperament.anxious] += min(polite, scores[Temperament.angry] // 2)
        scores[Temperament.angry] -= min(polite, scores[Temperament.angry] // 2)
    best = max(_ORDER, key=lambda k: (scores[k], -_ORDER.index(k)))
    if scores[best] == 0:
        return Mood(Temperament.passive, 2, [])
    intensity = max(1, min(10, round(2 + 0.6 * scores[best]) - min(2, polite // 2)))
    return Mood(best, intensity, list(dict.fromkeys(evidence)))


# ------------------------------------------------------------------------------------------ the draft


def _templates(transcript: Transcript, marked: set[int]) -> list[str]:
    """The sentences that make each reply the grader marked canned a template (the whole reply when none do)."""
    found: list[str] = []
    heard = ""
    lang = transcript.language
    for event in transcript.messages():
        text = event.text or ""
        if event.role == "customer":
            heard += " " + text
        elif event.seq in marked:
            cues = analyze(text, lang, heard=heard)
            parts = [sentence_with(text, phrase.split()) for phrase in cues.canned] or [text]
            template = _cut(" ".join(dict.fromkeys(p.strip() for p in parts)), MAX_TEXT)
            if template not in found:
                found.append(template)
    return found


def _notes(transcript: Transcript) -> tuple[str, set[int], list[str]]:
    """Mentor notes on what the grader found, the canned replies' numbers, and advice it marked wrong."""
    lang = transcript.language
    report = grade(transcript)
    faults = [m for m in report.marks if not m.positive and not m.voided]
    strengths = list(dict.fromkeys(t(f"kind.{m.kind}", lang=lang) for m in report.marks if m.positive))
    said = [
        t("draft.notes.fault", lang=lang, kind=t(f"kind.{m.kind}", lang=lang), seq=m.seq, why=m.why.rstrip("."))
        for m in faults
    ]
    notes = [t("draft.notes.intro", lang=lang)]
    found = t("draft.notes.faults", lang=lang, faults="; ".join(said)) if said else t("draft.notes.clean", lang=lang)
    notes.append(found)
    if strengths:
        notes.append(t("draft.notes.strengths", lang=lang, kinds=", ".join(strengths)))
    canned = {m.seq for m in faults if m.kind == "canned_answer"}
    wrong = [m.quote for m in faults if m.kind == "wrong_advice"]
    return _cut(" ".join(notes), MAX_TEXT), canned, wrong


def _todo(key: str) -> str:
    return t(f"draft.todo.{key}")


def _scenario(
    scenario_id: str,
    transcript: Transcript,
    found: _Reading,
    feel: Mood,
    customer: str | None,
    notes: str,
    templates: list[str],
) -> dict[str, Any]:
    lang = transcript.language
    chunks = [_cut(c, MAX_TEXT) for c in found.opening if c.strip()]
    if len(chunks) > MAX_CHUNKS:
        chunks = [*chunks[: MAX_CHUNKS - 1], _cut(" ".join(chunks[MAX_CHUNKS - 1 :]), MAX_TEXT)]
    said = [s.strip() for chunk in chunks for s in sentences(chunk) if s.strip()]
    first = next((s for s in said if len(words(s)) >= TITLE_WORDS), said[0] if said else chunks[0])
    overrides: dict[str, Any] = {"intensity": feel.intensity}
    if customer:
        overrides = {"name": customer, **overrides}
    difficulty = max(1, min(5, 1 + len(found.hidden) // 2 + (feel.intensity >= 7)))
    data: dict[str, Any] = {
        "id": scenario_id,
        "title": _cut(first, 120),
        "language": lang,
        "domain": _todo("domain"),
        "difficulty": difficulty,
        "persona": feel.temperament.value,
        "persona_overrides": overrides,
        "briefing": t("draft.briefing", lang=lang),
        "opening": chunks,
    }
    facts: dict[str, Any] = {}
    if found.volunteered:
        facts["volunteered"] = [f.as_dict() for f in found.volunteered]
    if found.hidden:
        facts["hidden"] = [f.as_dict() for f in found.hidden]
    if facts:
        data["facts"] = facts
    data["resolutions"] = [{"id": "fix", "match": [_todo("match")], "example": _todo("example")}]
    data["traps"] = [{"id": "trap", "match": [_todo("trap_match")], "why": _todo("trap_why")}]
    if templates:
        data["templates"] = templates
    data["mentor_notes"] = notes
    return data


def _phrased(data: dict[str, Any]) -> dict[str, Any]:
    """Every hidden fact's question matched by one of its ask phrases, as ``sparring validate`` requires: the
    question's own words are added when the lexicon's phrases miss it, and the question dropped if even they do."""
    hidden = data.get("facts", {}).get("hidden", [])
    read = reading(Scenario.model_validate(data))
    missed = [f for f in hidden if f.get("question") and not read.phrased(f["question"], f["id"])]
    for fact in missed:
        topic = " ".join(_topic(fact["question"], data["language"]))
        if topic and topic not in fact["ask"]:
            fact["ask"].append(topic)
    if missed:
        read = reading(Scenario.model_validate(data))
        for fact in missed:
            if not read.phrased(fact["question"], fact["id"]):
                del fact["question"]
    return data


def draft_scenario(path: Path, scenario_id: str, language: str | None = None) -> Draft:
    """A scenario draft from the chat at ``path``; raises :class:`TranscriptError` (one line) for a chat that
    cannot be read or has nothing of the customer's."""
    transcript = read_conversation(Path(path), language)
    if not any((e.text or "").strip() for e in transcript.messages("customer")):
        raise TranscriptError(f"{path}:1: (file): {t('draft.no_customer')}")
    fake, fakes = _pseudonymised(transcript)
    found = _read(fake)
    feel = mood((e.text or "" for e in fake.messages("customer")), fake.language)
    notes, canned, wrong = _notes(fake)
    data = _phrased(_scenario(scenario_id, fake, found, feel, fakes.customer, notes, _templates(fake, canned)))
    Scenario.model_validate(data)  # the draft is a scenario; only its TODO values are left to write
    ending = _ending(fake)
    text = render(data, feel, ending, wrong)
    todos = sum(1 for value in _strings(data) if value.startswith(TODO))
    return Draft(scenario_id, fake.language, text, todos, len(set(fakes.replaced.values())), feel)


def _ending(transcript: Transcript) -> str | None:
    """The agent's last message that acts or commits to something: what the real agent settled on."""
    lang = transcript.language
    for event in reversed(transcript.messages("agent")):
        cues = analyze(event.text or "", lang)
        if cues.fix or cues.looked:
            return _cut(event.text or "", 300)
    return None


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


# ------------------------------------------------------------------------------------------ YAML


def _q(value: object) -> str:
    """A YAML scalar: JSON's double-quoted strings are YAML too, and keep every character as it was."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value)


def _flow(values: list[str]) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


def _comment(text: str, indent: str = "") -> list[str]:
    return [f"{indent}# {line}".rstrip() for line in text.splitlines()]


def render(data: dict[str, Any], feel: Mood, ending: str | None, wrong: list[str]) -> str:
    """The draft as YAML, with comments for the person who finishes it."""
    lines = ["# yaml-language-server: $schema=../schemas/scenario.json"]
    lines += _comment(t("draft.yaml.header"))
    lines += _comment(t("draft.yaml.fill"))
    for key in ("id", "title", "language", "domain", "difficulty"):
        lines.append(f"{key}: {_q(data[key])}")
    evidence = ", ".join(f"“{e}”" for e in feel.evidence[:8]) or "—"
    lines += _comment(t("draft.yaml.persona", evidence=evidence))
    lines.append(f"persona: {data['persona']}")
    overrides = ", ".join(f"{k}: {_q(v)}" for k, v in data["persona_overrides"].items())
    lines.append(f"persona_overrides: {{{overrides}}}")
    lines.append(f"briefing: {_q(data['briefing'])}")
    lines.append("opening:")
    lines += [f"  - {_q(chunk)}" for chunk in data["opening"]]
    facts = data.get("facts", {})
    if facts:
        lines.append("facts:")
        for group in ("volunteered", "hidden"):
            if group not in facts:
                continue
            lines += _comment(t(f"draft.yaml.{group}"), "  ")
            lines.append(f"  {group}:")
            for fact in facts[group]:
                lines.append(f"    - id: {fact['id']}")
                for key in ("label", "value"):
                    lines.append(f"      {key}: {_q(fact[key])}")
                for key in ("ask", "reveal"):
                    if key in fact:
                        lines.append(f"      {key}: {_flow(fact[key])}")
                if "question" in fact:
                    lines.append(f"      question: {_q(fact['question'])}")
                if fact.get("required"):
                    lines.append("      required: true")
    lines += _comment(t("draft.yaml.resolutions"))
    if ending:
        lines += _comment(t("draft.yaml.ending", quote=ending))
    lines.append("resolutions:")
    for resolution in data["resolutions"]:
        lines.append(f"  - id: {resolution['id']}")
        lines.append(f"    match: {_flow(resolution['match'])}")
        lines.append(f"    example: {_q(resolution['example'])}")
    lines += _comment(t("draft.yaml.traps"))
    for quote in wrong:
        lines += _comment(t("draft.yaml.wrong", quote=quote))
    lines.append("traps:")
    for trap in data["traps"]:
        lines.append(f"  - id: {trap['id']}")
        lines.append(f"    match: {_flow(trap['match'])}")
        lines.append(f"    why: {_q(trap['why'])}")
    if data.get("templates"):
        lines += _comment(t("draft.yaml.templates"))
        lines.append("templates:")
        lines += [f"  - {_q(template)}" for template in data["templates"]]
    lines.append(f"mentor_notes: {_q(data['mentor_notes'])}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------ writing


def scenario_id_for(out: Path) -> str:
    """The draft's id, from the name of the file it is written to."""
    return slug(out.stem) or "draft"


def write_draft(chat: Path, out: Path, language: str | None = None, force: bool = False) -> Draft:
    """Draft a scenario from ``chat`` and write it to ``out``; nothing is written unless all of it succeeds, and an
    existing file is kept unless ``force``."""
    out = Path(out)
    if out.is_dir():
        raise DraftExists(t("draft.is_folder", path=out))
    if out.exists() and not force:
        raise DraftExists(t("draft.exists", path=out))
    draft = draft_scenario(Path(chat), scenario_id_for(out), language)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(draft.text, encoding="utf-8")
    tmp.replace(out)
    return draft
