"""Personas, scenarios and paths as trainers write them in YAML. ``extra="forbid"`` so a typo fails loudly."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from simulator.vocabulary import LANGUAGES, Language

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Phrase = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Temperament(StrEnum):
    angry = "angry"
    confused = "confused"
    sarcastic = "sarcastic"
    anxious = "anxious"
    impatient = "impatient"
    passive = "passive"


class Intent(StrEnum):
    """What the customer does in a turn; each has authored lines in a persona's line bank."""

    complain = "complain"
    """Restates the problem with feeling (also the greeting when no opening is scripted)."""
    reveal = "reveal"
    """Gives a fact the agent asked for; lines use {value} and {label}."""
    dont_know = "dont_know"
    """Does not know what was asked."""
    clarify = "clarify"
    """Cannot place what the agent asked: asks what they mean, or checks a guess ("My {label}, you mean?")."""
    template_complaint = "template_complaint"
    """Reacts to a scripted, formal answer."""
    let_me_finish = "let_me_finish"
    """Reacts to being interrupted mid-turn."""
    already_told = "already_told"
    """Was asked again for something already said; lines use {value}."""
    trap_reject = "trap_reject"
    """Advice that ignores what the customer said (a trap's own reaction lines come first)."""
    doubt = "doubt"
    """A fix was offered before the agent understood the problem."""
    nudge = "nudge"
    """The agent said nothing useful; pushes for action."""
    waiting = "waiting"
    """The agent has gone silent."""
    calming = "calming"
    """Feels heard; softens."""
    thanks = "thanks"
    """Accepts the resolution; the session ends resolved."""
    give_up = "give_up"
    """Patience ran out; leaves (churn)."""
    # What a harder customer does (see simulator/engine/difficulty.yaml); a persona without lines for one
    # of these never does it.
    tangent = "tangent"
    """Goes off on a tangent about something beside the problem."""
    false_claim = "false_claim"
    """Says they already did the step the agent gave, though they did not."""
    admit = "admit"
    """Owns up, when the agent checks, that the step was not done after all."""
    not_offered = "not_offered"
    """Asks for something the company does not offer (compensation, a visit today…)."""
    manager = "manager"
    """Asks for a manager."""


class Behaviour(StrEnum):
    """What makes a customer harder than the persona as written; a difficulty level or a scenario turns it on."""

    terse = "terse"
    """Answers in a few words, with the bare value and nothing else."""
    tangent = "tangent"
    """Goes off on a tangent."""
    partial = "partial"
    """Answers only the first part of a two-part question."""
    false_claim = "false_claim"
    """Says a step the agent gave was already done, and owns up only when the agent checks."""
    not_offered = "not_offered"
    """Asks for something the company does not offer."""
    quiet = "quiet"
    """Goes quiet for a while before answering, then "hello??"."""
    manager = "manager"
    """Asks for a manager once upset."""


BEHAVIOUR_INTENTS = frozenset({Intent.tangent, Intent.false_claim, Intent.admit, Intent.not_offered, Intent.manager})
"""Intents a persona may leave out: without their lines, the behaviours that need them are off."""


Lines = dict[Language, list[Text]]


class Speech(Strict):
    verbosity: Literal["terse", "short", "medium", "long"] = "short"
    """How much the customer writes per turn."""
    caps_when_upset: bool = False
    """Shouts a word in CAPITALS when patience is low."""
    typos: float = Field(default=0.0, ge=0, le=0.3)
    """Chance that a word is typed with a swapped letter pair."""
    chunks: tuple[int, int] = (1, 2)
    """Least and most chat messages a turn is split into."""
    typing_cps: float = Field(default=6.0, gt=0, le=100)
    """Typing speed in characters per second (sets the pause before each chunk)."""

    @field_validator("chunks")
    @classmethod
    def _chunk_range(cls, chunks: tuple[int, int]) -> tuple[int, int]:
        low, high = chunks
        if not 1 <= low <= high <= 6:
            raise ValueError("chunks must be [least, most] with 1 <= least <= most <= 6")
        return chunks


