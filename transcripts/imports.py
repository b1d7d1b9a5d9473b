"""Real chat exports as ``sparring.transcript/1`` transcripts, so mentors can grade real conversations.

``read_conversation(path, language=None)`` reads, by content (the extension does not matter):

1. a ``sparring.transcript/1`` JSON file (handed to :func:`transcripts.format.load_transcript`);
2. a JSON list of messages, ``[{"role": "customer", "text": "...", "time": "14:02"}, ...]``, or an
   object whose ``messages`` key holds such a list (the first non-space character is ``[`` or ``{``);
3. anything else as CSV: UTF-8 with or without a BOM, the delimiter (``,``, ``;`` or tab) chosen by
   the header row, which is the first non-blank row.

Column names (CSV headers and JSON message keys), case-insensitive, spaces and hyphens read as
``_``; when several match, the earliest in this list wins (see :data:`ACCEPTED_COLUMNS`):

- time (optional): ``time``, ``timestamp``, ``datetime``, ``date``, ``created_at``, ``sent_at``,
  ``время``, ``дата``. A ``date``/``дата`` column next to a ``time``/``время`` column is read as one
  value, ``"<date> <time>"``.
- role (required): ``role``, ``author``, ``sender``, ``from``, ``speaker``, ``who``, ``роль``,
  ``автор``, ``отправитель``.
- text (required): ``text``, ``message``, ``body``, ``content``, ``сообщение``, ``текст``.

Other columns and keys are ignored. Role values, case-insensitive (see :data:`ROLE_VALUES`):

- customer: customer, client, user, visitor, caller, клиент, пользователь, покупатель, абонент;
- agent: agent, operator, support, staff, admin, assistant, оператор, агент, поддержка, специалист,
  сотрудник;
- system: system, bot-notice, система (imported as ``note`` events, like the engine's system notes).

Times: seconds (a number, ``12.5`` or ``12,5``), ``HH:MM`` / ``HH:MM:SS``,
ISO 8601 date-times (with or without a zone, ``Z`` allowed), ``DD.MM.YYYY[,] HH:MM[:SS]`` (or the
date alone). One file uses one kind; date-times either all have a zone or none do. Event ``t`` is
seconds since the first timed message and never goes back. A clock time more than 12 hours earlier
than the one before it crossed midnight (a day is added); less than that is an error. An empty or
missing time repeats the previous ``t`` (0 at the start) and marks the transcript
``meta.timing = "missing"``: timing-based marks are unreliable there.

The result: one event per message (consecutive messages by one role stay separate), ``seq`` from 1,
customer and agent messages as ``message`` events with ``final: true`` (exports do not record
typing), text stripped of surrounding space, the source line in the event's ``meta.line``; ``id`` is
the file stem, ``scenario`` None, ``language`` the argument or detected (Cyrillic letters at least
30% of the letters in customer and agent text: ``ru``, else ``en``), ``meta`` is
``{"source": "json-list" | "csv", "file": name}``. No ``end`` event: exports have no outcome.

Every problem is one :class:`~transcripts.format.TranscriptError` line, ``path:line: field: problem``,
with the real line (a CSV row's first line, a JSON message's opening brace). Never a partial result.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal, NoReturn

from pydantic import ValidationError

from simulator.vocabulary import Language
from transcripts.format import FORMAT, Event, Role, Transcript, TranscriptError, load_transcript

Field = Literal["time", "role", "text"]

ACCEPTED_COLUMNS: Final[Mapping[Field, tuple[str, ...]]] = MappingProxyType(
    {
        "time": ("time", "timestamp", "datetime", "date", "created_at", "sent_at", "время", "дата"),
        "role": ("role", "author", "sender", "from", "speaker", "who", "роль", "автор", "отправитель"),
        "text": ("text", "message", "body", "content", "сообщение", "текст"),
    }
)
"""Accepted column names (CSV header cells, JSON message keys) per field, in order of preference."""

_ROLE_NAMES: Final[Mapping[Role, tuple[str, ...]]] = {
    "customer": ("customer", "client", "user", "visitor", "caller", "клиент", "пользователь", "покупатель", "абонент"),
    "agent": (
        "agent",
        "operator",
        "support",
        "staff",
        "admin",
        "assistant",
        "оператор",
        "агент",
        "поддержка",
        "специалист",
        "сотрудник",
    ),
    "system": ("system", "bot-notice", "система"),
}

ROLE_VALUES: Final[Mapping[str, Role]] = MappingProxyType(
    {name: role for role, names in _ROLE_NAMES.items() for name in names}
)
"""Accepted role values (lower case) and the transcript role each one maps to."""

_DATE_ONLY: Final = frozenset({"date", "дата"})
_CLOCK_ONLY: Final = frozenset({"time", "время"})
_DELIMITERS: Final = (",", ";", "\t")
_JSON_SPACE: Final = " \t\n\r"
_LINE_BREAKS: Final = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_HALF_DAY: Final = 12 * 3600

_SECONDS = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?")
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def read_conversation(path: Path, language: str | None = None) -> Transcript:
    """Read a transcript or a chat export (JSON list or CSV) at ``path``; see the module docstring.

    ``language`` ("en" or "ru") overrides the detected or recorded language. Raises
    :class:`TranscriptError` with one ``path:line: field: problem`` line for any problem.
    """
    path = Path(path)
    lang = _check_language(path, language)
    raw = _read_bytes(path)
    text = _decode(path, raw)
    start = _skip_space(text, 0)
    if text[start] in "[{":
        parsed = _read_json(path, text, start)
        if isinstance(parsed, _Native):
            transcript = load_transcript(path)
            return transcript.model_copy(update={"language": lang}) if lang else transcript
        return _build(path, parsed.rows, parsed.start_line, "json-list", lang)
    rows, header_line = _read_csv(path, text)
    return _build(path, rows, header_line, "csv", lang)


# ---------------------------------------------------------------------------------------------- errors


def _fail(path: Path, line: int, field: str, problem: str) -> NoReturn:
    raise TranscriptError(f"{path}:{line}: {field}: {problem}")


def _quote(value: object, limit: int = 60) -> str:
    """A value for an error line: quoted, shortened, with no line breaks or unencodable characters."""
    if not isinstance(value, str):  # a JSON number or literal, shown as written
        value = json.dumps(value) if isinstance(value, int | float | bool) or value is None else repr(value)
        quoted = value if len(value) <= limit else value[: limit - 1] + "…"
    else:
        quoted = json.dumps(value if len(value) <= limit else value[: limit - 1] + "…", ensure_ascii=False)
    quoted = "".join(f"\\u{ord(c):04x}" if c in _LINE_BREAKS else c for c in quoted)
    return quoted.encode("utf-8", "backslashreplace").decode("utf-8")


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(names)


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


# ------------------------------------------------------------------------------------------- the file


def _check_language(path: Path, language: str | None) -> Language | None:
    if language is None:
        return None
    code = language.strip().casefold()
    if code == "en":
        return "en"
    if code == "ru":
        return "ru"
    _fail(path, 1, "language", f"{_quote(language)} is not supported; use en or ru")


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        _fail(path, 1, "(file)", f"cannot read: {exc.strerror or exc}")


def _decode(path: Path, raw: bytes) -> str:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        _fail(path, 1, "(file)", "UTF-16 text; save the export as UTF-8")
    if b"\x00" in raw:
        _fail(
            path, raw.count(b"\n", 0, raw.index(b"\x00")) + 1, "(file)", "binary data (a NUL byte), not a text export"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        sample = raw[:4096]
        if sum(b < 32 and b not in b"\t\n\r\x0b\x0c" for b in sample) * 20 > len(sample):
            _fail(path, 1, "(file)", "binary data, not a text export")
        _fail(path, line, "(file)", f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the export as UTF-8")
    text = text.removeprefix("\ufeff")
    sample_text = text[:4096]
    if sum(c < " " and c not in "\t\n\r\x0b\x0c" for c in sample_text) * 20 > len(sample_text):
        _fail(path, 1, "(file)", "binary data, not a text export")
    if not text.strip():
        _fail(path, 1, "(file)", "empty file" if not text else "empty file (only white space)")
    return text


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in _JSON_SPACE:
        i += 1
    return i


def _line_numbers(text: str, positions: list[int]) -> list[int]:
    """The 1-based line of each (ascending) position, counting ``\\n`` as JSON's decoder does."""
    lines, line, at = [], 1, 0
    for pos in positions:
        line += text.count("\n", at, pos)
        at = pos
        lines.append(line)
    return lines


