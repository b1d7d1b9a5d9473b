"""How marks and the outcome become skill scores and one overall score."""

from __future__ import annotations

from simulator.vocabulary import Outcome
from transcripts.report import SKILLS, Mark, Severity, Skill

PENALTY: dict[Severity, int] = {"minor": 10, "major": 25, "critical": 40}
BONUS = 5
OUTCOME_SCORE: dict[Outcome, int] = {"resolved": 100, "unfinished": 50, "customer_left": 0}


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
