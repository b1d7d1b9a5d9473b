"""The sparring.transcript/1 interchange format: round trip, validation, one-line errors."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transcripts.format import Transcript, TranscriptError, load_transcript, save_transcript

EXAMPLE = {
    "format": "sparring.transcript/1",
    "id": "abc",
    "scenario": None,
    "language": "en",
    "events": [
        {"seq": 1, "t": 0.0, "role": "customer", "type": "typing"},
        {"seq": 2, "t": 2.4, "role": "customer", "type": "message", "text": "My internet is dead", "final": False},
        {"seq": 3, "t": 3.1, "role": "agent", "type": "message", "text": "Hello! How can I help?"},
        {"seq": 4, "t": 5.0, "role": "customer", "type": "message", "text": "for THREE days.", "final": True},
        {"seq": 5, "t": 61.0, "role": "system", "type": "end", "text": "resolved"},
    ],
}


def test_the_readme_example_loads_and_round_trips(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps(EXAMPLE), encoding="utf-8")
    transcript = load_transcript(path)
    assert transcript.outcome == "resolved"
    assert [e.text for e in transcript.messages("customer")] == ["My internet is dead", "for THREE days."]
    assert transcript.events[0].final is True  # final defaults to true
    save_transcript(transcript, tmp_path / "again.json")
    assert load_transcript(tmp_path / "again.json") == transcript


def test_save_is_atomic_and_leaves_no_temp_file(tmp_path):
    save_transcript(Transcript(id="x"), tmp_path / "deep" / "x.json")
    assert [p.name for p in (tmp_path / "deep").iterdir()] == ["x.json"]


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda d: d["events"][2].update(t=1.0), "time goes backwards"),
        (lambda d: d["events"][2].update(seq=2), "does not follow"),
        (lambda d: d["events"][1].update(role="robot"), "events.1.role"),
        (lambda d: d.update(format="other/2"), "format"),
        (lambda d: d["events"][0].update(colour="red"), "events.0.colour"),
    ],
)
def test_bad_transcripts_get_one_line_naming_the_field(tmp_path, mutate, fragment):
    data = json.loads(json.dumps(EXAMPLE))
    mutate(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(TranscriptError) as error:
        load_transcript(path)
    message = str(error.value)
    assert message.startswith(f"{path}:") and fragment in message and "\n" not in message


def test_broken_json_names_the_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n"id": "x",\n"events": [,]\n}', encoding="utf-8")
    with pytest.raises(TranscriptError, match=rf"^{path}:3: \(json\): "):
        load_transcript(path)


_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**12), st.floats(allow_nan=True), st.text(max_size=20), st.just([])
)


@st.composite
def _mutated_transcript(draw) -> bytes:
    """The README example with a few fields dropped, retyped or added, sometimes cut short or made binary."""
    data = json.loads(json.dumps(EXAMPLE))
    for _ in range(draw(st.integers(1, 4))):
        events = data.get("events")
        target = draw(
            st.sampled_from([data, *(e for e in events if isinstance(e, dict))] if isinstance(events, list) else [data])
        )
        key = draw(st.sampled_from([*target, "extra"]))
        if draw(st.booleans()):
            target.pop(key, None)
        else:
            target[key] = draw(_VALUES)
    raw = json.dumps(data, indent=draw(st.sampled_from([None, 1]))).encode()
    cut = draw(st.integers(0, len(raw)))
    return draw(st.sampled_from([raw, raw[:cut], raw[:cut] + b"\xff\x00", b"\xef\xbb\xbf" + raw]))


@settings(
    max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.one_of(_mutated_transcript(), st.binary(max_size=200)))
def test_any_file_loads_or_gives_one_located_line(tmp_path, raw):
    path = tmp_path / "fuzz.json"
    path.write_bytes(raw)
    try:
        transcript = load_transcript(path)
    except TranscriptError as error:
        message = str(error)
        assert message.startswith(f"{path}:") and "\n" not in message and "Traceback" not in message
        assert int(message[len(str(path)) + 1 :].split(":", 1)[0]) >= 1
    else:
        assert [e.seq for e in transcript.events] == list(range(1, len(transcript.events) + 1))