# ------------------------------------------------------------------------------------- raw messages


@dataclass(frozen=True)
class _Raw:
    """One message as found in the file, before its values are checked."""

    line: int
    role_field: str
    role: object
    text_field: str
    text: object
    time_field: str
    time: object


@dataclass(frozen=True)
class _Native:
    data: dict[str, Any]


@dataclass(frozen=True)
class _Rows:
    rows: list[_Raw]
    start_line: int
    """Where the list of messages starts (the line for "no messages")."""


def _normal(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().casefold())


def _label(name: str) -> str:
    """A column name or key as written, on one line, for error messages."""
    return " ".join(name.split())


# ----------------------------------------------------------------------------------------------- JSON


def _read_json(path: Path, text: str, start: int) -> _Native | _Rows:
    try:
        data = json.loads(text, strict=False)  # tolerate raw tabs and line breaks inside strings
    except json.JSONDecodeError as exc:
        hint = " (one JSON value expected: JSON Lines are not read; put the messages in a list)"
        _fail(path, exc.lineno, "(json)", exc.msg + (hint if exc.msg == "Extra data" else ""))
    except RecursionError:
        _fail(path, 1, "(json)", "nested too deeply")
    except ValueError as exc:  # e.g. an integer beyond the interpreter's digit limit
        _fail(path, 1, "(json)", str(exc).splitlines()[0] if str(exc) else "cannot parse")
    if isinstance(data, dict):
        if data.get("format") == FORMAT or ("messages" not in data and ("format" in data or "events" in data)):
            return _Native(data)
        if "messages" not in data:
            keys = ", ".join(_quote(k) for k in list(data)[:8]) or "none"
            _fail(
                path,
                1,
                "(json)",
                f"an object that is neither a {FORMAT} transcript nor has a messages list (keys: {keys})",
            )
        start = _member_starts(text, start)["messages"]
        items = data["messages"]
        if not isinstance(items, list):
            line = _line_numbers(text, [start])[0]
            _fail(path, line, "messages", f"expected a list of messages, got {_json_kind(items)}")
    elif isinstance(data, list):
        items = data
    else:  # pragma: no cover - the first character was [ or {
        _fail(path, 1, "(json)", f"expected a list of messages, got {_json_kind(data)}")
    positions = _element_starts(text, start)
    lines = _line_numbers(text, [start, *positions])
    return _Rows([_json_message(path, item, line) for item, line in zip(items, lines[1:], strict=True)], lines[0])


