"""Read YAML safely, remembering the line of every node so errors can say ``path:line: field: problem``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 1024 * 1024
MAX_NODES = 50_000  # alias "billion laughs" bombs expand far beyond this

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
        self.scalars = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise CatalogError(
                self.path,
                node.start_mark.line + 1,
                field_name(loc),
                f"document too large or alias bomb (over {MAX_NODES} nodes)",
            )
        self.lines[loc] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            self.scalars.flatten_mapping(node)
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise CatalogError(
                        self.path, key_node.start_mark.line + 1, field_name(loc), "keys must be plain words"
                    )
                key = self.scalars.construct_object(key_node)
                if not isinstance(key, str | int):
                    key = str(key)
                if key in out:
                    raise CatalogError(
                        self.path, key_node.start_mark.line + 1, field_name((*loc, key)), "duplicate key"
                    )
                out[key] = self.build(value_node, (*loc, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
        return self.scalars.construct_object(node)


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
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise CatalogError(path, line, "(yaml)", f"{exc.problem or exc.context}".strip()) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise CatalogError(path, 1, "(yaml)", f"cannot parse: {exc}") from None
    if len(nodes) != 1:
        raise CatalogError(path, 1, "(file)", "expected exactly one YAML document" if nodes else "the file is empty")
    builder = _Builder(path)
    try:
        data = builder.build(nodes[0], ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise CatalogError(path, mark.line + 1 if mark else 1, "(yaml)", str(exc.problem)) from None
    except RecursionError:
        raise CatalogError(path, 1, "(yaml)", "nested too deeply") from None
    return YamlDoc(path, data, builder.lines)
