"""One mark under its turn, as the report and the mentor's review both show it, and the live coach's record."""

from __future__ import annotations

from textual.widgets import ListItem, Static

from grading.coach import CoachReview
from simulator.i18n import t
from transcripts.repository import StoredMark


def coach_summary(review: CoachReview) -> str:
    """The coach's record in one line: faults it warned about before sending, faults it missed, fixes."""
    return t("report.coach", warned=len(review.warned), missed=len(review.missed), fixed=review.fixed)


class MarkItem(ListItem):
    """Kind, severity, why and a better phrasing, then any mentor reviews and the trainee's responses."""

    def __init__(self, number: int, stored: StoredMark, coach: str | None = None):
        """``coach``: "warned" or "missed" when the live coach was on for this message."""
        mark = stored.mark
        label = f"{'✓' if mark.positive else '✗'} {number}. {t(f'kind.{mark.kind}')}"
        if not mark.positive:
            label += f" ({t(f'severity.{mark.severity}')})"
        lines = [f"{label}: {mark.why}"]
        if mark.better:
            lines.append(f"   → {t('report.better')}: {mark.better}")
        if coach:
            lines.append(f"   ✎ {t(f'report.coach_{coach}')}")
        for review in stored.reviews:
            said = t(f"export.review.{review.verdict}", name="").strip()
            lines.append(f"   ⚑ {said}" + (f": {review.reason}" if review.reason else ""))
        for response in stored.responses:
            said = t(f"export.response.{response.response}", name="").strip()
            lines.append(f"   ↩ {said}" + (f": {response.reason}" if response.reason else ""))
        overridden = any(r.verdict == "override" for r in stored.reviews)
        classes = "mark " + ("strength" if mark.positive else "fault") + (" overridden" if overridden else "")
        super().__init__(Static("\n".join(lines), classes=classes, markup=False))  # people's text is not markup
        self.number = number
        self.stored = stored
        self.seq = mark.seq
