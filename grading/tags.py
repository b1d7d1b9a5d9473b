"""Utterance-level tags for people tuning the grader (``sparring analyze``), from the shared cue analyzer."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from grading.cues import analyze, detect_language


@dataclass(frozen=True)
class Tags:
    clarifying_question: bool
    """Asks the customer for information or clarification (not rhetorical, not "anything else?")."""
    canned: bool
    """Template language that would fit any customer."""
    empathy: bool
    """Acknowledges or reflects the customer's feelings, or reassures them."""

    def as_dict(self) -> dict[str, bool]:
        return asdict(self)


def tag(text: str, language: str | None = None, context: str = "") -> Tags:
    """``context`` is what the customer said, when known (it tells a personal reply from a template)."""
    lang = language or detect_language(text)
    cues = analyze(text, lang, heard=context)
    return Tags(clarifying_question=cues.clarifying, canned=cues.is_canned, empathy=cues.empathic)
