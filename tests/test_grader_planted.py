"""The deterministic grader on hand-written transcripts where every fault is planted on a known agent message.

Each ``tests/data/planted/NAME.json`` (a ``sparring.transcript/1`` chat) has a sidecar ``NAME.expect.json``:

    {"scenario": id | null, "passed": bool,
     "marks": [{"kind", "seq", "severity"?, "fact"?, "note"?}],   # every planted fault, and the strengths expected
     "absent": [kinds that must not appear]}

The strict check: the negative marks the grader gives, as (kind, seq, fact), are exactly the planted ones: all
caught, nothing invented. Strengths are checked for presence only.

``tests/data/planted/probes/`` holds small transcripts that pinned down grader bugs found while writing these; each
has a ``bug`` text saying what went wrong, and now guards against it coming back.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from grading.grader import grade
from transcripts.format import Event, Transcript, load_transcript
from transcripts.report import SKILL_OF, SKILLS, Report

HERE = Path(__file__).parent / "data" / "planted"
PROBES = HERE / "probes"

NEGATIVE = (
    "missed_clarifying_question",
    "interruption",
    "canned_answer",
    "repeated_answer",
    "asked_again",
    "no_empathy",
    "wrong_advice",
    "slow_first_reply",
)
POSITIVE = ("clarifying_question", "empathy", "personalized", "deescalated")
OUTCOMES = ("resolved", "customer_left", "unfinished")
MARK_KEYS = {"kind", "seq", "positive", "severity", "quote", "why", "better", "fact"}
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def _cases(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.json") if not p.name.endswith(".expect.json"))


def _expect(path: Path) -> dict:
    return json.loads(path.with_name(path.stem + ".expect.json").read_text(encoding="utf-8"))


PLANTED = _cases(HERE)
PROBE_CASES = _cases(PROBES)
EXPECT = {p.stem: _expect(p) for p in PLANTED}


def _graded(path: Path, catalog) -> tuple[Transcript, dict, Report]:
    expect = _expect(path)
    transcript = load_transcript(path)
    scenario = catalog.scenario(expect["scenario"]) if expect["scenario"] else None
    return transcript, expect, grade(transcript, scenario)


def _event(transcript: Transcript, seq: int) -> Event:
    return next(e for e in transcript.events if e.seq == seq)


def _is_negative(kind: str) -> bool:
    return kind in NEGATIVE


def _check_marks(report: Report, expect: dict) -> None:
    """Planted marks on the exact turn, the negative set exact, the absent kinds absent."""
    got = [(m.kind, m.seq, m.fact, m.severity) for m in report.marks]
    for want in expect["marks"]:
        hits = [
            g
            for g in got
            if g[0] == want["kind"]
            and g[1] == want["seq"]
            and ("fact" not in want or g[2] == want["fact"])
            and ("severity" not in want or g[3] == want["severity"])
        ]
        assert hits, f"expected {want} on seq {want['seq']}; got {[g for g in got if g[1] == want['seq']]}"

    planted = Counter((m["kind"], m["seq"], m.get("fact")) for m in expect["marks"] if _is_negative(m["kind"]))
    given = Counter((m.kind, m.seq, m.fact) for m in report.marks if not m.positive)
    assert given == planted, (
        f"invented: {sorted((given - planted).elements())}; missed: {sorted((planted - given).elements())}"
    )

    present = {m.kind for m in report.marks}
    assert not present & set(expect["absent"]), f"kinds that must not appear: {sorted(present & set(expect['absent']))}"
    if "passed" in expect:
        assert report.passed is expect["passed"], f"score {report.score}, pass {report.pass_score}"


# --------------------------------------------------------------------------- the planted fixtures themselves


def test_fixture_set_covers_every_fault_twice_per_language():
    by_lang: dict[str, list[str]] = {"en": [], "ru": []}
    for name in EXPECT:
        by_lang[name.split("_")[0]].append(name)
    for lang, names in by_lang.items():
        assert len(names) >= 6, lang
        assert any(EXPECT[n]["scenario"] for n in names), f"{lang}: no transcript with a scenario"
        assert any(EXPECT[n]["scenario"] is None for n in names), f"{lang}: no scenario-less transcript"
        planted = Counter(m["kind"] for n in names for m in EXPECT[n]["marks"] if _is_negative(m["kind"]))
        for kind in NEGATIVE:
            assert planted[kind] >= 2, f"{lang}: {kind} planted {planted[kind]} times"

        def kinds_in(name: str, kind: str) -> list[dict]:
            return [m for m in EXPECT[name]["marks"] if m["kind"] == kind]

        # missed question and wrong advice both with and without a scenario
        for kind in ("missed_clarifying_question", "wrong_advice"):
            assert any(kinds_in(n, kind) for n in names if EXPECT[n]["scenario"]), (lang, kind)
            assert any(kinds_in(n, kind) for n in names if not EXPECT[n]["scenario"]), (lang, kind)
        assert any(m.get("fact") for n in names for m in kinds_in(n, "missed_clarifying_question")), lang
        assert any(m.get("severity") == "critical" for n in names for m in kinds_in(n, "interruption")), lang
        assert any(m.get("severity") == "major" for n in names for m in kinds_in(n, "interruption")), lang
        clean = [n for n in names if not any(_is_negative(m["kind"]) for m in EXPECT[n]["marks"])]
        assert clean, f"{lang}: no clean transcript"
        for name in clean:
            assert EXPECT[name]["passed"] is True
            assert {m["kind"] for m in EXPECT[name]["marks"]} == set(POSITIVE), name


def test_every_case_has_a_sidecar_and_a_matching_header():
    for path in PLANTED + PROBE_CASES:
        assert path.with_name(path.stem + ".expect.json").exists(), path
        transcript = load_transcript(path)
        expect = _expect(path)
        assert transcript.language == path.stem.split("_")[0], path
        assert transcript.scenario == expect["scenario"], path
        assert transcript.outcome in OUTCOMES, path
        for mark in expect["marks"]:
            assert mark["kind"] in SKILL_OF, (path, mark)
            event = _event(transcript, mark["seq"])
            assert event.role == "agent" and event.is_message, (path, mark)


def _turn_open_before(transcript: Transcript, seq: int) -> tuple[bool, bool]:
    """(is a customer turn open, has the customer finished a first message) just before ``seq``."""
    open_, first_done = False, False
    for event in transcript.events:
        if event.seq >= seq:
            break
        if event.role != "customer":
            continue
        if event.type == "typing":
            open_ = True
        elif event.is_message:
            open_ = not event.final
            first_done = first_done or event.final
    return open_, first_done


@pytest.mark.parametrize("path", PLANTED, ids=lambda p: p.stem)
def test_planted_timing_faults_are_unambiguous(path, catalog):
    """The fixture data itself: interruptions really cut into an open turn, slow replies really are slow."""
    transcript = load_transcript(path)
    expect = _expect(path)
    limit = catalog.scenario(expect["scenario"]).end.first_reply_seconds if expect["scenario"] else 60.0
    planted = {(m["kind"], m["seq"]): m for m in expect["marks"]}
    for event in transcript.messages("agent"):
        open_, first_done = _turn_open_before(transcript, event.seq)
        mark = planted.get(("interruption", event.seq))
        assert bool(mark) == open_, f"seq {event.seq}: turn open {open_}, interruption planted {bool(mark)}"
        if mark and not first_done:
            assert mark["severity"] == "critical", "cutting into the very first message is critical"
    first_final = next(e for e in transcript.messages("customer") if e.final)
    first_reply = next(e for e in transcript.messages("agent") if e.seq > first_final.seq)
    waited = first_reply.t - first_final.t
    slow = planted.get(("slow_first_reply", first_reply.seq))
    earlier = [e for e in transcript.messages("agent") if e.seq < first_final.seq]
    if not earlier:  # the agent's first message is the first reply
        assert bool(slow) == (waited > limit), f"waited {waited} s, limit {limit} s"
        if slow:
            assert slow["severity"] == ("major" if waited > 2 * limit else "minor")


# --------------------------------------------------------------------------- the grader on them


@pytest.mark.parametrize("path", PLANTED, ids=lambda p: p.stem)
def test_planted_faults_are_all_caught_and_nothing_is_invented(path, catalog):
    _, expect, report = _graded(path, catalog)
    _check_marks(report, expect)


@pytest.mark.parametrize("path", PLANTED, ids=lambda p: p.stem)
def test_marks_quote_the_agent_message_and_explain_in_its_language(path, catalog):
    transcript, _, report = _graded(path, catalog)
    cyrillic = transcript.language == "ru"
    for mark in report.marks:
        event = _event(transcript, mark.seq)
        assert event.role == "agent" and event.is_message, mark
        text = " ".join((event.text or "").split())
        if mark.quote.endswith("…") and len(text) > len(mark.quote):
            assert text.startswith(mark.quote[:-1]), mark
        else:
            assert mark.quote == text, mark
        assert mark.positive is (mark.kind in POSITIVE), mark
        assert mark.why.strip(), mark
        assert bool(CYRILLIC.search(mark.why)) is cyrillic, mark.why
        if mark.positive:
            continue
        assert mark.better and mark.better.strip(), mark
        assert bool(CYRILLIC.search(mark.better)) is cyrillic, mark.better


@pytest.mark.parametrize("path", PLANTED, ids=lambda p: p.stem)
def test_report_json_has_the_documented_shape(path, catalog):
    transcript, expect, report = _graded(path, catalog)
    data = report.model_dump(mode="json")
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["format"] == "sparring.report/1"
    assert data["transcript"] == transcript.id
    assert data["scenario"] == expect["scenario"]
    assert data["language"] == transcript.language
    assert isinstance(data["score"], int) and 0 <= data["score"] <= 100
    assert isinstance(data["passed"], bool)
    assert isinstance(data["pass_score"], int)
    assert data["passed"] == (data["score"] >= data["pass_score"] and not report.critical)
    assert set(data["skills"]) == set(SKILLS)
    assert all(isinstance(v, int) and 0 <= v <= 100 for v in data["skills"].values())
    assert data["outcome"] in OUTCOMES and data["outcome"] == transcript.outcome
    assert isinstance(data["marks"], list) and data["marks"]
    for mark in data["marks"]:
        assert set(mark) >= MARK_KEYS, mark
        assert mark["kind"] in SKILL_OF and mark["severity"] in ("minor", "major", "critical")
        assert isinstance(mark["seq"], int) and isinstance(mark["positive"], bool)
        assert all(isinstance(mark[k], str) for k in ("quote", "why"))
        assert mark["better"] is None or isinstance(mark["better"], str)
        assert mark["fact"] is None or isinstance(mark["fact"], str)
        assert mark["judged_by"] is None, "the deterministic grader judges every mark itself"
    assert [m["seq"] for m in data["marks"]] == sorted(m["seq"] for m in data["marks"]), "marks in turn order"
    assert Report.model_validate(data) == report


@pytest.mark.parametrize("path", PLANTED, ids=lambda p: p.stem)
def test_same_input_same_report(path, catalog):
    first_transcript, _, first = _graded(path, catalog)
    before = first_transcript.model_dump(mode="json")
    _, _, second = _graded(path, catalog)
    again = grade(first_transcript, catalog.scenario(first.scenario) if first.scenario else None)
    dumped = json.dumps(first.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)
    assert json.dumps(second.model_dump(mode="json"), ensure_ascii=False, sort_keys=True) == dumped
    assert json.dumps(again.model_dump(mode="json"), ensure_ascii=False, sort_keys=True) == dumped
    assert first_transcript.model_dump(mode="json") == before, "grading must not change the transcript"


# --------------------------------------------------------------------------- known grader bugs


@pytest.mark.parametrize(
    "path",
    [pytest.param(p, id=p.stem) for p in PROBE_CASES],
)
def test_fixed_grader_bugs_stay_fixed(path, catalog):
    _, expect, report = _graded(path, catalog)
    _check_marks(report, expect)
