"""Exports of a stored session (HTML, Markdown, JSON, CSV) from a real SQLite store, with its access rules."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest

from grading import grade
from transcripts.export import CSV_COLUMNS, EXPORT_FORMAT, FORMATS, export_session
from transcripts.format import Event, Transcript
from transcripts.imports import read_conversation
from transcripts.report import Mark, Report
from transcripts.repository import NotFound, Repository
from transcripts.store import open_engine, sqlite_url

SCRIPT = "<script>alert('boo')</script>"
JUDGE = "judge-model-7b"
OVERRIDE = "She was only typing a greeting & the <b>rule</b> is too strict here."
DISPUTE = "I could not see that she was still typing."
GENERAL = "Good recovery overall; watch the contract number."
ON_TURN = "Her contract number was already in the first message."


def _events() -> list[Event]:
    rows = [
        ("customer", "typing", None, {}),
        ("agent", "message", "Hi, this is Sam from Netlink. How can I help?", {"interruption": True}),
        ("customer", "message", f"My internet has been dead for THREE days. Contract 77-4410. {SCRIPT}", {}),
        ("agent", "message", "Three days offline is a lot, I'm sorry. What do the lights on your router show?", {}),
        ("customer", "message", "The DSL light is blinking red.\nThe others are green.", {}),
        ("agent", "message", "Thanks. Could you give me your contract number so I can look at your line?", {}),
        ("customer", "message", "=I gave it to you in my first message. 77-4410.", {}),
        (
            "agent",
            "message",
            "Sorry, I see it now. The red DSL light means a line fault; a technician visits tomorrow.",
            {},
        ),
        ("customer", "message", "Fine. Tomorrow morning then, thanks.", {}),
        ("system", "end", "resolved", {}),
    ]
    times = [0.0, 2.0, 6.0, 25.0, 40.0, 55.0, 66.0, 80.0, 95.0, 100.0]
    return [
        Event(seq=i, t=t, role=role, type=kind, text=text, meta=meta)  # type: ignore[arg-type]
        for i, (t, (role, kind, text, meta)) in enumerate(zip(times, rows, strict=True), start=1)
    ]


@dataclass
class Store:
    admin: Repository
    trainee: Repository
    mentor: Repository
    outsider: Repository
    transcript: Transcript
    report: Report


@pytest.fixture
def store(tmp_path) -> Store:
    engine = open_engine(sqlite_url(tmp_path / "sparring.db"))
    admin = Repository.acting_as(engine, "admin")
    admin.add_group("north")
    admin.add_group("south")
    admin.add_person("dana", "trainee", groups=["north"])
    admin.add_person("Mira <Mentor>", "mentor", mentors=["north"])
    admin.add_person("olga", "trainee", groups=["south"])
    trainee = Repository.acting_as(engine, "dana")
    transcript = Transcript(
        id="s-1",
        scenario="home-internet-down",
        events=_events(),
        meta={"persona": "angry", "customer": "Dana", "temperament": "angry", "backend": "local", "model": "smol.gguf"},
    )
    trainee.store_transcript(transcript)
    report = grade(transcript)
    judged = Mark(
        kind="canned_answer",
        seq=6,
        severity="major",
        quote="Thanks.",
        why="Reads like a template.",
        better="Use the details she gave.",
        judged_by=JUDGE,
    )
    report = report.model_copy(update={"marks": [*report.marks, judged]})
    trainee.save_report(report)
    mentor = Repository.acting_as(engine, "Mira <Mentor>")
    marks = mentor.marks("s-1")
    interruption = next(m for m in marks if m.mark.kind == "interruption")
    mentor.review(interruption.id, "override", OVERRIDE)
    mentor.review(next(m for m in marks if m.mark.positive).id, "agree")
    mentor.comment("s-1", GENERAL)
    mentor.comment("s-1", ON_TURN, seq=6)
    trainee.respond(interruption.id, "dispute", DISPUTE)
    return Store(
        admin, trainee, mentor, Repository.acting_as(engine, "olga"), transcript, trainee.report("s-1") or report
    )


class Page(HTMLParser):
    """Checks nesting and collects the text, and the text inside each turn (``li#seq-N``)."""

    VOID = frozenset({"meta", "br", "hr", "img", "input", "link", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.errors: list[str] = []
        self.text: list[str] = []
        self.turns: dict[int, list[str]] = {}
        self.counts: dict[str, int] = {}
        self.styles: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.counts[tag] = self.counts.get(tag, 0) + 1
        if tag in self.VOID:
            return
        ident = dict(attrs).get("id")
        turn = ident if ident and ident.startswith("seq-") else None
        if turn:
            self.turns[int(turn.removeprefix("seq-"))] = []
        self.stack.append((tag, turn))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1][0] if self.stack else 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)
        if self.stack and self.stack[-1][0] == "style":
            self.styles.append(data)
        for _tag, turn in self.stack:
            if turn:
                self.turns[int(turn.removeprefix("seq-"))].append(data)

    def turn_text(self, seq: int) -> str:
        return " ".join("".join(self.turns[seq]).split())

    @property
    def all_text(self) -> str:
        return " ".join("".join(self.text).split())


def parse(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    assert not parser.errors, parser.errors[:5]
    assert not parser.stack, parser.stack
    return parser


def squash(text: str) -> str:
    return " ".join(text.split())


# -- HTML


def test_html_is_one_self_contained_well_formed_page(store):
    page = export_session(store.trainee, "s-1", "html")
    assert isinstance(page, str)
    lowered = page.lower()
    for reference in ("http://", "https://", "<link", "<script", "src=", "@import", "url("):
        assert reference not in lowered, reference
    parsed = parse(page)
    for tag in ("html", "head", "body", "main", "style", "title"):
        assert parsed.counts.get(tag) == 1, tag
    css = "".join(parsed.styles)
    assert "@media print" in css and "break-inside: avoid" in css


def test_html_escapes_every_stored_text(store):
    page = export_session(store.trainee, "s-1", "html")
    assert isinstance(page, str)
    assert "&lt;script&gt;alert(" in page
    assert "&lt;b&gt;rule&lt;/b&gt;" in page and "<b>rule" not in page
    assert "Mira &lt;Mentor&gt;" in page
    parsed = parse(page)
    assert SCRIPT in parsed.all_text, "escaped, it still reads as the customer wrote it"


def test_html_puts_every_mark_and_its_thread_in_its_turn(store):
    parsed = parse(str(export_session(store.trainee, "s-1", "html")))
    for number, stored in enumerate(store.trainee.marks("s-1"), start=1):
        mark = stored.mark
        turn = parsed.turn_text(mark.seq)
        assert squash(mark.why) in turn, (mark.kind, mark.seq)
        assert f"mark {number}" in turn, "numbered as sparring review and respond take them"
        if mark.better:
            assert squash(mark.better) in turn
    first = parsed.turn_text(2)
    assert "interrupted the customer" in first
    assert squash(OVERRIDE) in first and "Mira <Mentor> overrides this mark" in first
    assert DISPUTE in first and "dana disputes this mark" in first
    assert "overridden" in first
    assert f"judged by {JUDGE}" in parsed.turn_text(6)
    assert ON_TURN in parsed.turn_text(6)
    assert GENERAL in parsed.all_text and GENERAL not in parsed.turn_text(6)
    assert 1 not in parsed.turns, "typing events are left out"
    assert "Session ended: resolved" in parsed.turn_text(10)


def test_html_header_score_and_skills(store):
    parsed = parse(str(export_session(store.admin, "s-1", "html")))
    text = parsed.all_text
    report = store.report
    for expected in ("home-internet-down", "dana", "practice", "local · smol.gguf", f"pass mark {report.pass_score}"):
        assert expected in text, expected
    assert f"{report.score}/100" in text
    assert ("passed" if report.passed else "failed") in text
    page = str(export_session(store.admin, "s-1", "html"))
    for skill, value in report.skills.items():
        assert skill in text
        assert f'style="width: {value}%"' in page


# -- Markdown


def _md_blocks(text: str) -> list[tuple[str, str]]:
    """(turn line, everything nested under it) for each turn of the transcript section."""
    section = text.split("## Transcript", 1)[1]
    blocks: list[tuple[str, str]] = []
    for line in section.splitlines():
        if line.startswith("- `"):
            blocks.append((line, ""))
        elif line.startswith(" ") and blocks:
            head, body = blocks[-1]
            blocks[-1] = (head, body + line + "\n")
    return blocks


def test_markdown_has_the_marks_under_their_turns(store):
    text = export_session(store.trainee, "s-1", "md")
    assert isinstance(text, str)
    assert text.startswith("# Session report: home-internet-down")
    assert "<script>" not in text and r"\<script\>" in text
    blocks = _md_blocks(text)
    messages = [e for e in store.transcript.events if e.is_message or e.type == "end"]
    assert len(blocks) == len(messages)
    for (_head, body), event in zip(blocks, messages, strict=True):
        marks = [m for m in store.report.marks if m.seq == event.seq]
        for mark in marks:
            assert mark.why.replace("_", r"\_") in body, (event.seq, mark.kind)
        if not marks:
            assert "✅" not in body and "❌" not in body
    head, body = blocks[0]
    assert "interrupted the customer" in head
    assert "overrides this mark" in body and "disputes this mark" in body and "overridden" in body
    assert r"\<b\>rule\</b\>" in body
    assert "Her contract number was already in the first message." in blocks[4][1]
    assert f"judged by {JUDGE}" in blocks[4][1]
    assert GENERAL in text.split("## Transcript")[0]
    assert "The DSL light is blinking red.  \n  The others are green." in text, "a multi-line message stays in its item"
    assert "| listening |" in text


# -- JSON


def test_json_holds_the_transcript_report_reviews_and_comments(store):
    document = json.loads(export_session(store.trainee, "s-1", "json"))
    assert document["format"] == EXPORT_FORMAT
    assert set(document) == {"format", "session", "transcript", "report", "reviews", "responses", "comments"}
    assert Transcript.model_validate(document["transcript"]) == store.transcript
    report = Report.model_validate(document["report"])
    assert report == store.trainee.report("s-1")
    session = document["session"]
    assert session["id"] == "s-1" and session["trainee"] == "dana" and session["mode"] == "practice"
    assert session["model"] == "smol.gguf" and session["started_at"].endswith("+00:00")
    override = next(r for r in document["reviews"] if r["verdict"] == "override")
    assert override["reason"] == OVERRIDE and override["reviewer"] == "Mira <Mentor>"
    assert report.marks[override["mark"]].kind == override["kind"] == "interruption"
    assert {r["verdict"] for r in document["reviews"]} == {"agree", "override"}
    stored = store.trainee.marks("s-1")
    for entry in document["reviews"]:
        assert entry["number"] == entry["mark"] + 1 and stored[entry["mark"]].id == entry["mark_id"]
    (response,) = document["responses"]
    assert response["response"] == "dispute" and response["reason"] == DISPUTE and response["person"] == "dana"
    assert response["mark_id"] == override["mark_id"]
    assert [(c["seq"], c["text"]) for c in document["comments"]] == [(None, GENERAL), (6, ON_TURN)]


# -- CSV


def test_csv_has_one_row_per_message(store):
    data = export_session(store.trainee, "s-1", "csv")
    assert isinstance(data, bytes) and data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    messages = store.transcript.messages()
    assert len(rows) - 1 == len(messages)
    for row, event in zip(rows[1:], messages, strict=True):
        seq, time, role, text, kinds = row
        assert (int(seq), float(time), role) == (event.seq, event.t, event.role)
        assert text == event.text or text == "'" + (event.text or "")
        assert (kinds.split("; ") if kinds else []) == [m.kind for m in store.report.marks if m.seq == event.seq]
    assert "interruption" in rows[1][4].split("; ")
    assert SCRIPT in rows[2][3]
    assert rows[4][3] == "The DSL light is blinking red.\nThe others are green."
    assert rows[6][3].startswith("'="), "a cell a spreadsheet would run as a formula is defused"


def test_csv_reads_back_as_a_chat_export(store, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(bytes(export_session(store.trainee, "s-1", "csv")))  # type: ignore[arg-type]
    again = read_conversation(path)
    assert [(e.role, e.text) for e in again.messages()][:3] == [
        (e.role, e.text) for e in store.transcript.messages()[:3]
    ]
    assert len(again.messages()) == len(store.transcript.messages())


# -- language, ungraded sessions, access


def test_russian_labels_keep_stored_texts(store, monkeypatch):
    monkeypatch.setenv("SPARRING_LANGUAGE", "ru")
    page = str(export_session(store.trainee, "s-1", "html"))
    parsed = parse(page)
    assert '<html lang="ru">' in page
    for label in ("Отчёт о сессии", "Навыки", "Транскрипт", "перебивает клиента", "отменяет отметку", "незачёт"):
        assert label in parsed.all_text, label
    assert "Session report" not in parsed.all_text
    assert "Dana · злой" in parsed.all_text
    assert "angry" not in parsed.all_text  # the persona by name and temperament, not its English id
    assert all(squash(m.why) in parsed.all_text for m in store.report.marks), "mark texts stay as stored"
    text = str(export_session(store.trainee, "s-1", "md"))
    assert text.startswith("# Отчёт о сессии") and "## Транскрипт" in text and "**клиент**" in text
    assert export_session(store.trainee, "s-1", "html", lang="en") != page


def test_an_ungraded_session_still_exports(store):
    events = [
        Event(seq=1, t=0.0, role="customer", type="message", text="Hello?"),
        Event(seq=2, t=4.0, role="agent", type="message", text="Hi! How can I help?"),
    ]
    store.trainee.store_transcript(Transcript(id="s-2", events=events))
    parsed = parse(str(export_session(store.trainee, "s-2", "html")))
    assert "Not graded yet." in parsed.all_text and "Skills" not in parsed.all_text
    assert "Hello?" in parsed.turn_text(1) and "free conversation" in parsed.all_text
    text = str(export_session(store.trainee, "s-2", "md"))
    assert "*Not graded yet.*" in text and "## Skills" not in text and "How can I help?" in text
    document = json.loads(export_session(store.trainee, "s-2", "json"))
    assert document["report"] is None and document["reviews"] == document["comments"] == []
    rows = list(csv.reader(io.StringIO(bytes(export_session(store.trainee, "s-2", "csv")).decode("utf-8-sig"))))  # type: ignore[arg-type]
    assert [r[4] for r in rows[1:]] == ["", ""]


def test_only_people_who_may_see_a_session_can_export_it(store):
    for fmt in FORMATS:
        with pytest.raises(NotFound):
            export_session(store.outsider, "s-1", fmt)
        assert export_session(store.mentor, "s-1", fmt)
        assert export_session(store.admin, "s-1", fmt)
    with pytest.raises(NotFound):
        export_session(store.trainee, "no-such-session", "html")


def test_an_unknown_format_is_refused(store):
    with pytest.raises(ValueError, match="pdf"):
        export_session(store.trainee, "s-1", "pdf")