class Escalates(Strict):
    """Patience points (0-100 scale) lost when the agent does this."""

    template: int = Field(default=12, ge=0, le=100)
    interruption: int = Field(default=10, ge=0, le=100)
    asked_again: int = Field(default=12, ge=0, le=100)
    trap: int = Field(default=20, ge=0, le=100)
    hasty_fix: int = Field(default=10, ge=0, le=100)
    no_progress: int = Field(default=6, ge=0, le=100)
    silence: int = Field(default=8, ge=0, le=100)


class Calms(Strict):
    """Patience points regained when the agent does this."""

    empathy: int = Field(default=8, ge=0, le=100)
    acknowledgement: int = Field(default=6, ge=0, le=100)
    relevant_question: int = Field(default=4, ge=0, le=100)


class Guardrails(Strict):
    never_offers_help: bool = True
    """The customer never offers to help the agent ("How can I help you?")."""
    never_says_ai: bool = True
    """The customer never says it is an AI, a model or an assistant."""
    never_speaks_as_agent: bool = True
    """The customer never writes the agent's lines."""
    forbidden: list[Phrase] = []
    """Extra phrases a customer line may not contain."""


class Persona(Strict):
    id: Id
    name: dict[Language, Phrase]
    """The customer's name per language, e.g. {en: Dana, ru: Дарья}."""
    temperament: Temperament
    intensity: int = Field(ge=1, le=10)
    """How strongly the temperament shows, 1 (mild) to 10 (extreme)."""
    description: dict[Language, Text]
    """Who this customer is, for the model's prompt."""
    patience: int = Field(default=60, ge=1, le=100)
    """Starting patience; at 0 the customer leaves."""
    speech: Speech = Speech()
    escalates: Escalates = Escalates()
    calms: Calms = Calms()
    guardrails: Guardrails = Guardrails()
    examples: Lines = {}
    """Few-shot lines in the customer's voice, per language."""
    lines: dict[Intent, Lines]
    """The authored line bank: intent -> language -> lines. Fallback for the model and the scripted voice."""

    @property
    def languages(self) -> tuple[Language, ...]:
        return tuple(lang for lang in LANGUAGES if lang in self.name)


NEEDS: dict[Behaviour, tuple[Intent, ...]] = {
    Behaviour.tangent: (Intent.tangent,),
    Behaviour.false_claim: (Intent.false_claim, Intent.admit),
    Behaviour.not_offered: (Intent.not_offered,),
    Behaviour.manager: (Intent.manager,),
    Behaviour.quiet: (Intent.waiting,),
}
"""The persona's lines a behaviour needs; without them the customer never does it."""


def needs(persona: Persona, behaviour: Behaviour, language: Language) -> list[Intent]:
    """The intents this behaviour needs that the persona has no lines for in this language."""
    return [i for i in NEEDS.get(behaviour, ()) if not persona.lines.get(i, {}).get(language)]


class PersonaOverrides(Strict):
    """What a scenario may change about its persona."""

    name: Phrase | None = None
    intensity: int | None = Field(default=None, ge=1, le=10)
    patience: int | None = Field(default=None, ge=1, le=100)
    description: Text | None = None
    """Replaces the persona's description for this scenario's language."""


class Fact(Strict):
    id: Id
    label: Phrase
    """What the fact is, as a noun phrase in the scenario's language that fits "Could you tell me the …?"
    ("contract number"; in Russian the accusative: "дату заказа")."""
    value: Phrase
    """What the customer says when it is revealed ("77-4410")."""
    ask: list[Phrase] = []
    """Ways an agent asks for it: each entry's words must all start words of the agent's message
    ("contract number" matches "your contract's number?"; "номер договор" matches "номер вашего договора")."""
    question: Phrase | None = None
    """A natural question that elicits it; used by the good bot and as the grader's better alternative."""
    reveal: list[Text] = []
    """Authored lines for revealing it (default: the persona's reveal lines)."""
    required: bool = False
    """Must be known before a solution is correct."""


class UnknownFact(Strict):
    id: Id
    label: Phrase
    ask: list[Phrase]
    line: Text | None = None
    """What the customer says when asked (default: the persona's dont_know lines)."""


class Facts(Strict):
    volunteered: list[Fact] = []
    """Facts the customer states without being asked. One whose value appears word for word in the opening
    counts as said from the start; the others come out along the way, one a turn."""
    hidden: list[Fact] = []
    """Facts revealed only after the agent asks for them."""
    unknown: list[UnknownFact] = []
    """Things the customer does not know."""


