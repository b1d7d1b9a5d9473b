"""The grade of one session: marks on turns, skills, a score, pass or fail (``sparring.report/1``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from transcripts.vocabulary import Language, Outcome

REPORT_FORMAT = "sparring.report/1"

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
PENALTY: dict[Severity, int] = {"minor": 10, "major": 25, "critical": 40}
BONUS = 5
OUTCOME_SCORE: dict[Outcome, int] = {"resolved": 100, "unfinished": 50, "customer_left": 0}


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


def skill_scores(marks: list[Mark], outcome: Outcome) -> dict[Skill, int]:
    """Each skill starts full and loses points by severity; strengths win a few back."""
    scores: dict[Skill, int] = dict.fromkeys(SKILLS, 100)
    scores["resolution"] = OUTCOME_SCORE[outcome]
    for mark in (m for m in marks if not m.voided):
        delta = BONUS if mark.positive else -PENALTY[mark.severity]
        scores[mark.skill] = max(0, min(100, scores[mark.skill] + delta))
    return scores


def overall(skills: dict[Skill, int], weights: dict[Skill, float]) -> int:
    total = sum(weights.values()) or 1.0
    return round(sum(skills[s] * weights[s] for s in SKILLS) / total)
