"""The grader: marks on the exact turn for what an agent did well and badly. No UI, no model required."""

from grading.grader import grade
from transcripts.report import Mark, Report

__all__ = ["Mark", "Report", "grade"]
