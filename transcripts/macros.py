"""A team's macro library as a file: CSV with ``name`` and ``text`` columns, or YAML (a list of ``{name, text}``,
or a mapping of name to text). Errors name the file, the line and the field."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import yaml

from transcripts.format import TranscriptError

COLUMNS = ("name", "text")


@dataclass(frozen=True)
class Macro:
    name: str
    text: str


def read_macros(path: Path) -> list[Macro]:
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise TranscriptError(f"{path}:1: (file): not UTF-8 text") from None
    macros = _from_csv(path, raw) if path.suffix.casefold() == ".csv" else _from_yaml(path, raw)
    if not macros:
        raise TranscriptError(f"{path}:1: (file): no macros in it")
    names = [m.name for m in macros]
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise TranscriptError(f"{path}:1: name: '{twice}' is there twice")
    return macros


def _from_csv(path: Path, raw: str) -> list[Macro]:
    reader = csv.DictReader(io.StringIO(raw))
    header = [h.strip().casefold() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise TranscriptError(f"{path}:1: (header): needs the columns name and text, no {', '.join(missing)}")
    reader.fieldnames = header
    macros = []
    for row in reader:
        line = reader.line_num
        for column in COLUMNS:
            if not (row.get(column) or "").strip():
                raise TranscriptError(f"{path}:{line}: {column}: empty")
        macros.append(Macro(row["name"].strip(), row["text"].strip()))
    return macros


def _from_yaml(path: Path, raw: str) -> list[Macro]:
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        line = exc.problem_mark.line + 1 if getattr(exc, "problem_mark", None) else 1  # type: ignore[attr-defined]
        raise TranscriptError(f"{path}:{line}: (yaml): {getattr(exc, 'problem', None) or exc}") from None
    node = yaml.compose(raw)
    lines = [n.start_mark.line + 1 for n in node.value] if node is not None and isinstance(node.value, list) else []
    if isinstance(data, dict):
        lines = [k.start_mark.line + 1 for k, _ in node.value]  # type: ignore[union-attr]
        data = [{"name": k, "text": v} for k, v in data.items()]
    if not isinstance(data, list):
        raise TranscriptError(f"{path}:1: (file): a list of {{name, text}} or a mapping of name to text")
    macros = []
    for i, item in enumerate(data):
        line = lines[i] if i < len(lines) else 1
        if not isinstance(item, dict):
            raise TranscriptError(f"{path}:{line}: [{i}]: a mapping with name and text")
        for column in COLUMNS:
            if not isinstance(item.get(column), str) or not item[column].strip():
                raise TranscriptError(f"{path}:{line}: [{i}].{column}: missing or empty")
        macros.append(Macro(str(item["name"]).strip(), item["text"].strip()))
    return macros