_DECODER: Final = json.JSONDecoder(strict=False)


def _element_starts(text: str, i: int) -> list[int]:
    """Where each element of the (already valid) JSON array at ``i`` starts."""
    starts: list[int] = []
    i = _skip_space(text, i + 1)
    if text[i] == "]":
        return starts
    while True:
        starts.append(i)
        _, i = _DECODER.raw_decode(text, i)
        i = _skip_space(text, i)
        if text[i] != ",":
            return starts
        i = _skip_space(text, i + 1)


def _member_starts(text: str, i: int) -> dict[str, int]:
    """Where each member value of the (already valid) JSON object at ``i`` starts; the last duplicate wins."""
    starts: dict[str, int] = {}
    i = _skip_space(text, i + 1)
    if text[i] == "}":
        return starts
    while True:
        key, i = _DECODER.raw_decode(text, i)
        i = _skip_space(text, _skip_space(text, i) + 1)  # past the colon
        starts[key] = i
        _, i = _DECODER.raw_decode(text, i)
        i = _skip_space(text, i)
        if text[i] != ",":
            return starts
        i = _skip_space(text, i + 1)


def _json_message(path: Path, item: object, line: int) -> _Raw:
    if not isinstance(item, dict):
        _fail(path, line, "(message)", f"expected an object with a role and a text, got {_json_kind(item)}")
    keys: dict[str, str] = {}
    for key in item:
        keys.setdefault(_normal(key), key)

    def pick(field: Field) -> tuple[str, object]:
        for name in ACCEPTED_COLUMNS[field]:
            key = keys.get(name)
            if key is not None and item[key] is not None:
                return _label(key), item[key]
        return field, None

    role_field, role = pick("role")
    text_field, text = pick("text")
    time_field, time = pick("time")
    return _Raw(line, role_field, role, text_field, text, time_field, time)


