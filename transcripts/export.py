"""One stored session as a file to share or keep: HTML, Markdown, JSON or CSV.

The export holds everything the repository lets the actor see about a session: the transcript, the
latest grade with every mark next to its turn, the mentors' reviews, the trainee's responses and the
mentors' comments. Access is the repository's: a session the actor may not see raises ``NotFound``.

- ``html``: one self-contained file (inline CSS; no fonts, scripts or images from anywhere) that reads
  well in a browser and prints well.
- ``md``: the same content as Markdown.
- ``json``: ``{"format": "sparring.export/1", "session", "transcript", "report", "reviews",
  "responses", "comments"}``, the transcript and report in their own formats.
- ``csv``: one row per message (``seq, time, role, text, marks``) for spreadsheets, as UTF-8 bytes with
  a byte-order mark so spreadsheet programs read Cyrillic correctly.

Labels follow the interface language (``SPARRING_LANGUAGE``); marks, reviews and comments stay as stored.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, cached_property
from typing import Any, Final

import jinja2
from sqlmodel import col, select

from simulator.i18n import MESSAGES, language, t
from simulator.vocabulary import LANGUAGES
from transcripts.assignments import Certificate
from transcripts.format import Event, Transcript
from transcripts.report import SKILLS, Mark, Report
from transcripts.repository import Repository
from transcripts.tables import PersonRow, SessionRow

EXPORT_FORMAT: Final = "sparring.export/1"
FORMATS: Final = ("html", "md", "json", "csv")
CSV_COLUMNS: Final = ("seq", "time", "role", "text", "marks")
"""``time`` is seconds from the start, so ``sparring grade`` reads the CSV back as a chat export."""

# -- what an export holds


@dataclass(frozen=True)
class Review:
    who: str
    verdict: str
    """agree or override."""
    reason: str | None
    at: datetime


@dataclass(frozen=True)
class Response:
    who: str
    response: str
    """acknowledge or dispute."""
    reason: str | None
    at: datetime


@dataclass(frozen=True)
class ExportMark:
    id: int
    index: int
    """Its position in ``report.marks``."""
    mark: Mark
    reviews: list[Review]
    responses: list[Response]

    @property
    def number(self) -> int:
        """How people name it: ``sparring review SESSION NUMBER`` (1, 2, … per session)."""
        return self.index + 1

    @property
    def overridden(self) -> bool:
        """The latest mentor verdict overrides it."""
        return bool(self.reviews) and self.reviews[-1].verdict == "override"


@dataclass(frozen=True)
class Comment:
    author: str
    seq: int | None
    text: str
    at: datetime


@dataclass(frozen=True)
class Turn:
    """A message or the end of the session, with what was said about it."""

    event: Event
    marks: list[ExportMark] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)

    @property
    def interruption(self) -> bool:
        if self.event.role != "agent":
            return False
        return bool(self.event.meta.get("interruption")) or any(
            m.mark.kind == "interruption" and not m.mark.positive for m in self.marks
        )


@dataclass(frozen=True)
class SessionExport:
    session: SessionRow
    trainee: str
    transcript: Transcript
    report: Report | None
    marks: list[ExportMark]
    comments: list[Comment]

    @cached_property
    def turns(self) -> list[Turn]:
        """Messages and the end, in order; typing and notes are left out."""
        marks, comments = self._marks_by_seq(), self._comments_by_seq()
        return [
            Turn(e, marks.get(e.seq, []), comments.get(e.seq, []))
            for e in self.transcript.events
            if e.is_message or e.type == "end"
        ]

    @cached_property
    def stray_marks(self) -> list[ExportMark]:
        """Marks on a seq that is not a shown turn (never expected; shown apart rather than lost)."""
        shown = {turn.event.seq for turn in self.turns}
        return [m for m in self.marks if m.mark.seq not in shown]

    @cached_property
    def general_comments(self) -> list[Comment]:
        """Comments on the whole session, and any on a seq that is not a shown turn (a typing event)."""
        shown = {turn.event.seq for turn in self.turns}
        return [c for c in self.comments if c.seq is None or c.seq not in shown]

    def _marks_by_seq(self) -> dict[int, list[ExportMark]]:
        by_seq: dict[int, list[ExportMark]] = defaultdict(list)
        for mark in self.marks:
            by_seq[mark.mark.seq].append(mark)
        return by_seq

    def _comments_by_seq(self) -> dict[int, list[Comment]]:
        by_seq: dict[int, list[Comment]] = defaultdict(list)
        for comment in self.comments:
            if comment.seq is not None:
                by_seq[comment.seq].append(comment)
        return by_seq


def collect(repo: Repository, session_id: str) -> SessionExport:
    """Everything about one session the acting person may see (``NotFound`` if they may not see it)."""
    info = repo.session_info(session_id)
    transcript = repo.transcript(session_id)
    for _attempt in range(3):  # two reads: a grade saved between them would pair a report with other marks
        report = repo.report(session_id)
        stored = repo.marks(session_id) if report is not None else []
        if report is None or [s.mark for s in stored] == report.marks:
            break
    comments = repo.comments(session_id)
    names = _names(
        repo,
        {info.person_id}
        | {r.reviewer_id for s in stored for r in s.reviews}
        | {p.person_id for s in stored for p in s.responses},
    )
    marks = [
        ExportMark(
            s.id,
            index,
            s.mark,
            [Review(names.get(r.reviewer_id, "?"), r.verdict, r.reason, _utc(r.created_at)) for r in s.reviews],
            [Response(names.get(p.person_id, "?"), p.response, p.reason, _utc(p.created_at)) for p in s.responses],
        )
        for index, s in enumerate(stored)
    ]
    return SessionExport(
        session=info,
        trainee=names.get(info.person_id, "?"),
        transcript=transcript,
        report=report,
        marks=marks,
        comments=[Comment(name, c.seq, c.text, _utc(c.created_at)) for c, name in comments],
    )


def _names(repo: Repository, ids: set[int]) -> dict[int, str]:
    """Names of the people on a session the actor may see: its trainee, reviewers and responders."""
    with repo.db() as db:
        rows = db.exec(select(PersonRow.id, PersonRow.name).where(col(PersonRow.id).in_(ids)))
        return {person_id: name for person_id, name in rows if person_id is not None}


def _utc(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; they were written in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# -- the formats


def export_session(repo: Repository, session_id: str, fmt: str, lang: str | None = None) -> str | bytes:
    """The session as ``fmt`` (html, md, json: text; csv: UTF-8 bytes with a BOM).

    ``lang`` is the interface language of the labels (default: ``SPARRING_LANGUAGE``). Raises
    ``NotFound`` for a session the actor may not see, ``ValueError`` for an unknown format.
    """
    if fmt not in FORMATS:
        raise ValueError(t("export.unknown_format", lang, fmt=fmt, choices=", ".join(FORMATS)))
    data = collect(repo, session_id)
    lang = lang if lang in LANGUAGES else language()
    if fmt == "json":
        return as_json(data)
    if fmt == "csv":
        return as_csv(data)
    return render(data, fmt, lang)


def render(data: SessionExport, fmt: str, lang: str) -> str:
    """HTML or Markdown from ``transcripts/templates/export.<fmt>``."""
    template = _environment().get_template(f"export.{fmt}")
    return template.render(x=data, report=data.report, lang=lang, L=_labeller(lang), **_header(data, lang))


def _labeller(lang: str) -> Callable[..., str]:
    def labelled(key: str, **values: object) -> str:
        return t(key, lang, **values)

    return labelled


def _header(data: SessionExport, lang: str) -> dict[str, Any]:
    session, report = data.session, data.report
    events = data.transcript.events
    details: list[tuple[str, str]] = [
        (t("export.trainee", lang), data.trainee),
        (t("export.date", lang), _when(session.started_at)),
    ]
    if events:
        details.append((t("export.duration", lang), _clock(events[-1].t)))
    details.append((t("export.mode", lang), _choice("export.mode", session.mode, lang)))
    meta = data.transcript.meta
    if persona := meta.get("persona"):  # by name and temperament; sessions stored before those, by persona id
        customer = str(meta.get("customer") or persona)
        if temperament := meta.get("temperament"):
            customer += f" · {t(f'temperament.{temperament}', lang)}"
        details.append((t("export.customer", lang), customer))
    if session.backend:
        details.append((t("export.backend", lang), session.backend + (f" · {session.model}" if session.model else "")))
    if session.status != "finished":
        details.append((t("export.status", lang), _choice("status", session.status, lang)))
    details.append((t("export.session", lang), session.id))
    verdict = ""
    if report is not None:
        verdict = t("report.passed", lang) if report.passed else t("report.failed", lang)
    return {
        "scenario": session.scenario_id or t("export.no_scenario", lang),
        "details": details,
        "verdict": verdict,
        "critical_fail": report is not None and not report.passed and report.score >= report.pass_score,
        "skills": [(s, t(f"skill.{s}", lang), report.skills[s]) for s in SKILLS] if report else [],
        "bad": sum(not m.mark.positive for m in data.marks),
        "good": sum(m.mark.positive for m in data.marks),
    }


def _choice(prefix: str, value: str, lang: str) -> str:
    key = f"{prefix}.{value}"
    return t(key, lang) if key in MESSAGES else value


def as_json(data: SessionExport) -> str:
    session = data.session
    document = {
        "format": EXPORT_FORMAT,
        "session": {
            "id": session.id,
            "trainee": data.trainee,
            "scenario": session.scenario_id,
            "scenario_hash": session.scenario_hash,
            "mode": session.mode,
            "language": session.language,
            "backend": session.backend,
            "model": session.model,
            "options": session.options or {},
            "status": session.status,
            "outcome": session.outcome,
            "started_at": _utc(session.started_at).isoformat(),
            "ended_at": _utc(session.ended_at).isoformat() if session.ended_at else None,
        },
        "transcript": data.transcript.model_dump(mode="json"),
        "report": data.report.model_dump(mode="json") if data.report else None,
        "reviews": [
            {**_mark_ref(m), "reviewer": r.who, "verdict": r.verdict, "reason": r.reason, "at": r.at.isoformat()}
            for m in data.marks
            for r in m.reviews
        ],
        "responses": [
            {**_mark_ref(m), "person": p.who, "response": p.response, "reason": p.reason, "at": p.at.isoformat()}
            for m in data.marks
            for p in m.responses
        ],
        "comments": [{"author": c.author, "seq": c.seq, "text": c.text, "at": c.at.isoformat()} for c in data.comments],
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def _mark_ref(mark: ExportMark) -> dict[str, Any]:
    """``mark`` indexes ``report.marks``; ``number`` is what ``sparring review`` and ``respond`` take."""
    return {"mark": mark.index, "number": mark.number, "mark_id": mark.id, "seq": mark.mark.seq, "kind": mark.mark.kind}


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def as_csv(data: SessionExport) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    kinds: dict[int, list[str]] = defaultdict(list)
    for mark in data.marks:
        kinds[mark.mark.seq].append(mark.mark.kind)
    for event in data.transcript.messages():
        text = event.text or ""
        if text.startswith(_FORMULA):  # a spreadsheet would run it as a formula
            text = "'" + text
        seconds = f"{event.t:.3f}".rstrip("0").rstrip(".")
        writer.writerow([event.seq, seconds, event.role, text, "; ".join(kinds.get(event.seq, []))])
    return out.getvalue().encode("utf-8-sig")


def export_certificate(certificate: Certificate, language: str = "en", description: str | None = None) -> str:
    """A certificate as one printable, self-contained HTML page, labelled in English and Russian alike."""
    template = _environment().get_template("certificate.html")
    return template.render(
        c=certificate,
        path_language=language,
        description=description,
        E=_labeller("en"),
        R=_labeller("ru"),
    )


# -- template helpers


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("transcripts", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(clock=_clock, when=_when, md=_md, bar=_bar, day=_day)
    return env


def _clock(seconds: float) -> str:
    """``m:ss`` (or ``h:mm:ss``) from the start."""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _day(moment: datetime) -> str:
    return _utc(moment).strftime("%Y-%m-%d")


def _when(moment: datetime) -> str:
    return _utc(moment).strftime("%Y-%m-%d %H:%M UTC")


_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_MD_LINE_START = re.compile(r"^(\d+(?=[.)])|(?=[#+\-=]))(.)")


def _md(text: str | None, indent: int = 0) -> str:
    """Stored text as literal Markdown: no markup or HTML of its own, its lines kept inside a list item."""
    lines = [_MD_INLINE.sub(r"\\\1", line.strip()) for line in (text or "").splitlines() or [""]]
    lines = [_MD_LINE_START.sub(r"\1\\\2", line) for line in lines]
    return ("  \n" + " " * indent).join(lines)


def _bar(value: int, width: int = 10) -> str:
    filled = round(max(0, min(100, value)) * width / 100)
    return "█" * filled + "░" * (width - filled)