class Resolution(Strict):
    id: Id
    match: list[Phrase]
    """Phrases (word starts, as in ``ask``) that mean the agent offered this resolution."""
    example: Text
    """How an agent might offer it; used by the bots."""
    requires: list[Id] | None = None
    """Facts that must be known first (default: every required fact)."""


class Trap(Strict):
    id: Id
    match: list[Phrase]
    """Phrases of advice that ignores what the customer said."""
    why: Text
    """Why it is wrong for this customer, in the third person (for trainees, mentors and the model's note)."""
    reaction: list[Text] = []
    """What the customer says, in the first person (default: the persona's generic trap_reject lines)."""


class EndConditions(Strict):
    max_turns: int = Field(default=20, ge=1, le=200)
    """Customer turns before the session ends unfinished."""
    first_reply_seconds: float = Field(default=60, gt=0)
    """A first agent reply later than this is slow."""
    silence_seconds: float = Field(default=90, gt=0)
    """The customer nudges after this much silence from the agent."""


class Rubric(Strict):
    asking: float = Field(default=0.25, ge=0)
    listening: float = Field(default=0.2, ge=0)
    personalization: float = Field(default=0.15, ge=0)
    empathy: float = Field(default=0.2, ge=0)
    resolution: float = Field(default=0.2, ge=0)


class Scenario(Strict):
    id: Id
    title: Phrase
    language: Language
    domain: Phrase
    """The business area: telecom, delivery, banking, retail, education…"""
    difficulty: int = Field(ge=1, le=5)
    persona: Id
    persona_overrides: PersonaOverrides = PersonaOverrides()
    briefing: Text
    """Shown to the trainee before the session."""
    opening: list[Text] = Field(min_length=1, max_length=6)
    """The customer's first message, as chunks."""
    facts: Facts = Facts()
    resolutions: list[Resolution] = Field(min_length=1)
    traps: list[Trap] = []
    end: EndConditions = EndConditions()
    templates: list[Text] = []
    """Company templates and canned phrases the grader should flag for this case."""
    behaviours: dict[Behaviour, Annotated[float, Field(ge=0, le=1)]] = {}
    """How often the customer does each of these where it can (0 to 1), over what the difficulty level sets:
    ``{manager: 0.5}`` adds a customer who may ask for a manager, ``{partial: 0}`` turns one off."""
    synonyms: dict[Id, list[Phrase]] = {}
    """Words that mean the same thing in this case, on top of the shipped synonym lexicon: a concept name and its
    words or phrases. A shipped concept's name (``router``, ``order``, «address») adds to it."""
    rubric: Rubric = Rubric()
    pass_score: int = Field(default=70, ge=0, le=100)
    mentor_notes: Text | None = None
    """For mentors only; never sent to a model."""

    def all_facts(self) -> list[Fact]:
        return [*self.facts.volunteered, *self.facts.hidden]


class PathStep(Strict):
    scenario: Id
    """The scenario to pass at this step."""
    pass_mark: int = Field(ge=0, le=100)
    """The lowest score that passes this step."""


class Medals(Strict):
    """The lowest average score of the sessions that passed the steps for each medal."""

    bronze: int = Field(default=70, ge=0, le=100)
    silver: int = Field(default=80, ge=0, le=100)
    gold: int = Field(default=90, ge=0, le=100)

    @model_validator(mode="after")
    def _ascending(self) -> Medals:
        if not self.bronze <= self.silver <= self.gold:
            raise ValueError("medals must rise: bronze <= silver <= gold")
        return self


class TrainingPath(Strict):
    """A learning path: scenarios to pass in order; passing the last step earns a certificate."""

    id: Id
    title: Phrase
    """In the path's language, as a scenario's title."""
    language: Language
    description: Text | None = None
    """Shown to trainees and printed on the certificate."""
    steps: list[PathStep] = Field(min_length=1, max_length=50)
    assessment: bool = False
    """Steps count only when passed in an assessment (no hints, no coach); otherwise any graded session counts."""
    medals: Medals = Medals()

    def medal(self, average: float) -> str:
        """gold, silver, bronze, or "completed" below every medal."""
        for name in ("gold", "silver", "bronze"):
            if average >= getattr(self.medals, name):
                return name
        return "completed"
