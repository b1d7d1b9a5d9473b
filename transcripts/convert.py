"""Between rows and the domain: the only place that knows both shapes."""

from __future__ import annotations

from typing import Any

from transcripts.format import Event, Transcript
from transcripts.report import Mark, Report
from transcripts.tables import EventRow, GradeRow, MarkRow, SessionRow


def event_row(session_id: str, event: Event) -> EventRow:
    return EventRow(
        session_id=session_id,
        seq=event.seq,
        t=event.t,
        role=event.role,
        type=event.type,
        text=event.text,
        final=event.final,
        meta=event.meta,
    )


def event_of(row: EventRow) -> Event:
    return Event.model_validate(
        {
            "seq": row.seq,
            "t": row.t,
            "role": row.role,
            "type": row.type,
            "text": row.text,
            "final": row.final,
            "meta": row.meta or {},
        }
    )


def session_row(transcript: Transcript, person_id: int, **fields: Any) -> SessionRow:
    meta = transcript.meta
    return SessionRow(
        id=transcript.id,
        person_id=person_id,
        scenario_id=transcript.scenario,
        language=transcript.language,
        backend=meta.get("backend"),
        model=meta.get("model"),
        options=meta.get("options") or {},
        meta=meta,
        **fields,
    )


def transcript_of(session: SessionRow, events: list[EventRow]) -> Transcript:
    return Transcript(
        id=session.id,
        scenario=session.scenario_id,
        language=session.language,
        events=[event_of(e) for e in events],
        meta=session.meta or {},
    )


def grade_row(session_id: str, report: Report) -> GradeRow:
    skills = report.skills
    return GradeRow(
        session_id=session_id,
        score=report.score,
        passed=report.passed,
        pass_score=report.pass_score,
        outcome=report.outcome,
        asking=skills["asking"],
        listening=skills["listening"],
        personalization=skills["personalization"],
        empathy=skills["empathy"],
        resolution=skills["resolution"],
    )


def mark_row(grade_id: int, mark: Mark) -> MarkRow:
    return MarkRow(grade_id=grade_id, **mark.model_dump())


def mark_of(row: MarkRow) -> Mark:
    return Mark.model_validate(row.model_dump(exclude={"id", "grade_id"}))


def report_of(session: SessionRow, grade: GradeRow, marks: list[MarkRow]) -> Report:
    skills = {s: getattr(grade, s) for s in ("asking", "listening", "personalization", "empathy", "resolution")}
    return Report.model_validate(
        {
            "transcript": session.id,
            "scenario": session.scenario_id,
            "language": session.language,
            "score": grade.score,
            "passed": grade.passed,
            "pass_score": grade.pass_score,
            "skills": skills,
            "outcome": grade.outcome,
            "marks": [mark_of(m) for m in marks],
        }
    )
