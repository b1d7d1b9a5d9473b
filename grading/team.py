"""What the grader knows of a team's replies beyond one chat: its macro library, and the replies its agents sent
nearly verbatim to other customers in the same import. Either makes a reply a template, however personal the
name or order number pasted into it."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import cast

from grading.near_duplicates import MacroLibrary, ReplyIndex
from transcripts.format import Transcript
from transcripts.macros import Macro


@dataclass(frozen=True)
class SentElsewhere:
    customers: int
    """How many other customers got (nearly) this reply."""
    example: str
    """One of those replies, to quote."""


class TeamReplies:
    def __init__(self, library: MacroLibrary | None, repeats: dict[tuple[str, int], SentElsewhere]):
        self._library = library
        self._repeats = repeats

    @classmethod
    def of(cls, macros: Sequence[Macro], transcripts: Sequence[Transcript]) -> TeamReplies:
        """The macro library, and every agent reply of these chats indexed by the customer it went to."""
        library = MacroLibrary((m.name, m.text) for m in macros) if macros else None
        index = ReplyIndex()
        texts: dict[Hashable, tuple[str, str]] = {}  # key -> (customer, text)
        for transcript in transcripts:
            for event in transcript.messages("agent"):
                key = (transcript.id, event.seq)
                index.add(key, transcript.id, event.text or "")
                texts[key] = (transcript.id, event.text or "")
        repeats: dict[tuple[str, int], SentElsewhere] = {}
        for reply, others in index.repeated().items():
            customers = {texts[o][0] for o in others}
            repeats[cast(tuple[str, int], reply)] = SentElsewhere(len(customers), texts[others[0]][1])
        return cls(library, repeats)

    def macro(self, text: str) -> str | None:
        """The name of the team's macro this reply is, if it is one."""
        return self._library.match(text) if self._library else None

    def elsewhere(self, transcript: str, seq: int) -> SentElsewhere | None:
        """Whether this reply went nearly word for word to other customers of the same import."""
        return self._repeats.get((transcript, seq))
