"""One mark under its turn, as the report and the mentor's review both show it, and the live coach's record."""

from __future__ import annotations

from textual.widgets import ListItem, ListView, Static

from grading import coach
from grading.render import why_of
from simulator.i18n import t
from simulator.tui.screens import SparringScreen
from transcripts.format import Transcript
from transcripts.repository import StoredMark


def coach_summary(review: coach.CoachReview) -> str:
    """The coach's record in one line: faults it warned about before sending, faults it missed, fixes."""
    return t("report.coach", warned=len(review.warned), missed=len(review.missed), fixed=review.fixed)


class MarkItem(ListItem):
    """Kind, severity, why and a better phrasing, then any mentor reviews and the trainee's responses."""

    def __init__(self, number: int, stored: StoredMark, coached: str | None = None):
        """``coached``: "warned" or "missed" when the live coach was on for this message."""
        mark = stored.mark
        label = f"{'✓' if mark.positive else '✗'} {number}. {t(f'kind.{mark.kind}')}"
        if not mark.positive:
            label += f" ({t(f'severity.{mark.severity}')})"
        lines = [f"{label}: {why_of(mark)}"]
        if mark.better:
            lines.append(f"   → {t('report.better')}: {mark.better}")
        if coached:
            lines.append(f"   ✎ {t(f'report.coach_{coached}')}")
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


def marks_by_turn(
    transcript: Transcript, marks: list[StoredMark], kind: str | None = None
) -> tuple[coach.CoachReview | None, dict[int, list[ListItem]]]:
    """Each mark (of ``kind``, if given) as an item under the turn it is about, numbered as exported, with
    what the live coach had said about it; and the coach's record, if it was on."""
    coached = coach.review(transcript, [m.mark for m in marks])
    by_seq: dict[int, list[ListItem]] = {}
    for number, stored in enumerate(marks, 1):
        if kind is None or stored.mark.kind == kind:
            status = coached.status(stored.mark) if coached else None
            by_seq.setdefault(stored.mark.seq, []).append(MarkItem(number, stored, status))
    return coached, by_seq


class MarkedTurnsScreen(SparringScreen):
    """A screen listing turns and their marks in ``#turns``: ``n`` and ``p`` move between the marks."""

    def _mark_rows(self) -> list[int]:
        children = self.query_one("#turns", ListView).children
        return [i for i, item in enumerate(children) if isinstance(item, MarkItem)]

    def action_next_mark(self) -> None:
        turns = self.query_one("#turns", ListView)
        after = [i for i in self._mark_rows() if turns.index is None or i > turns.index]
        if after:
            turns.index = after[0]

    def action_previous_mark(self) -> None:
        turns = self.query_one("#turns", ListView)
        before = [i for i in self._mark_rows() if turns.index is not None and i < turns.index]
        if before:
            turns.index = before[-1]
