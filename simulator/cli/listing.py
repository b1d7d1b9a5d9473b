"""Listings for people and for scripts. A command builds its rows once, as dicts with stable English snake_case
keys, and ``show`` prints them as a table (headers in SPARRING_LANGUAGE), as CSV with a header row, or as JSON.

Rich is imported when a table is printed, so the command line can name the formats without loading it.
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any, Literal, TextIO

from simulator.i18n import t

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

Row = dict[str, Any]


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


# ``text`` was the name of the table for templates, audit and calibration; scripts that say it keep working.
ALIASES = {"text": OutputFormat.table}

WIDE = 1_000_000
"""Columns to lay tables out in when stdout is not a terminal: Rich would assume 80 and cut cells to "train…"."""


def output_format(value: str | OutputFormat) -> OutputFormat:
    """``--format`` as typed: table, csv, json (or the old ``text``). ValueError names the choices."""
    if isinstance(value, OutputFormat):
        return value
    choice = ALIASES.get(value.lower()) or next((f for f in OutputFormat if f.value == value.lower()), None)
    if choice is None:
        raise ValueError(t("format.bad", output=value, choices=", ".join(OutputFormat)))
    return choice


@dataclass(frozen=True)
class Column:
    key: str
    """The CSV header and the JSON key: English snake_case, the same in every interface language."""
    header: str | None = None
    """The table's heading, already translated; None keeps the field out of the table (CSV and JSON only)."""
    show: Callable[[Row], str] | None = None
    """How the table shows the row's value; the value itself otherwise."""
    justify: Literal["left", "right"] = "left"
    no_wrap: bool = False
    """For a value people copy whole, such as a session id; give it a ``min_width``."""
    min_width: int | None = None


# -- values


def plain(value: Any) -> Any:
    """A JSON value: times in ISO 8601, enums by value, tuples as lists."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def cell(value: Any) -> str:
    """A CSV cell: empty for none, true/false as JSON writes them, lists joined with ';'."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(cell(v) for v in value)
    return str(value)


def shown(column: Column, row: Row) -> str:
    if column.show is not None:
        return column.show(row)
    value = row.get(column.key)
    return "" if value is None else cell(value)


# -- writers


def width() -> int:
    """The terminal's width, or room for any line when stdout is a pipe or a file."""
    return shutil.get_terminal_size().columns if _terminal() else WIDE


def _terminal() -> bool:
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())


def console(file: TextIO | None = None) -> Console:
    from rich.console import Console

    return Console(file=file, highlight=False, width=None if file is None and _terminal() else WIDE)


def csv_text(keys: Sequence[str], rows: Iterable[Row]) -> str:
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(keys)
    for row in rows:
        writer.writerow([cell(row.get(key)) for key in keys])
    return out.getvalue()


def json_text(data: Any) -> str:
    return json.dumps(plain(data), ensure_ascii=False, indent=2) + "\n"


def table(columns: Sequence[Column], rows: Iterable[Row]) -> Table:
    """Every cell is plain text (no Rich markup in a macro or a name) and folds rather than ends in '…'."""
    from rich.table import Table
    from rich.text import Text

    grid = Table()
    visible = [c for c in columns if c.header is not None]
    for column in visible:
        overflow: Literal["fold", "ellipsis"] = "ellipsis" if column.no_wrap else "fold"
        grid.add_column(
            Text(column.header or ""),
            justify=column.justify,
            no_wrap=column.no_wrap,
            overflow=overflow,
            min_width=column.min_width,
        )
    for row in rows:
        grid.add_row(*(Text(shown(column, row)) for column in visible))
    return grid


def show(
    columns: Sequence[Column],
    rows: Sequence[Row],
    output: OutputFormat | str,
    *,
    empty: str | None = None,
    title: str | None = None,
) -> None:
    """Print ``rows``: a table (or ``empty`` when there are none), CSV with a header row even when empty, or a
    JSON list of objects with the columns' keys."""
    output = output_format(output)
    keys = [c.key for c in columns]
    if output is OutputFormat.json:
        sys.stdout.write(json_text([{key: row.get(key) for key in keys} for row in rows]))
    elif output is OutputFormat.csv:
        sys.stdout.write(csv_text(keys, rows))
    elif not rows and empty is not None:
        sys.stdout.write(empty + "\n")
    else:
        print_table(columns, rows, title)


def print_table(columns: Sequence[Column], rows: Iterable[Row], title: str | None = None) -> None:
    from rich.text import Text

    out = console()
    if title:
        out.print(Text(title))  # not the table's title, which Rich pads with spaces to the table's width
    out.print(table(columns, rows))
