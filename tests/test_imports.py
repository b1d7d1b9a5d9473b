"""Chat exports (JSON lists, CSV) read as transcripts: formats, roles, times, language, located one-line errors."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transcripts.format import Transcript, TranscriptError, load_transcript, save_transcript
from transcripts.imports import ACCEPTED_COLUMNS, ROLE_VALUES, read_conversation

EXPORTS = Path(__file__).parent / "data" / "exports"

NATIVE = {
    "format": "sparring.transcript/1",
    "id": "abc",
    "scenario": "router-drops",
    "language": "en",
    "events": [
        {"seq": 1, "t": 0.0, "role": "customer", "type": "message", "text": "My internet is dead"},
        {"seq": 2, "t": 3.1, "role": "agent", "type": "message", "text": "Hello! How can I help?"},
        {"seq": 3, "t": 61.0, "role": "system", "type": "end", "text": "resolved"},
    ],
}


def write(tmp_path: Path, content: str | bytes, name: str = "chat.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    return path


def csv_of(*rows: str, header: str = "time;role;text") -> str:
    return "\n".join([header, *rows]) + "\n"


def error_of(path: Path, language: str | None = None) -> str:
    with pytest.raises(TranscriptError) as caught:
        read_conversation(path, language)
    message = str(caught.value)
    assert len(message.splitlines()) == 1, message
    return message


# ------------------------------------------------------------------------------------ committed exports


@pytest.mark.parametrize(
    ("name", "source", "language", "roles", "times"),
    [
        (
            "en-router-json-list.json",
            "json-list",
            "en",
            ["customer", "customer", "system", "agent", "customer", "agent", "customer", "agent"],
            [0, 26, 55, 97, 185, 237, 455, 490],
        ),
        (
            "ru-delivery-semicolon.csv",
            "csv",
            "ru",
            ["customer", "customer", "system", "agent", "customer", "agent", "customer"],
            [0, 60, 120, 180, 660, 840, 900],
        ),
        (
            "iso-refund.csv",
            "csv",
            "en",
            ["customer", "agent", "customer", "agent", "customer"],
            [0, 157, 189, 351, 379],
        ),
        (
            "en-billing-messages-object.json",
            "json-list",
            "en",
            ["customer", "agent", "agent", "customer"],
            [0, 41.5, 41.5, 95],
        ),
    ],
)
def test_committed_exports_become_valid_transcripts_that_round_trip(tmp_path, name, source, language, roles, times):
    transcript = read_conversation(EXPORTS / name)
    assert transcript.id == Path(name).stem
    assert transcript.scenario is None
    assert transcript.language == language
    assert transcript.meta["source"] == source and transcript.meta["file"] == name
    assert [e.role for e in transcript.events] == roles
    assert [e.t for e in transcript.events] == times
    assert [e.seq for e in transcript.events] == list(range(1, len(roles) + 1))
    assert all(e.type == ("note" if e.role == "system" else "message") for e in transcript.events)
    assert all(e.final is True for e in transcript.messages("customer"))
    assert transcript.outcome is None  # exports record no outcome
    save_transcript(transcript, tmp_path / "saved.json")
    assert load_transcript(tmp_path / "saved.json") == transcript
    assert Transcript.model_validate_json(transcript.dumps()) == transcript


def test_the_russian_csv_keeps_multi_line_cells_and_their_lines():
    transcript = read_conversation(EXPORTS / "ru-delivery-semicolon.csv")
    second = transcript.events[1]
    assert second.text == 'Трек-номер пишет "передан курьеру" с утра.\nТелефон курьера не отвечает.'
    assert [e.meta["line"] for e in transcript.events] == [2, 3, 5, 6, 7, 8, 10]
    assert "timing" not in transcript.meta  # date and time columns were joined, midnight crossed by the date


def test_the_json_list_takes_author_for_role_and_records_each_message_line():
    transcript = read_conversation(EXPORTS / "en-router-json-list.json")
    assert transcript.events[3].text.startswith("Hello, I'm Priya.") and "\n" in transcript.events[3].text
    assert [e.meta["line"] for e in transcript.events] == [2, 3, 4, 5, 10, 11, 12, 13]


def test_missing_times_repeat_the_previous_one_and_mark_the_timing():
    transcript = read_conversation(EXPORTS / "en-billing-messages-object.json")
    assert transcript.meta["timing"] == "missing"


# --------------------------------------------------------------------------------------------- formats


def test_a_native_transcript_is_delegated_to_load_transcript(tmp_path):
    path = write(tmp_path, json.dumps(NATIVE), "t.json")
    assert read_conversation(path) == load_transcript(path)
    assert read_conversation(path, "ru").language == "ru"


def test_a_native_transcript_with_a_bom_still_loads_and_still_reports_fields(tmp_path):
    path = write(tmp_path, codecs.BOM_UTF8 + json.dumps(NATIVE).encode(), "t.json")
    assert read_conversation(path).outcome == "resolved"
    bad = dict(NATIVE, events=[dict(NATIVE["events"][0], role="robot")])
    path = write(tmp_path, codecs.BOM_UTF8 + json.dumps(bad).encode(), "bad.json")
    assert error_of(path).startswith(f"{path}:1: events.0.role: ")


def test_a_native_transcript_with_a_wrong_format_is_reported_by_the_loader(tmp_path):
    path = write(tmp_path, json.dumps(dict(NATIVE, format="other/2")), "t.json")
    assert error_of(path).startswith(f"{path}:1: format: ")


def test_file_type_comes_from_content_not_extension(tmp_path):
    as_txt = write(tmp_path, json.dumps([{"role": "customer", "text": "hi"}]), "chat.txt")
    assert read_conversation(as_txt).meta["source"] == "json-list"
    as_json = write(tmp_path, csv_of("1;agent;hello"), "chat.json")
    assert read_conversation(as_json).meta["source"] == "csv"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_csv_delimiter_is_sniffed_with_or_without_bom(tmp_path, delimiter, bom, newline):
    rows = [["Time", "Author", "Message"], ["10:00", "client", "Hi, one, two; three"], ["10:01", "operator", "Hello"]]
    text = newline.join(delimiter.join(f'"{c}"' if (c.count(",") or c.count(";")) else c for c in r) for r in rows)
    transcript = read_conversation(write(tmp_path, bom + text.encode()))
    assert [e.text for e in transcript.events] == ["Hi, one, two; three", "Hello"]
    assert [e.t for e in transcript.events] == [0, 60]


def test_consecutive_messages_by_one_role_stay_separate(tmp_path):
    transcript = read_conversation(write(tmp_path, csv_of("1;customer;a", "2;customer;b", "3;customer;c")))
    assert [e.text for e in transcript.events] == ["a", "b", "c"]


def test_blank_rows_and_unused_columns_are_ignored(tmp_path):
    text = "\n\nid;role;text;rating\n\n1;customer;Hi;\n;;;\n2;agent;Hello;5\n\n"
    transcript = read_conversation(write(tmp_path, text))
    assert [(e.role, e.meta["line"]) for e in transcript.events] == [("customer", 5), ("agent", 7)]
    assert transcript.meta["timing"] == "missing"  # no time column at all


@pytest.mark.parametrize("field", ["time", "role", "text"])
def test_every_accepted_column_name_is_recognised_in_any_case(tmp_path, field):
    defaults = {"time": "time", "role": "role", "text": "text"}
    values = {"time": "12", "role": "agent", "text": "Hello"}
    for name in ACCEPTED_COLUMNS[field]:
        columns = dict(defaults, **{field: name.upper()})
        header = ";".join(columns.values())
        transcript = read_conversation(write(tmp_path, csv_of(";".join(values.values()), header=header)))
        assert (transcript.events[0].role, transcript.events[0].text) == ("agent", "Hello"), name
        item = {columns["role"]: "agent", columns["text"]: "Hello", columns["time"]: 12}
        transcript = read_conversation(write(tmp_path, json.dumps([item]), "chat.json"))
        assert (transcript.events[0].role, transcript.events[0].text) == ("agent", "Hello"), name


def test_the_preferred_column_wins_when_several_match(tmp_path):
    text = csv_of("Anna;agent;Hello;note", header="author;role;text;message")
    event = read_conversation(write(tmp_path, text)).events[0]
    assert (event.role, event.text) == ("agent", "Hello")


def test_a_top_level_object_with_messages_is_a_message_list(tmp_path):
    path = write(tmp_path, json.dumps({"messages": [{"who": "caller", "content": "Hi", "sent_at": 5}]}), "c.json")
    event = read_conversation(path).events[0]
    assert (event.role, event.text, event.t) == ("customer", "Hi", 0)


# ------------------------------------------------------------------------------------------------ roles


@pytest.mark.parametrize(("value", "role"), sorted(ROLE_VALUES.items()))
def test_role_values_map_case_insensitively(tmp_path, value, role):
    for written in (value, value.upper(), f"  {value.title()} "):
        event = read_conversation(write(tmp_path, csv_of(f"1;{written};hi"))).events[0]
        assert event.role == role
        assert event.type == ("note" if role == "system" else "message")


def test_customer_messages_are_final(tmp_path):
    transcript = read_conversation(write(tmp_path, csv_of("1;клиент;a", "2;оператор;b")))
    assert transcript.events[0].final is True


# ------------------------------------------------------------------------------------------------ times


@pytest.mark.parametrize(
    ("times", "expected"),
    [
        (["0", "4.5", "12,25"], [0, 4.5, 12.25]),
        (["100", "100", "160"], [0, 0, 60]),
        (["14:02", "14:05", "15:00"], [0, 180, 3480]),
        (["14:02:10", "14:02:11.5", "14:03:00"], [0, 1.5, 50]),
        (["23:58", "00:03", "01:00"], [0, 300, 3720]),
        (["23:59:30", "23:59:59", "0:00:10"], [0, 29, 40]),
        (["2024-03-05T14:02:03Z", "2024-03-05T14:03:03.500Z", "2024-03-06T14:02:03Z"], [0, 60.5, 86400]),
        (["2024-03-05T14:00:00+03:00", "2024-03-05T11:30:00Z", "2024-03-05T12:30:00+01:00"], [0, 1800, 1800]),
        (["2024-03-05 14:02", "2024-03-05T14:04:30", "2024-03-06"], [0, 150, 35880]),
        (["05.03.2024 14:02", "05.03.2024 14:03:30", "6.3.2024, 00:00"], [0, 90, 35880]),
        (["", "14:00", "14:01"], [0, 0, 60]),
        (["14:00", "", "14:01"], [0, 0, 60]),
    ],
)
def test_time_notations_become_seconds_since_the_first_message(tmp_path, times, expected):
    rows = [f"{time};customer;m{i}" for i, time in enumerate(times)]
    transcript = read_conversation(write(tmp_path, csv_of(*rows)))
    assert [e.t for e in transcript.events] == expected
    assert ("timing" in transcript.meta) == ("" in times)


def test_json_numbers_and_null_times(tmp_path):
    items = [
        {"role": "customer", "text": "a"},
        {"role": "agent", "text": "b", "time": 1700000000},
        {"role": "agent", "text": "c", "time": None},
        {"role": "customer", "text": "d", "time": 1700000012.5},
    ]
    transcript = read_conversation(write(tmp_path, json.dumps(items), "c.json"))
    assert [e.t for e in transcript.events] == [0, 0, 0, 12.5]
    assert transcript.meta["timing"] == "missing"


def test_no_times_at_all_gives_zero_everywhere(tmp_path):
    transcript = read_conversation(write(tmp_path, csv_of(";customer;a", ";agent;b")))
    assert [e.t for e in transcript.events] == [0, 0]
    assert transcript.meta["timing"] == "missing"


def test_a_separate_date_column_is_joined_to_the_time_column(tmp_path):
    text = csv_of("31.12.2024;23:59;client;a", "01.01.2025;00:01;agent;b", header="Дата;Время;Роль;Текст")
    assert [e.t for e in read_conversation(write(tmp_path, text)).events] == [0, 120]


# --------------------------------------------------------------------------------------------- language


@pytest.mark.parametrize(
    ("texts", "language"),
    [
        (["Здравствуйте, у меня не работает интернет", "Сейчас проверю"], "ru"),
        (["My internet is down", "Let me check"], "en"),
        (["Router TP-Link Archer C6 не видит сеть", "OK"], "ru"),  # 11 of 32 letters are Cyrillic
        (["Please check order 123, заказ", "Sure thing, one moment please"], "en"),  # under 30% Cyrillic
        (["12345", "!!!"], "en"),
    ],
)
def test_language_is_detected_from_customer_and_agent_text(tmp_path, texts, language):
    rows = [f"{i};{'customer' if i % 2 == 0 else 'agent'};{text}" for i, text in enumerate(texts)]
    assert read_conversation(write(tmp_path, csv_of(*rows))).language == language


def test_system_text_does_not_count_towards_the_language(tmp_path):
    text = csv_of("1;system;Оператор подключился к чату, ожидайте ответа", "2;customer;Hi there", "3;agent;Hello")
    assert read_conversation(write(tmp_path, text)).language == "en"


def test_the_language_argument_wins(tmp_path):
    path = write(tmp_path, csv_of("1;customer;Hello"))
    assert read_conversation(path, "ru").language == "ru"
    assert read_conversation(path, " RU ").language == "ru"
    assert error_of(path, "de") == f'{path}:1: language: "de" is not supported; use en or ru'


# ----------------------------------------------------------------------------------------------- errors


ROLES_LISTED = "accepted roles — customer: customer, client"


@pytest.mark.parametrize(
    ("content", "line", "field", "fragment"),
    [
        # the file as a whole
        (b"", 1, "(file)", "empty file"),
        (b"  \n\t\n", 1, "(file)", "empty file (only white space)"),
        (codecs.BOM_UTF8, 1, "(file)", "empty file"),
        (b"time;role;text\n1;customer;ok\n2;agent;" + "привет".encode("cp1251"), 3, "(file)", "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", 3, "(file)", "binary data"),
        (bytes(range(1, 32)) * 4 + b"\xff\xfe", 1, "(file)", "binary data"),
        (bytes(range(1, 9)) * 10, 1, "(file)", "binary data"),
        ("time;role;text\n1;customer;hi\n".encode("utf-16"), 1, "(file)", "UTF-16"),
        # JSON structure
        (b'[\n {"role": "customer", "text": "hi"},\n {"role": "agent" "text": "x"}\n]', 3, "(json)", "Expecting"),
        (b'{"title": "chat", "items": []}', 1, "(json)", "neither a sparring.transcript/1 transcript nor has a"),
        (b"[]", 1, "(file)", "no messages in the conversation"),
        (b'\n\n{"messages":\n  []}', 4, "(file)", "no messages in the conversation"),
        (b'{"x": 1,\n "messages": {"role": "agent"}}', 2, "messages", "expected a list of messages, got an object"),
        (b"[" + b"[" * 100_000 + b"]" * 100_001, 1, "(json)", "nested too deeply"),
        # JSON messages
        (b'[\n {"role": "customer", "text": "hi"},\n "hello"\n]', 3, "(message)", "got a string"),
        (b'[\n {"role": "customer", "text": "hi"},\n {"role": "agent",\n  "time": 3}\n]', 3, "text", "missing"),
        (b'[\n {"text": "hi"}\n]', 2, "role", "missing; name it with one of: role, author"),
        (
            b'[{"role": "customer", "text": "hi"},\n {"role": "agent", "text": 42}]',
            2,
            "text",
            "expected a string, got a number",
        ),
        (b'[{"role": "customer", "text": "hi"},\n {"author": 7, "text": "x"}]', 2, "author", "expected a string"),
        (
            b'[{"role": "customer", "text": "hi"},\n\n {"role": "robot", "text": "x"}]',
            3,
            "role",
            'unknown role "robot"',
        ),
        (b'[{"role": "customer", "text": "hi", "time": true}]', 1, "time", "expected a number or a string, got true"),
        (
            b'[{"role": "customer", "text": "hi", "time": 5},\n {"role": "agent", "text": "x", "time": 4}]',
            2,
            "time",
            "goes backwards: 4 is before 5 on line 1",
        ),
        (b'[{"role": "customer", "text": "hi", "time": NaN}]', 1, "time", "NaN is out of range"),
        (b'[{"role": "customer", "text": "hi", "time": 1' + b"0" * 400 + b"}]", 1, "time", "is out of range"),
        (
            b'[{"role": "customer", "text": "hi", "time": 5},\n {"role": "agent", "text": "x", "time": 1e400}]',
            2,
            "time",
            "Infinity is out of range",
        ),
        (b'{"role": "customer", "text": "hi"}\n{"role": "agent", "text": "x"}', 2, "(json)", "JSON Lines are not read"),
        (b'[{"role": "customer", "text": "\\ud800"}]', 1, "text", "unpaired surrogate"),
        # CSV header
        (b"id,name,comment\n1,Anna,hi\n", 1, "(header)", 'found columns "id", "name", "comment"; accepted'),
        ("\n\nВремя;Роль;Примечание\n12:00;клиент;привет\n".encode(), 3, "text", 'found columns "Время", "Роль"'),
        (b"hello world, this is not a csv\n", 1, "(header)", "no recognisable header row"),
        # CSV rows
        (csv_of("1;customer;hi", "2;agent").encode(), 3, "text", "missing: the row has 2 cells, the header has 3"),
        (csv_of("1;customer;hi", "2;agent;a;b").encode(), 3, "(row)", "the row has 4 cells, the header has 3"),
        (csv_of("1;customer;hi", "2;робот;x").encode(), 3, "role", 'unknown role "робот"; ' + ROLES_LISTED),
        (csv_of("1;customer;hi", "2; ;x").encode(), 3, "role", "empty"),
        (csv_of("1;customer;hi", "yesterday;agent;x").encode(), 3, "time", 'cannot read "yesterday" as a time'),
        (csv_of("25:00;customer;hi").encode(), 2, "time", "is not a time of day"),
        (csv_of("31.02.2024 10:00;customer;hi").encode(), 2, "time", "is not a valid date or time"),
        (csv_of("2024-13-01;customer;hi").encode(), 2, "time", "is not a valid date or time"),
        (csv_of("14:05;customer;hi", "14:02;agent;x").encode(), 3, "time", '"14:02" is before "14:05" on line 2'),
        (
            csv_of("2024-01-01T10:00Z;customer;hi", "2024-01-01T09:59Z;agent;x").encode(),
            3,
            "time",
            'goes backwards: "2024-01-01T09:59Z" is before "2024-01-01T10:00Z" on line 2',
        ),
        (csv_of("14:05;customer;hi", "300;agent;x").encode(), 3, "time", "is a number of seconds, earlier times are"),
        (csv_of("2024-01-01T10:00Z;customer;hi", "2024-01-01T10:01;agent;x").encode(), 3, "time", "no time zone"),
        (csv_of("1;customer;hi", '2;agent;"never closed', "3;agent;x").encode(), 3, "(csv)", "never closed"),
        (csv_of("1;customer;hi", '2;agent;"quoted" tail').encode(), 3, "(csv)", 'is written ""'),
        (csv_of("1;customer;hi", "2" * 400 + ";agent;x").encode(), 3, "time", "is out of range"),
        (b"time;role;text\n", 1, "(file)", "no messages in the conversation"),
        (b"time;role;text\n;;\n\n", 1, "(file)", "no messages in the conversation"),
    ],
)
def test_every_problem_is_one_line_naming_file_line_and_field(tmp_path, content, line, field, fragment):
    path = write(tmp_path, content, "export.dat")
    message = error_of(path)
    assert message.startswith(f"{path}:{line}: {field}: "), message
    assert fragment in message, message


def test_rows_after_multi_line_cells_report_their_own_line(tmp_path):
    text = csv_of('1;customer;"one\ntwo\n\nfour"', '2;agent;"a\r\nb"', "3;customer;fine", "4;robot;bad")
    path = write(tmp_path, text)
    assert error_of(path).startswith(f"{path}:9: role: ")


def test_json_message_lines_follow_pretty_printing(tmp_path):
    items = [{"role": "customer", "text": "a"}, {"role": "agent", "text": "b\nc"}, {"role": "bot", "text": "d"}]
    path = write(tmp_path, "\n\n" + json.dumps({"meta": {"k": [1, 2]}, "messages": items}, indent=2), "c.json")
    # 2 blank lines, "{", "meta" over 6 lines, '"messages": [', then 4 lines per message
    assert error_of(path).startswith(f"{path}:19: role: ")


def test_unreadable_files(tmp_path):
    missing = tmp_path / "nope.csv"
    assert error_of(missing).startswith(f"{missing}:1: (file): cannot read: ")
    assert error_of(tmp_path).startswith(f"{tmp_path}:1: (file): cannot read: ")


def test_an_error_never_leaves_a_partial_result(tmp_path):
    path = write(tmp_path, csv_of("1;customer;hi", "2;agent;fine", "1;agent;back in time"))
    assert error_of(path).startswith(f"{path}:4: time: ")


# --------------------------------------------------------------------------------------------- property


_CSVISH = st.lists(
    st.sampled_from(
        ["time", "role", "text", "Время", "author", ";", ",", "\t", "\n", "\r\n", '"', "customer", "агент", "system"]
        + ["12:00", "23:59", "00:01", "5", "-3", "2024-01-01T10:00Z", "01.02.2024 10:00", "hi", "{", "[", "]", "}"]
        + ['"role"', '"text"', ":", "null", "\ufeff", "\x00", "\xff", "é"]
    ),
    max_size=40,
).map("".join)


_CELL = st.one_of(
    st.sampled_from(["customer", "Agent", "клиент", "system", "robot", "12:00", "23:59", "00:01", "5", "", '"']),
    st.sampled_from(["2024-01-01T10:00Z", "2024-01-01T09:00", "01.02.2024 10:00", "Привет", "hi\nthere"]),
    st.text(max_size=10),
)


@st.composite
def _exportish(draw: st.DrawFn) -> str:
    """A CSV with a recognised header and plausible, often wrong, rows."""
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    header = [draw(st.sampled_from(ACCEPTED_COLUMNS[field])) for field in ("time", "role", "text")]
    rows = draw(st.lists(st.lists(_CELL, min_size=2, max_size=4), max_size=6))
    return draw(st.sampled_from(["\n", "\r\n"])).join(delimiter.join(row) for row in [header, *rows])


_JSONISH = st.lists(
    st.dictionaries(
        st.sampled_from(["role", "author", "text", "body", "time", "sent_at"]),
        st.one_of(_CELL, st.none(), st.integers(), st.floats(), st.booleans()),
    ),
    max_size=5,
).map(lambda items: json.dumps(items, indent=1, ensure_ascii=False))


@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(content=st.one_of(st.binary(max_size=300), st.text(max_size=300), _CSVISH, _exportish(), _JSONISH))
@pytest.mark.slow
def test_any_file_gives_a_transcript_or_one_located_error_line(tmp_path, content):
    path = write(tmp_path, content, "fuzz.txt")
    try:
        transcript = read_conversation(path)
    except TranscriptError as error:
        message = str(error)
        assert message.startswith(f"{path}:") and len(message.splitlines()) == 1, message
        line = int(message[len(str(path)) + 1 :].split(":", 1)[0])
        assert line >= 1
    else:
        assert isinstance(transcript, Transcript) and transcript.events
        assert all(a.t <= b.t for a, b in zip(transcript.events, transcript.events[1:], strict=False))


def test_raw_line_breaks_inside_json_strings_are_tolerated_and_lines_still_count(tmp_path):
    text = '[{"role": "customer", "text": "one\ntwo\tthree"},\n {"role": "agent", "text": "ok"},\n'
    text += ' {"role": "x", "text": ""}]'
    path = write(tmp_path, text, "c.json")
    assert error_of(path).startswith(f"{path}:4: role: ")
    path = write(tmp_path, text.replace('"x"', '"agent"'), "c.json")
    assert read_conversation(path).events[0].text == "one\ntwo\tthree"


def test_an_empty_text_is_kept_as_an_empty_message(tmp_path):
    # an attachment-only message: the reply happened, it just has no words
    transcript = read_conversation(write(tmp_path, csv_of("1;customer;photo attached", "2;agent;  ")))
    assert [(e.role, e.text) for e in transcript.events] == [("customer", "photo attached"), ("agent", "")]