# ------------------------------------------------------------------------------------------------ CSV


@dataclass(frozen=True)
class _Columns:
    role: int
    text: int
    time: int | None
    date: int | None
    """A separate date column, joined to the time column."""


def _read_csv(path: Path, text: str) -> tuple[list[_Raw], int]:
    delimiter = _sniff(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    header_line = 1
    columns: _Columns | None = None
    rows: list[_Raw] = []
    done = 0
    while True:
        line = done + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "end of data" in str(exc):
                _fail(path, line, "(csv)", "a quoted cell is never closed")
            hint = ' (a quote inside a quoted cell is written "")' if "expected after" in str(exc) else ""
            _fail(path, reader.line_num, "(csv)", f"{exc}{hint}")
        done = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header, header_line = cells, line
            columns = _columns(path, header, line)
            continue
        assert columns is not None
        rows.append(_csv_row(path, header, columns, cells, line, delimiter))
    return rows, header_line


def _sniff(text: str) -> str:
    """The delimiter under which the header row has the most recognised names (then the most cells)."""
    best, best_score = ",", (-1, -1)
    for delimiter in _DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        try:
            header = next((row for row in reader if any(cell.strip() for cell in row)), [])
        except csv.Error:
            continue
        known = {_normal(cell) for cell in header} & {n for names in ACCEPTED_COLUMNS.values() for n in names}
        score = (len(known), len(header))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _columns(path: Path, header: list[str], line: int) -> _Columns:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        found.setdefault(_normal(cell), index)

    def pick(names: tuple[str, ...]) -> int | None:
        return next((found[name] for name in names if name in found), None)

    role = pick(ACCEPTED_COLUMNS["role"])
    text = pick(ACCEPTED_COLUMNS["text"])
    needed: tuple[tuple[Field, int | None], ...] = (("role", role), ("text", text))
    missing = [field for field, index in needed if index is None]
    if missing:
        shown = [_quote(cell.strip(), 30) for cell in header[:10]] + (["…"] if len(header) > 10 else [])
        columns = ", ".join(shown)
        if len(missing) == 2:
            accepted = "; ".join(f"{field}: {_names(names)}" for field, names in ACCEPTED_COLUMNS.items())
            _fail(
                path,
                line,
                "(header)",
                f"no recognisable header row (need a role and a text column); "
                f"found columns {columns}; accepted names — {accepted}",
            )
        field = missing[0]
        _fail(
            path,
            line,
            field,
            f"no {field} column in the header; found columns {columns}; "
            f"accepted names: {_names(ACCEPTED_COLUMNS[field])}",
        )
    assert role is not None and text is not None
    date = pick(tuple(n for n in ACCEPTED_COLUMNS["time"] if n in _DATE_ONLY))
    clock = pick(tuple(n for n in ACCEPTED_COLUMNS["time"] if n in _CLOCK_ONLY))
    if date is not None and clock is not None:
        return _Columns(role, text, clock, date)
    ranked = sorted(ACCEPTED_COLUMNS["time"], key=lambda name: name in _DATE_ONLY)  # full timestamps before dates
    return _Columns(role, text, pick(tuple(ranked)), None)


def _csv_row(path: Path, header: list[str], columns: _Columns, cells: list[str], line: int, delimiter: str) -> _Raw:
    used = [i for i in (columns.time, columns.date, columns.role, columns.text) if i is not None]
    if len(cells) <= max(used):
        short = min(i for i in used if i >= len(cells))
        _fail(
            path,
            line,
            _label(header[short]),
            f"missing: the row has {len(cells)} cells, the header has {len(header)}",
        )
    if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
        shown = "tab" if delimiter == "\t" else repr(delimiter)
        _fail(
            path,
            line,
            "(row)",
            f"the row has {len(cells)} cells, the header has {len(header)}; quote cells that contain {shown}",
        )
    time: str | None = None
    time_field = "time"
    if columns.time is not None:
        time_field = _label(header[columns.time])
        time = cells[columns.time].strip() or None
        if columns.date is not None:
            time_field = f"{_label(header[columns.date])}+{time_field}"
            day = cells[columns.date].strip()
            time = f"{day} {time}" if day and time else None
    return _Raw(
        line,
        _label(header[columns.role]),
        cells[columns.role],
        _label(header[columns.text]),
        cells[columns.text],
        time_field,
        time,
    )


# ---------------------------------------------------------------------------------------------- times


class _BadTime(Exception):
    pass


Kind = Literal["seconds", "clock", "datetime"]


def _parse_time(raw: object) -> tuple[Kind, float | datetime]:
    """Seconds (a float), a clock time (seconds of the day) or a datetime."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise _BadTime(f"expected a number or a string, got {_json_kind(raw)}")
    if isinstance(raw, int | float) or _SECONDS.fullmatch(raw.strip()):
        try:
            value = float(raw.strip().replace(",", ".") if isinstance(raw, str) else raw)
        except OverflowError:
            value = math.inf
        if not math.isfinite(value):
            raise _BadTime(f"{_quote(raw)} is out of range")
        return "seconds", value
    text = raw.strip()
    if match := _CLOCK.fullmatch(text):
        hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
        if hours > 23 or minutes > 59 or seconds > 59:
            raise _BadTime(f"{_quote(raw)} is not a time of day")
        fraction = float(f"0.{match[4]}") if match[4] else 0.0
        return "clock", hours * 3600 + minutes * 60 + seconds + fraction
    try:
        if match := _DOTTED.fullmatch(text):
            day, month, year = int(match[1]), int(match[2]), int(match[3])
            hours, minutes, seconds = int(match[4] or 0), int(match[5] or 0), int(match[6] or 0)
            return "datetime", datetime(year, month, day, hours, minutes, seconds)
        if _ISO_DATE.match(text):
            return "datetime", datetime.fromisoformat(text)
    except ValueError:
        raise _BadTime(f"{_quote(raw)} is not a valid date or time") from None
    raise _BadTime(
        f"cannot read {_quote(raw)} as a time; use seconds, HH:MM[:SS], an ISO 8601 date-time "
        f"or DD.MM.YYYY HH:MM[:SS], or leave it empty"
    )


class _Timeline:
    """Turns each message's time into ``t``, seconds since the first timed message."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.kind: Kind | None = None
        self.first: float | datetime = 0.0
        self.aware = False
        self.day = 0
        self.previous: float | datetime = 0.0
        self.previous_raw: object = None
        self.previous_line = 0
        self.t = 0.0
        self.exact = 0.0
        self.missing = False

    def place(self, raw: object, line: int, field: str) -> float:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            self.missing = True
            return self.t
        try:
            kind, value = _parse_time(raw)
        except _BadTime as exc:
            _fail(self.path, line, field, str(exc))
        if self.kind is None:
            self.kind, self.first, self.previous = kind, value, value
            self.aware = isinstance(value, datetime) and value.utcoffset() is not None
        elif kind != self.kind:
            _fail(self.path, line, field, f"{_quote(raw)} is {_KIND_NAMES[kind]}, earlier times are {self.kind_name}")
        t = self._seconds(raw, value, line, field)
        if t < self.exact:
            self._backwards(raw, line, field)
        if not math.isfinite(t):
            _fail(self.path, line, field, f"{_quote(raw)} is out of range")
        self.previous, self.previous_raw, self.previous_line = value, raw, line
        self.exact, self.t = t, round(t, 3)
        return self.t

    @property
    def kind_name(self) -> str:
        return _KIND_NAMES[self.kind] if self.kind else "none"

    def _seconds(self, raw: object, value: float | datetime, line: int, field: str) -> float:
        if isinstance(value, datetime):
            assert isinstance(self.first, datetime)
            if (value.utcoffset() is not None) != self.aware:
                which = (
                    "has no time zone, earlier times have one"
                    if self.aware
                    else "has a time zone, earlier times do not"
                )
                _fail(self.path, line, field, f"{_quote(raw)} {which}")
            return (value - self.first) / timedelta(seconds=1)
        assert isinstance(self.first, float) and isinstance(self.previous, float)
        if self.kind == "clock":
            if value < self.previous:
                if self.previous - value <= _HALF_DAY:
                    self._backwards(raw, line, field)
                self.day += 1  # past midnight
            return self.day * 86400 + value - self.first
        return value - self.first

    def _backwards(self, raw: object, line: int, field: str) -> NoReturn:
        _fail(
            self.path,
            line,
            field,
            f"goes backwards: {_quote(raw)} is before {_quote(self.previous_raw)} on line {self.previous_line}",
        )


_KIND_NAMES: Final[Mapping[Kind, str]] = {
    "seconds": "a number of seconds",
    "clock": "a time of day",
    "datetime": "a date and time",
}


# ------------------------------------------------------------------------------------------ transcript


def _role(path: Path, raw: _Raw) -> Role:
    accepted = "; ".join(f"{role}: {_names(names)}" for role, names in _ROLE_NAMES.items())
    if raw.role is None:
        _fail(path, raw.line, raw.role_field, f"missing; name it with one of: {_names(ACCEPTED_COLUMNS['role'])}")
    if not isinstance(raw.role, str):
        _fail(path, raw.line, raw.role_field, f"expected a string, got {_json_kind(raw.role)}")
    key = re.sub(r"[\s_]+", "-", raw.role.strip().casefold())
    if not key:
        _fail(path, raw.line, raw.role_field, f"empty; accepted roles — {accepted}")
    role = ROLE_VALUES.get(key)
    if role is None:
        _fail(path, raw.line, raw.role_field, f"unknown role {_quote(raw.role)}; accepted roles — {accepted}")
    return role


def _text(path: Path, raw: _Raw) -> str:
    if raw.text is None:
        _fail(path, raw.line, raw.text_field, f"missing; name it with one of: {_names(ACCEPTED_COLUMNS['text'])}")
    if not isinstance(raw.text, str):
        _fail(path, raw.line, raw.text_field, f"expected a string, got {_json_kind(raw.text)}")
    text = raw.text.replace("\r\n", "\n").strip()
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        _fail(path, raw.line, raw.text_field, "contains an unpaired surrogate escape (not valid Unicode)")
    return text


def _detect_language(events: list[Event]) -> Language:
    letters = cyrillic = 0
    for event in events:
        if event.role != "system" and event.text:
            for char in event.text:
                if char.isalpha():
                    letters += 1
                    cyrillic += "\u0400" <= char <= "\u04ff"
    return "ru" if letters and cyrillic / letters >= 0.3 else "en"


def _build(
    path: Path,
    rows: list[_Raw],
    start_line: int,
    source: Literal["json-list", "csv"],
    language: Language | None,
) -> Transcript:
    if not rows:
        _fail(path, start_line, "(file)", "no messages in the conversation")
    timeline = _Timeline(path)
    events: list[Event] = []
    for seq, raw in enumerate(rows, start=1):
        role = _role(path, raw)
        text = _text(path, raw)
        t = timeline.place(raw.time, raw.line, raw.time_field)
        kind: Literal["message", "note"] = "note" if role == "system" else "message"
        events.append(Event(seq=seq, t=t, role=role, type=kind, text=text, final=True, meta={"line": raw.line}))
    meta: dict[str, Any] = {"source": source, "file": path.name}
    if timeline.missing:
        meta["timing"] = "missing"
    try:
        return Transcript(
            id=path.stem,
            scenario=None,
            language=language or _detect_language(events),
            events=events,
            meta=meta,
        )
    except ValidationError as exc:  # pragma: no cover - the checks above keep the model valid
        _fail(path, 1, "(file)", str(exc.errors()[0]["msg"]))
