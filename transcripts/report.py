"""The grade of one session: marks on turns, skills, a score, pass or fail (``sparring.report/1``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from simulator.vocabulary import Language, Outcome

Skill = Literal["asking", "listening", "personalization", "empathy", "resolution"]
SKILLS: tuple[Skill, ...] = ("asking", "listening", "personalization", "empathy", "resolution")
Severity = Literal["minor", "major", "critical"]
Kind = Literal[
    "missed_clarifying_question",
    "interruption",
    "canned_answer",
    "repeated_answer",
    "asked_again",
    "no_empathy",
    "wrong_advice",
    "slow_first_reply",
    "clarifying_question",
    "empathy",
    "personalized",
    "deescalated",
    "handled_customer",
]

SKILL_OF: dict[Kind, Skill] = {
    "missed_clarifying_question": "asking",
    "clarifying_question": "asking",
    "interruption": "listening",
    "asked_again": "listening",
    "wrong_advice": "listening",
    "canned_answer": "personalization",
    "repeated_answer": "personalization",
    "personalized": "personalization",
    "no_empathy": "empathy",
    "empathy": "empathy",
    "deescalated": "empathy",
    "handled_customer": "listening",
    "slow_first_reply": "resolution",
}


class Mark(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    seq: int
    """The agent message the mark is about."""
    positive: bool = False
    severity: Severity = "minor"
    quote: str
    why: str
    better: str | None = None
    fact: str | None = None
    """The scenario fact concerned, when there is one."""
    judged_by: str | None = None
    """The model that judged this mark; None for the deterministic grader."""
    voided: str | None = None
    """The simulator's own fault this mark depends on (``audit`` kind): shown, but not counted."""

    @property
    def skill(self) -> Skill:
        return SKILL_OF[self.kind]


class Report(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["sparring.report/1"] = "sparring.report/1"
    transcript: str
    scenario: str | None = None
    language: Language = "en"
    score: int
    passed: bool
    pass_score: int
    skills: dict[Skill, int]
    outcome: Outcome
    marks: list[Mark]

    @property
    def critical(self) -> list[Mark]:
        return [m for m in self.marks if m.severity == "critical" and not m.positive and not m.voided]
