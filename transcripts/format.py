"""The ``sparring.transcript/1`` interchange format used by the engine, the grader, storage and exports."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from simulator.vocabulary import Language

FORMAT: Final = "sparring.transcript/1"

Role = Literal["customer", "agent", "system"]
EventType = Literal["message", "typing", "end", "note"]


class Event(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seq: int = Field(ge=1)
    t: float = Field(ge=0)
    """Seconds from the start of the session."""
    role: Role
    type: EventType
    text: str | None = None
    final: bool = True
    """False for a chunk of a customer turn that is still being typed."""
    meta: dict[str, Any] = {}

    @property
    def is_message(self) -> bool:
        return self.type == "message"


class Transcript(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    format: Literal["sparring.transcript/1"] = "sparring.transcript/1"
    id: str
    scenario: str | None = None
    language: Language = "en"
    events: list[Event] = []
    meta: dict[str, Any] = {}

    @model_validator(mode="after")
    def _ordered(self) -> Transcript:
        for before, after in zip(self.events, self.events[1:], strict=False):
            if after.seq <= before.seq:
                raise ValueError(f"event seq {after.seq} does not follow {before.seq}")
            if after.t < before.t:
                raise ValueError(f"event seq {after.seq}: time goes backwards ({after.t} < {before.t})")
        return self

    def messages(self, role: Role | None = None) -> list[Event]:
        return [e for e in self.events if e.is_message and (role is None or e.role == role)]

    @property
    def elapsed(self) -> float:
        """Seconds from the start to the last event (events are in time order)."""
        return self.events[-1].t if self.events else 0.0

    @property
    def outcome(self) -> str | None:
        ends = [e.text for e in self.events if e.type == "end"]
        return ends[-1] if ends else None

    def dumps(self) -> str:
        return json.dumps(self.model_dump(mode="json", exclude_defaults=False), ensure_ascii=False, indent=1)


class TranscriptError(ValueError):
    """Conversation data (a transcript, a chat export, utterances) that cannot be read.

    The message is one line: ``path:line: field: problem``.
    """


def load_transcript(path: Path) -> Transcript:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise TranscriptError(f"{path}:1: (file): cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise TranscriptError(f"{path}:1: (file): not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise TranscriptError(f"{path}:{exc.lineno}: (json): {exc.msg}") from None
    if isinstance(data, dict) and not data.get("id"):
        data["id"] = derived_id(path)
    try:
        return Transcript.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(file)"
        raise TranscriptError(f"{path}:1: {field}: {first['msg']}") from None


def derived_id(path: Path) -> str:
    """An id for a file that has none: its name, made safe, and a hash of its content, so two files called
    chat.json in different folders stay apart and the same file imported twice is the same session."""
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.casefold()).strip("-")[:40]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:8]
    return f"{slug}-{digest}" if slug else digest


def save_transcript(transcript: Transcript, path: Path) -> None:
    """Write atomically: a crash mid-write never leaves a half transcript behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(transcript.dumps() + "\n", encoding="utf-8")
    tmp.replace(path)
