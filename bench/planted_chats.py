"""The planted-fault chats (``tests/data/chats/planted.yaml``): real-style chats without a scenario, labelled by
hand with the marks a QA lead expects. The tests hold every chat to its labels and ``bench.grader_accuracy``
reports how many planted faults are found and how many false marks are made."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from grading.grader import grade
from grading.team import TeamReplies
from transcripts.format import Event, Transcript
from transcripts.macros import Macro
from transcripts.report import Report

REPLY_SECONDS = 30.0
"""Seconds between messages: the chats have no times, and none of their faults is about time."""


@dataclass
class Chat:
    id: str
    language: str
    transcript: Transcript
    faults: set[tuple[int, str]]
    strengths: set[tuple[int, str]] = field(default_factory=set)
    no_strengths: set[tuple[int, str]] = field(default_factory=set)
    batch: str | None = None
    uses_macros: bool = False
    covers: str = ""


@dataclass
class Corpus:
    chats: list[Chat]
    macros: list[Macro]

    def team(self, chat: Chat) -> TeamReplies:
        """What the grader knows beside the chat: the macro library if the chat's team uses one, and the
        other chats imported with it."""
        batch = [c.transcript for c in self.chats if chat.batch and c.batch == chat.batch]
        return TeamReplies.of(self.macros if chat.uses_macros else [], batch or [chat.transcript])

    def grade(self, chat: Chat) -> Report:
        return grade(chat.transcript, team=self.team(chat))


def load(path: Path) -> Corpus:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    macros = [Macro(m["name"], m["text"]) for m in data.get("macros", [])]
    return Corpus([_chat(c) for c in data["chats"]], macros)


def _chat(data: dict[str, Any]) -> Chat:
    events = [
        Event(seq=i, t=i * REPLY_SECONDS, role=m["role"], type="message", text=m["text"])
        for i, m in enumerate(data["messages"], 1)
    ]
    transcript = Transcript(id=data["id"], language=data["language"], events=events, meta={"timing": "missing"})

    def marks(key: str) -> set[tuple[int, str]]:
        return {(m["agent"], m["kind"]) for m in data.get(key) or []}

    return Chat(
        id=data["id"],
        language=data["language"],
        transcript=transcript,
        faults=marks("faults"),
        strengths=marks("strengths"),
        no_strengths=marks("no_strengths"),
        batch=data.get("batch"),
        uses_macros=bool(data.get("uses_macros")),
        covers=data.get("covers", ""),
    )


def found(chat: Chat, report: Report) -> tuple[set[tuple[int, str]], set[tuple[int, str]]]:
    """(faults, strengths) the report gives, each as (the agent message's index in the chat, kind)."""
    index = {e.seq: i for i, e in enumerate(chat.transcript.messages("agent"))}
    faults = {(index[m.seq], m.kind) for m in report.marks if not m.positive and m.seq in index}
    strengths = {(index[m.seq], m.kind) for m in report.marks if m.positive and m.seq in index}
    return faults, strengths
