"""``sparring grade`` and ``sparring analyze`` as a mentor runs them: three input formats, three outputs."""

from __future__ import annotations

import asyncio
import json

import pytest

from grading import grade
from grading.judge import judge_report
from simulator.llm.local import LocalBackend
from simulator.llm.openai_backend import OpenAIBackend
from tests.support import ROOT, assert_one_line_error, sparring
from transcripts.format import Event, Transcript, save_transcript

EXPORT_CSV = (
    "time,author,text\n"
    "10:00:05,customer,My parcel is 5 days late and nobody answers!\n"
    "10:00:40,agent,We apologize for any inconvenience. Please check our FAQ.\n"
    "10:01:10,customer,That is not an answer.\n"
)
EXPORT_JSON = [
    {"role": "customer", "text": "Я уже перезагрузил роутер, интернета всё равно нет!", "time": "2026-11-20T10:00:00"},
    {"role": "agent", "text": "Перезагрузите роутер, пожалуйста.", "time": "2026-11-20T10:00:30"},
]


@pytest.fixture
def simulated(tmp_path):
    path = tmp_path / "sim.json"
    result = sparring("simulate", "-s", "home-internet-down", "--agent-bot", "hasty", "-b", "scripted", "-o", str(path))
    assert result.returncode == 0, result.stderr
    return path


@pytest.mark.slow
def test_grade_a_simulated_session_finds_its_scenario_by_itself(simulated):
    result = sparring("grade", str(simulated), "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["format"] == "sparring.report/1" and report["scenario"] == "home-internet-down"
    assert {m["fact"] for m in report["marks"] if m["kind"] == "missed_clarifying_question"} == {
        "contract",
        "router-lights",
    }


@pytest.mark.slow
def test_grade_text_shows_marks_inline_and_markdown_too(simulated):
    text = sparring("grade", str(simulated))
    assert text.returncode == 0 and "missed clarifying question (critical)" in text.stdout
    assert "Score" in text.stdout and "→ better" in text.stdout
    md = sparring("grade", str(simulated), "--format", "md")
    assert md.stdout.startswith("# Score") and "- ❌ *missed clarifying question (critical)*" in md.stdout


@pytest.mark.slow
def test_grade_a_csv_export_without_a_scenario(tmp_path):
    path = tmp_path / "chat.csv"
    path.write_text(EXPORT_CSV, encoding="utf-8")
    report = json.loads(sparring("grade", str(path), "-f", "json").stdout)
    kinds = {(m["kind"], m["seq"]) for m in report["marks"]}
    assert ("canned_answer", 2) in kinds and ("no_empathy", 2) in kinds and report["scenario"] is None


@pytest.mark.slow
def test_grade_a_json_list_export_in_russian(tmp_path):
    path = tmp_path / "chat.json"
    path.write_text(json.dumps(EXPORT_JSON, ensure_ascii=False), encoding="utf-8")
    result = sparring("grade", str(path), "-f", "json", env={"SPARRING_LANGUAGE": "ru"})
    report = json.loads(result.stdout)
    assert report["language"] == "ru" and ("wrong_advice", 2) in {(m["kind"], m["seq"]) for m in report["marks"]}
    text = sparring("grade", str(path), env={"SPARRING_LANGUAGE": "ru"})
    assert "Балл" in text.stdout and "неверный совет" in text.stdout


@pytest.mark.slow
def test_grade_with_an_explicit_scenario_file(simulated):
    path = ROOT / "scenarios" / "home-internet-down.yaml"
    report = json.loads(sparring("grade", str(simulated), "--scenario", str(path), "-f", "json").stdout)
    assert report["scenario"] == "home-internet-down"


@pytest.mark.slow
def test_grade_names_an_unknown_scenario_and_grades_without_it(tmp_path):
    transcript = Transcript(
        id="x",
        scenario="gone-case",
        events=[
            Event(seq=1, t=0, role="customer", type="message", text="Hi, my order is late."),
            Event(seq=2, t=5, role="agent", type="message", text="What is the order number?"),
        ],
    )
    save_transcript(transcript, tmp_path / "x.json")
    result = sparring("grade", str(tmp_path / "x.json"), "-f", "json")
    assert result.returncode == 0 and "gone-case" in result.stderr
    assert json.loads(result.stdout)["scenario"] == "gone-case"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", ":1: (json): "),
        ('[{"role": "wizard", "text": "hi", "time": 0}]', "wizard"),
        ("", "empty"),
    ],
)
@pytest.mark.slow
def test_grade_rejects_broken_files_in_one_line(tmp_path, content, fragment):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    assert_one_line_error(sparring("grade", str(path)), 2, str(path), fragment)


@pytest.mark.slow
def test_grade_a_missing_file():
    assert_one_line_error(sparring("grade", "no-such-file.json"), 2, "no-such-file.json")


@pytest.mark.slow
def test_analyze_tags_each_line_and_keeps_its_fields(tmp_path):
    path = tmp_path / "u.jsonl"
    lines = [
        {"text": "Could you tell me your order number?", "id": 1},
        {"text": "Спасибо за обращение! Ваша заявка передана специалистам.", "lang": "ru"},
        {"text": "I'm so sorry, that sounds really stressful."},
    ]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    result = sparring("analyze", str(path))
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert out[0]["id"] == 1 and out[0]["tags"] == {"clarifying_question": True, "canned": False, "empathy": False}
    assert out[1]["tags"]["canned"] is True and out[2]["tags"]["empathy"] is True


@pytest.mark.slow
def test_analyze_reports_a_bad_line(tmp_path):
    path = tmp_path / "u.jsonl"
    path.write_text('{"text": "ok"}\n{"txt": "oops"}\n', encoding="utf-8")
    assert_one_line_error(sparring("analyze", str(path)), 2, f"{path}:2: text: ")


def hasty_transcript() -> Transcript:
    return Transcript(
        id="j",
        events=[
            Event(seq=1, t=0, role="customer", type="message", text="My internet is down for three days!"),
            Event(
                seq=2,
                t=9,
                role="agent",
                type="message",
                text="Thank you for contacting us. Please restart your router.",
            ),
        ],
    )


@pytest.mark.llama
def test_the_judge_on_the_embedded_model_answers_valid_json_or_is_skipped():
    """A grammar forces JSON even from a 135M model; whatever it judges is labelled or skipped, never a crash."""
    transcript = hasty_transcript()
    warnings: list[str] = []
    backend = LocalBackend()
    judged = asyncio.run(judge_report(grade(transcript), transcript, None, backend, warn=warnings.append))
    added = [m for m in judged.marks if m.judged_by]
    assert len(added) + len(warnings) <= 4
    assert all(m.judged_by.startswith("local:") and m.seq == 2 for m in added)
    assert all("seq" in w or "no usable answer" in w for w in warnings)


def test_the_judge_asks_an_openai_server_for_schema_json(openai_server):
    openai_server.reply(*['{"fault": true, "seq": 2, "evidence": "restart again"}'] * 4)
    backend = OpenAIBackend(base_url=openai_server.url, model="judge-model", timeout=5, max_retries=0)
    transcript = hasty_transcript()
    judged = asyncio.run(judge_report(grade(transcript), transcript, None, backend, warn=lambda _: None))
    assert len([m for m in judged.marks if m.judged_by == "openai:judge-model"]) == 4
    body = openai_server.requests[0].body
    assert body["response_format"]["type"] == "json_schema"
    assert "fault" in body["response_format"]["json_schema"]["schema"]["properties"]
