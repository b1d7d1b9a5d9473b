"""The only storage API the CLI and the TUI use. Access rules live here, not in the UI.

Every call acts as one person: a trainee sees only their own sessions, a mentor also those of the groups
they mentor, a trainer or admin everything. Each event is committed as it happens.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, func, update
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from simulator.i18n import t
from transcripts import convert
from transcripts.format import Event, Transcript
from transcripts.macros import Macro
from transcripts.report import Mark, Report
from transcripts.tables import (
    CommentRow,
    EventRow,
    GradeRow,
    GroupRow,
    LrsPushRow,
    MacroRow,
    MarkRow,
    MembershipRow,
    PersonRow,
    ResponseRow,
    ReviewRow,
    SessionRow,
    now,
)

ROLES = ("trainee", "mentor", "trainer", "admin")
STAFF = ("trainer", "admin")


class AccessDenied(Exception):
    """The acting person may not read or change this."""


class Refused(ValueError):
    """A request the store turns down as it stands: a duplicate, an unknown role, a missing reason."""


class NotFound(LookupError):
    """No such session, person, group or mark (or none this person may see)."""


@dataclass(frozen=True)
class SessionSummary:
    id: str
    trainee: str
    scenario: str | None
    mode: str
    status: str
    outcome: str | None
    started_at: datetime
    score: int | None
    passed: bool | None


@dataclass(frozen=True)
class GradedSession:
    """A finished session with its latest grade: what an xAPI statement says (``transcripts.xapi``)."""

    id: str
    trainee: str
    scenario: str | None
    language: str
    mode: str
    started_at: datetime
    ended_at: datetime
    duration: float
    """Seconds from the start to the last event (an imported chat keeps its own times)."""
    grade_id: int
    score: int
    passed: bool
    pass_score: int
    outcome: str
    skills: dict[str, int]
    meta: dict[str, Any]
    pushed: bool = False
    """Already sent to the LRS asked about."""


@dataclass(frozen=True)
class PushedStatement:
    session_id: str
    grade_id: int
    statement_id: str


@dataclass(frozen=True)
class StoredMark:
    id: int
    mark: Mark
    reviews: list[ReviewRow]
    responses: list[ResponseRow]


def _in_group(group_id: int | None) -> ColumnElement[bool]:
    return col(MacroRow.group_id).is_(None) if group_id is None else col(MacroRow.group_id) == group_id


def _utc(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; they were written in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _chunks(items: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Repository:
    def __init__(self, engine: Engine, actor: PersonRow, viewer: PersonRow | None = None):
        """``viewer``: the staff member looking at the app as ``actor``; nothing can be written then."""
        self.engine = engine
        self.actor = actor
        self.viewer = viewer

    @classmethod
    def acting_as(cls, engine: Engine, name: str) -> Repository:
        """The repository as ``name``. The very first person of an empty database becomes its admin."""
        with Session(engine) as db:
            person = db.exec(select(PersonRow).where(PersonRow.name == name)).first()
            if person is None:
                if db.exec(select(func.count()).select_from(PersonRow)).one():
                    raise AccessDenied(t("store.unknown_person", name=name))
                person = PersonRow(name=name, role="admin")
                db.add(person)
                db.commit()
                db.refresh(person)
            return cls(engine, person)

    @contextmanager
    def db(self) -> Iterator[Session]:
        """A database session; reads through it must still respect ``visible_people``."""
        with Session(self.engine, expire_on_commit=False) as db:
            if self.viewer is not None:
                sqlalchemy_event.listen(db, "before_flush", self._refuse_writes)
            yield db

    def _refuse_writes(self, *_: object) -> None:
        assert self.viewer is not None
        raise AccessDenied(t("store.view_only", viewer=self.viewer.name, name=self.actor.name))

    # -- who may do what
    @property
    def is_staff(self) -> bool:
        return self.actor.role in STAFF

    def _require_staff(self) -> None:
        if not self.is_staff:
            raise AccessDenied(t("store.staff_only", name=self.actor.name))

    def _mentored_groups(self) -> SelectOfScalar[int]:
        return select(MembershipRow.group_id).where(
            MembershipRow.person_id == self.actor.id, col(MembershipRow.mentors).is_(True)
        )

    def _mentored_people(self, db: Session) -> set[int]:
        """Those who train in the groups the actor mentors: not their fellow mentors, nor the actor."""
        rows = db.exec(
            select(MembershipRow.person_id).where(
                col(MembershipRow.group_id).in_(self._mentored_groups()), col(MembershipRow.mentors).is_(False)
            )
        )
        return set(rows) - {self.actor.id}

    def visible_people(self, db: Session) -> set[int] | None:
        """Ids whose sessions the actor may read; None means everyone."""
        if self.is_staff:
            return None
        assert self.actor.id is not None
        people = {self.actor.id}
        if self.actor.role == "mentor":
            people |= self._mentored_people(db)
        return people

    def _session(self, db: Session, session_id: str, write: bool = False) -> SessionRow:
        row = db.get(SessionRow, session_id)
        visible = self.visible_people(db)
        if row is None or (visible is not None and row.person_id not in visible):
            raise NotFound(t("store.no_session", id=session_id))
        if write and row.person_id != self.actor.id and not self.is_staff:
            raise AccessDenied(t("store.not_yours", id=session_id))
        return row

    def _may_review(self, db: Session, session: SessionRow) -> None:
        if self.is_staff:
            return
        if self.actor.role != "mentor" or session.person_id not in self._mentored_people(db):
            raise AccessDenied(t("store.not_mentor", id=session.id))

    # -- groups and people
    def add_group(self, name: str) -> GroupRow:
        self._require_staff()
        with self.db() as db:
            group = GroupRow(name=name)
            db.add(group)
            try:
                db.commit()
            except IntegrityError:
                raise Refused(t("store.exists", name=name)) from None
            return group

    def groups(self) -> list[GroupRow]:
        with self.db() as db:
            query = select(GroupRow).order_by(col(GroupRow.name))
            if not self.is_staff:
                mine = select(MembershipRow.group_id).where(MembershipRow.person_id == self.actor.id)
                query = query.where(col(GroupRow.id).in_(mine))
            return list(db.exec(query))

    def _group(self, db: Session, name: str) -> GroupRow:
        group = db.exec(select(GroupRow).where(GroupRow.name == name)).first()
        if group is None:
            raise NotFound(t("store.no_group", name=name))
        return group

    # -- a team's macros
    def set_macros(self, macros: Sequence[Macro], group: str | None = None) -> int:
        """Replace the macro library of ``group`` (None: the one every group shares), all at once: a failure leaves
        the old library whole. Trainers and admins may set any; a mentor only a group they mentor."""
        with self.db() as db:
            group_id = self._group(db, group).id if group is not None else None
            mentored = group_id is not None and group_id in set(db.exec(self._mentored_groups()))
            if not (self.is_staff or mentored):
                raise AccessDenied(t("store.macros_denied", name=self.actor.name))
            db.exec(delete(MacroRow).where(_in_group(group_id)))
            db.add_all(MacroRow(group_id=group_id, name=m.name, text=m.text) for m in macros)
            db.commit()
        return len(macros)

    def macros(self, group: str | None = None, trainee: str | None = None) -> list[Macro]:
        """The shared library, plus ``group``'s (for its members and staff) or that of every group ``trainee``
        trains in."""
        with self.db() as db:
            groups: set[int | None] = {None}
            if group is not None:
                wanted = self._group(db, group).id
                if not self.is_staff and wanted not in {g.id for g in self.groups()}:
                    raise AccessDenied(t("store.not_member", name=group))
                groups.add(wanted)
            if trainee is not None:
                person = db.exec(select(PersonRow).where(PersonRow.name == trainee)).first()
                if person is not None:
                    mine = select(MembershipRow.group_id).where(MembershipRow.person_id == person.id)
                    groups |= {g for g in db.exec(mine)}
            chosen = col(MacroRow.group_id).is_(None) | col(MacroRow.group_id).in_(groups - {None})
            rows = db.exec(select(MacroRow).where(chosen).order_by(col(MacroRow.id)))
            return [Macro(r.name, r.text) for r in rows]

    def add_person(self, name: str, role: str, groups: Sequence[str] = (), mentors: Sequence[str] = ()) -> PersonRow:
        """``groups`` they train in, ``mentors`` the groups they mentor."""
        self._require_staff()
        if role not in ROLES:
            raise Refused(t("store.bad_role", role=role, roles=", ".join(ROLES)))
        with self.db() as db:
            person = PersonRow(name=name, role=role)
            db.add(person)
            try:
                db.flush()
            except IntegrityError:
                raise Refused(t("store.exists", name=name)) from None
            assert person.id is not None
            for names, mentoring in ((groups, False), (mentors, True)):
                for group_name in names:
                    group = self._group(db, group_name)
                    assert group.id is not None
                    db.add(MembershipRow(person_id=person.id, group_id=group.id, mentors=mentoring))
            db.commit()
            return person

    def members(self, group_name: str) -> list[tuple[PersonRow, bool]]:
        """(person, mentors?) for a group the actor belongs to, or any group for staff."""
        with self.db() as db:
            group = self._group(db, group_name)
            if not self.is_staff and group.id not in {g.id for g in self.groups()}:
                raise AccessDenied(t("store.not_member", name=group_name))
            rows = db.exec(
                select(PersonRow, MembershipRow.mentors)
                .join(MembershipRow)
                .where(MembershipRow.group_id == group.id)
                .order_by(col(PersonRow.name))
            )
            return [(person, mentors) for person, mentors in rows]

    def person(self, name: str) -> PersonRow:
        with self.db() as db:
            person = db.exec(select(PersonRow).where(PersonRow.name == name)).first()
            visible = self.visible_people(db)
            if person is None or (visible is not None and person.id not in visible):
                raise NotFound(t("store.no_person", name=name))
            return person

    # -- sessions, as they happen
    def start_session(
        self,
        transcript: Transcript,
        *,
        scenario_hash: str | None = None,
        mode: str = "practice",
        pid: int | None = None,
    ) -> None:
        """Record a session that is about to be played by the actor."""
        assert self.actor.id is not None
        with self.db() as db:
            db.add(
                convert.session_row(
                    transcript, self.actor.id, scenario_hash=scenario_hash, mode=mode, pid=pid or os.getpid()
                )
            )
            db.commit()

    def append_event(self, session_id: str, event: Event) -> None:
        """Committed before returning: a crash a moment later loses nothing said before it. The end of the
        conversation finishes the session in the same commit: killed while grading, it is not left to be
        resumed past its end (which would reuse the end's number)."""
        with self.db() as db:
            row = self._session(db, session_id, write=True)
            db.add(convert.event_row(session_id, event))
            if event.type == "end":
                row.status, row.outcome, row.ended_at = "finished", event.text, now()
                db.add(row)
            db.commit()

    def finish_session(self, transcript: Transcript) -> None:
        with self.db() as db:
            row = self._session(db, transcript.id, write=True)
            row.status, row.outcome, row.ended_at = "finished", transcript.outcome, now()
            row.meta = transcript.meta
            db.add(row)
            db.commit()

    def store_transcript(self, transcript: Transcript, trainee: str | None = None, mode: str = "practice") -> None:
        """A whole finished conversation at once (an import), for the actor or, by staff, for ``trainee``."""
        owner = self.actor if trainee is None else self.person(trainee)
        if owner.id != self.actor.id:
            self._require_staff()
        assert owner.id is not None
        with self.db() as db:
            if db.get(SessionRow, transcript.id) is not None:
                raise Refused(t("store.exists", name=transcript.id))
            db.add(
                convert.session_row(
                    transcript, owner.id, mode=mode, status="finished", outcome=transcript.outcome, ended_at=now()
                )
            )
            db.flush()
            db.add_all(convert.event_row(transcript.id, e) for e in transcript.events)
            db.commit()

    def mark_abandoned(self) -> int:
        """Running sessions whose process is gone become abandoned (they can be resumed or closed)."""
        with self.db() as db:
            query = select(SessionRow).where(SessionRow.status == "running")
            visible = self.visible_people(db)
            if visible is not None:
                query = query.where(col(SessionRow.person_id).in_(visible))
            dead = [row for row in db.exec(query) if not _alive(row.pid)]
            for row in dead:
                row.status = "abandoned"
                db.add(row)
            db.commit()
            return len(dead)

    def reopen_session(self, session_id: str, pid: int | None = None) -> Transcript:
        """Take up an abandoned session again in this process; returns it as stored."""
        with self.db() as db:
            row = self._session(db, session_id, write=True)
            if row.status != "abandoned":
                raise Refused(t("store.not_abandoned", id=session_id, status=row.status))
            # Still abandoned at the moment of writing, or another process has just taken it up: one wins.
            taken = db.exec(
                update(SessionRow)
                .where(col(SessionRow.id) == session_id, col(SessionRow.status) == "abandoned")
                .values(status="running", pid=pid or os.getpid())
            )
            if taken.rowcount != 1:
                raise Refused(t("store.not_abandoned", id=session_id, status="running"))
            db.commit()
        return self.transcript(session_id)

    def close_session(self, session_id: str) -> None:
        """Close an abandoned session as unfinished."""
        with self.db() as db:
            row = self._session(db, session_id, write=True)
            row.status, row.outcome, row.ended_at = "finished", row.outcome or "unfinished", now()
            db.add(row)
            db.commit()

    def transcript(self, session_id: str) -> Transcript:
        with self.db() as db:
            row = self._session(db, session_id)
            events = db.exec(select(EventRow).where(EventRow.session_id == session_id).order_by(col(EventRow.seq)))
            return convert.transcript_of(row, list(events))

    def session_info(self, session_id: str) -> SessionRow:
        with self.db() as db:
            return self._session(db, session_id)

    def sessions(
        self,
        *,
        trainee: str | None = None,
        group: str | None = None,
        scenario: str | None = None,
        status: str | None = None,
        limit: int = 50,
    ) -> list[SessionSummary]:
        with self.db() as db:
            latest = (
                select(GradeRow.session_id, func.max(GradeRow.id).label("grade_id"))
                .group_by(GradeRow.session_id)
                .subquery()
            )
            query = (
                select(SessionRow, PersonRow.name, GradeRow.score, GradeRow.passed)
                .join(PersonRow, col(PersonRow.id) == SessionRow.person_id)
                .outerjoin(latest, latest.c.session_id == SessionRow.id)
                .outerjoin(GradeRow, col(GradeRow.id) == latest.c.grade_id)
            )
            visible = self.visible_people(db)
            if visible is not None:
                query = query.where(col(SessionRow.person_id).in_(visible))
            if trainee:
                query = query.where(PersonRow.name == trainee)
            if group:
                members = select(MembershipRow.person_id).where(MembershipRow.group_id == self._group(db, group).id)
                query = query.where(col(SessionRow.person_id).in_(members))
            if scenario:
                query = query.where(SessionRow.scenario_id == scenario)
            if status:
                query = query.where(SessionRow.status == status)
            rows = db.exec(query.order_by(col(SessionRow.started_at).desc()).limit(limit))
            return [
                SessionSummary(s.id, name, s.scenario_id, s.mode, s.status, s.outcome, s.started_at, score, passed)
                for s, name, score, passed in rows
            ]

    # -- grades and reviews
    def save_report(self, report: Report) -> int:
        with self.db() as db:
            # A new grade replaces the one reviewed: mentors agree or override marks (with a reason) instead.
            session = self._session(db, report.transcript, write=True)
            grade = convert.grade_row(session.id, report)
            db.add(grade)
            db.flush()
            assert grade.id is not None
            db.add_all(convert.mark_row(grade.id, m) for m in report.marks)
            db.commit()
            return grade.id

    def _latest_grade(self, db: Session, session_id: str) -> GradeRow | None:
        return db.exec(
            select(GradeRow).where(GradeRow.session_id == session_id).order_by(col(GradeRow.id).desc())
        ).first()

    def report(self, session_id: str) -> Report | None:
        with self.db() as db:
            session = self._session(db, session_id)
            grade = self._latest_grade(db, session_id)
            if grade is None:
                return None
            marks = db.exec(
                select(MarkRow).where(MarkRow.grade_id == grade.id).order_by(col(MarkRow.seq), col(MarkRow.id))
            )
            return convert.report_of(session, grade, list(marks))

    def marks(self, session_id: str) -> list[StoredMark]:
        """The latest grade's marks with their reviews and the trainee's responses."""
        with self.db() as db:
            self._session(db, session_id)
            grade = self._latest_grade(db, session_id)
            if grade is None:
                return []
            rows = list(
                db.exec(select(MarkRow).where(MarkRow.grade_id == grade.id).order_by(col(MarkRow.seq), col(MarkRow.id)))
            )
            ids = [r.id for r in rows]
            reviews = list(
                db.exec(select(ReviewRow).where(col(ReviewRow.mark_id).in_(ids)).order_by(col(ReviewRow.id)))
            )
            responses = list(
                db.exec(select(ResponseRow).where(col(ResponseRow.mark_id).in_(ids)).order_by(col(ResponseRow.id)))
            )
            return [
                StoredMark(
                    r.id or 0,
                    convert.mark_of(r),
                    [v for v in reviews if v.mark_id == r.id],
                    [p for p in responses if p.mark_id == r.id],
                )
                for r in rows
            ]

    def _mark_session(self, db: Session, mark_id: int) -> SessionRow:
        mark = db.get(MarkRow, mark_id)
        grade = db.get(GradeRow, mark.grade_id) if mark else None
        if grade is None:
            raise NotFound(t("store.no_mark", id=mark_id))
        return self._session(db, grade.session_id)

    def review(self, mark_id: int, verdict: str, reason: str | None = None) -> None:
        """A mentor agrees with a mark or overrides it (a reason is required to override)."""
        if verdict not in ("agree", "override"):
            raise Refused(t("store.bad_verdict", verdict=verdict))
        if verdict == "override" and not reason:
            raise Refused(t("store.reason_needed"))
        with self.db() as db:
            self._may_review(db, self._mark_session(db, mark_id))
            assert self.actor.id is not None
            db.add(ReviewRow(mark_id=mark_id, reviewer_id=self.actor.id, verdict=verdict, reason=reason))
            db.commit()

    def comment(self, session_id: str, text: str, seq: int | None = None) -> None:
        with self.db() as db:
            self._may_review(db, self._session(db, session_id))
            assert self.actor.id is not None
            db.add(CommentRow(session_id=session_id, author_id=self.actor.id, seq=seq, text=text))
            db.commit()

    def comments(self, session_id: str) -> list[tuple[CommentRow, str]]:
        with self.db() as db:
            self._session(db, session_id)
            rows = db.exec(
                select(CommentRow, PersonRow.name)
                .join(PersonRow)
                .where(CommentRow.session_id == session_id)
                .order_by(col(CommentRow.id))
            )
            return [(c, name) for c, name in rows]

    def respond(self, mark_id: int, response: str, reason: str | None = None) -> None:
        """The trainee acknowledges a mark or disputes it (with a reason)."""
        if response not in ("acknowledge", "dispute"):
            raise Refused(t("store.bad_response", response=response))
        if response == "dispute" and not reason:
            raise Refused(t("store.reason_needed"))
        with self.db() as db:
            session = self._mark_session(db, mark_id)
            if session.person_id != self.actor.id:
                raise AccessDenied(t("store.not_yours", id=session.id))
            assert self.actor.id is not None
            db.add(ResponseRow(mark_id=mark_id, person_id=self.actor.id, response=response, reason=reason))
            db.commit()

    # -- sending grades to a learning record store
    def graded_sessions(
        self, *, since: datetime | None = None, session_id: str | None = None, lrs: str | None = None
    ) -> list[GradedSession]:
        """Finished, graded sessions the actor may see (theirs; a mentor's groups'; staff: all), oldest end first,
        each with its latest grade and whether that grade was already sent to ``lrs``. ``since``: those that ended
        then or later. ``session_id``: that one (``NotFound`` if hidden; an empty list if not graded)."""
        with self.db() as db:
            latest = (
                select(GradeRow.session_id, func.max(GradeRow.id).label("grade_id"))
                .group_by(GradeRow.session_id)
                .subquery()
            )
            query = (
                select(SessionRow, PersonRow.name, GradeRow, LrsPushRow.id)
                .join(PersonRow, col(PersonRow.id) == SessionRow.person_id)
                .join(latest, latest.c.session_id == SessionRow.id)
                .join(GradeRow, col(GradeRow.id) == latest.c.grade_id)
                .outerjoin(LrsPushRow, (col(LrsPushRow.grade_id) == GradeRow.id) & (col(LrsPushRow.lrs) == (lrs or "")))
                .where(col(SessionRow.ended_at).is_not(None), SessionRow.status == "finished")
            )
            if session_id is not None:
                self._session(db, session_id)
                query = query.where(SessionRow.id == session_id)
            visible = self.visible_people(db)
            if visible is not None:
                query = query.where(col(SessionRow.person_id).in_(visible))
            if since is not None:
                query = query.where(col(SessionRow.ended_at) >= since)
            rows = list(db.exec(query.order_by(col(SessionRow.ended_at), col(SessionRow.id))))
            durations: dict[str, float] = {}
            for ids in _chunks([row.id for row, *_ in rows]):
                spans = db.exec(
                    select(EventRow.session_id, func.max(EventRow.t))
                    .where(col(EventRow.session_id).in_(ids))
                    .group_by(EventRow.session_id)
                )
                durations |= {sid: max(0.0, last or 0.0) for sid, last in spans}
            return [
                GradedSession(
                    id=row.id,
                    trainee=name,
                    scenario=row.scenario_id,
                    language=row.language,
                    mode=row.mode,
                    started_at=_utc(row.started_at),
                    ended_at=_utc(row.ended_at or row.started_at),
                    duration=durations.get(row.id, 0.0),
                    grade_id=grade.id or 0,
                    score=grade.score,
                    passed=grade.passed,
                    pass_score=grade.pass_score,
                    outcome=grade.outcome,
                    skills={
                        s: getattr(grade, s)
                        for s in ("asking", "listening", "personalization", "empathy", "resolution")
                    },
                    meta=dict(row.meta or {}),
                    pushed=pushed is not None,
                )
                for row, name, grade, pushed in rows
            ]

    def mark_pushed(self, lrs: str, statements: Sequence[PushedStatement]) -> None:
        """Record that ``lrs`` (an endpoint without credentials) holds these statements. Whoever may see a session
        may send it: its trainee, their mentors, staff. Recording one twice is no error (two pushes at once)."""
        with self.db() as db:
            for pushed in statements:
                self._session(db, pushed.session_id)
                grade = db.get(GradeRow, pushed.grade_id)
                if grade is None or grade.session_id != pushed.session_id:
                    raise NotFound(t("store.no_grade", id=pushed.session_id))
            grade_ids = [p.grade_id for p in statements]
            known = set(
                db.exec(
                    select(LrsPushRow.grade_id).where(LrsPushRow.lrs == lrs, col(LrsPushRow.grade_id).in_(grade_ids))
                )
            )
            fresh = {p.grade_id: p for p in statements if p.grade_id not in known}
            db.add_all(
                LrsPushRow(session_id=p.session_id, grade_id=p.grade_id, lrs=lrs, statement_id=p.statement_id)
                for p in fresh.values()
            )
            try:
                db.commit()
            except IntegrityError:  # another push recorded some of them meanwhile: theirs stand
                db.rollback()
                for p in fresh.values():
                    with self.db() as one:
                        one.add(
                            LrsPushRow(
                                session_id=p.session_id, grade_id=p.grade_id, lrs=lrs, statement_id=p.statement_id
                            )
                        )
                        with contextlib.suppress(IntegrityError):
                            one.commit()
