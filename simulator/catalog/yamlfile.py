"""Read YAML safely, remembering the line of every node so errors can say ``path:line: field: problem``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 1024 * 1024
MAX_NODES = 50_000  # alias "billion laughs" bombs expand far beyond this
MAX_DEPTH = 100
MERGE = "tag:yaml.org,2002:merge"

Loc = tuple[str | int, ...]


class CatalogError(Exception):
    """One problem in one file, printed as a single line."""

    def __init__(self, path: Path | str, line: int, field: str, problem: str):
        super().__init__(f"{path}:{line}: {field}: {problem}")
        self.path, self.line, self.field, self.problem = str(path), line, field, problem


def field_name(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


@dataclass
class YamlDoc:
    path: Path
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

    def line(self, loc: Loc) -> int:
        """The line of ``loc``, or of its nearest parent that exists (a missing field points at its parent)."""
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return 1

    def error(self, loc: Loc, problem: str) -> CatalogError:
        return CatalogError(self.path, self.line(loc), field_name(loc), problem)


class _Builder:
    def __init__(self, path: Path):
        self.path = path
        self.lines: dict[Loc, int] = {}
        self.nodes = 0
        self.open: set[int] = set()
        """Blocks being built: meeting one again means a recursive alias."""
        self.scalars = yaml.constructor.SafeConstructor()

    def fail(self, node: yaml.Node, loc: Loc, problem: str) -> CatalogError:
        return CatalogError(self.path, node.start_mark.line + 1, field_name(loc), problem)

    def build(self, node: yaml.Node, loc: Loc, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(node, loc, f"document too large or alias bomb (over {MAX_NODES} nodes)")
        if depth > MAX_DEPTH:
            raise self.fail(node, loc, "nested too deeply")
        self.lines.setdefault(loc, node.start_mark.line + 1)  # a field's line is its key's, set by the parent
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, loc)
        if id(node) in self.open:
            raise self.fail(node, loc, "an alias refers to the block that contains it")
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, loc, depth)
            return [self.build(item, (*loc, i), depth + 1) for i, item in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def mapping(self, node: yaml.MappingNode, loc: Loc, depth: int) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == MERGE:
                continue
            key = self.key(key_node, loc)
            if key in seen:
                raise self.fail(key_node, (*loc, key), "duplicate key")
            seen.add(key)
        self.scalars.flatten_mapping(node)  # merged pairs come first, so the mapping's own keys win below
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.key(key_node, loc)
            self.lines[(*loc, key)] = key_node.start_mark.line + 1
            out[key] = self.build(value_node, (*loc, key), depth + 1)
        return out

    def key(self, node: yaml.Node, loc: Loc) -> str | int:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, loc, "keys must be plain words")
        key = self.scalar(node, loc)
        return key if isinstance(key, str | int) else str(key)

    def scalar(self, node: yaml.ScalarNode, loc: Loc) -> Any:
        try:
            value = self.scalars.construct_object(node)
        except yaml.MarkedYAMLError:
            raise
        except Exception as exc:  # PyYAML's constructors raise ValueError, KeyError… on values like 2024-02-30
            kind = node.tag.rsplit(":", 1)[-1]
            raise self.fail(node, loc, f"cannot read {node.value!r} as {kind}: {exc}") from None
        # An unquoted 2024-02-03 is text to a trainer, not a date.
        return node.value if isinstance(value, date) else value


def _deepest_line(text: str) -> int:
    """Where brackets nest deeper than we read (PyYAML's own recursion gives no position)."""
    depth = 0
    for line_no, line in enumerate(text.splitlines(), 1):
        for char in line:
            depth += char in "[{"
            depth -= char in "]}"
            if depth > MAX_DEPTH:
                return line_no
    return 1


def _mark_line(exc: yaml.MarkedYAMLError, text: str) -> int:
    """The line to blame: where an unclosed quote or bracket opened, not the end of the file."""
    mark = exc.problem_mark
    if exc.context_mark and (mark is None or "end of stream" in str(exc.problem)):
        mark = exc.context_mark
    lines = max(1, len(text.splitlines()))
    return min(mark.line + 1, lines) if mark else 1


def read_yaml(path: Path) -> YamlDoc:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogError(path, 1, "(file)", f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise CatalogError(path, 1, "(file)", f"file is too large ({len(raw)} bytes, limit {MAX_BYTES})")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CatalogError(path, line, "(file)", "not UTF-8 text") from None
    if "\x00" in text:
        raise CatalogError(path, text[: text.index("\x00")].count("\n") + 1, "(file)", "binary data, not YAML")
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise CatalogError(path, line, "(yaml)", f"character #x{exc.character:04x} is not allowed") from None
    except yaml.MarkedYAMLError as exc:
        problem = str(exc.problem or exc.context).strip()
        raise CatalogError(path, _mark_line(exc, text), "(yaml)", problem) from None
    except RecursionError:
        raise CatalogError(path, _deepest_line(text), "(yaml)", "nested too deeply") from None
    except yaml.YAMLError as exc:
        raise CatalogError(path, 1, "(yaml)", f"cannot parse: {' '.join(str(exc).split())}") from None
    if len(nodes) != 1:
        line = nodes[1].start_mark.line + 1 if nodes else 1
        raise CatalogError(path, line, "(file)", "expected exactly one YAML document" if nodes else "the file is empty")
    builder = _Builder(path)
    try:
        data = builder.build(nodes[0], ())
    except yaml.MarkedYAMLError as exc:
        raise CatalogError(path, _mark_line(exc, text), "(yaml)", str(exc.problem)) from None
    return YamlDoc(path, data, builder.lines)
