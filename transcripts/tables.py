"""Database tables. Rows, not the domain: ``transcripts.convert`` turns them into transcripts and reports.

Skill scores are columns (not only JSON) so progress over 100,000 sessions is one indexed aggregate.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


def now() -> datetime:
    return datetime.now(UTC)


class GroupRow(SQLModel, table=True):
    __tablename__ = "mentor_group"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=100)
    created_at: datetime = Field(default_factory=now)


class PersonRow(SQLModel, table=True):
    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=100)
    role: str = Field(max_length=16)
    """trainee, mentor, trainer or admin."""
    created_at: datetime = Field(default_factory=now)


class MembershipRow(SQLModel, table=True):
    __tablename__ = "membership"

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    group_id: int = Field(foreign_key="mentor_group.id", primary_key=True, index=True)
    mentors: bool = False
    """True when the person mentors this group rather than trains in it."""


class SessionRow(SQLModel, table=True):
    __tablename__ = "session"
    __table_args__ = (Index("ix_session_person_started", "person_id", "started_at"),)

    id: str = Field(primary_key=True, max_length=64)
    person_id: int = Field(foreign_key="person.id")
    scenario_id: str | None = Field(default=None, index=True, max_length=64)
    scenario_hash: str | None = Field(default=None, max_length=64)
    """sha256 of the scenario's YAML as it was played."""
    mode: str = Field(default="practice", max_length=16)
    language: str = Field(default="en", max_length=2)
    backend: str | None = Field(default=None, max_length=32)
    model: str | None = Field(default=None, max_length=200)
    options: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="running", max_length=16, index=True)
    """running, finished or abandoned."""
    outcome: str | None = Field(default=None, max_length=16)
    pid: int | None = None
    """The process playing it, to tell a live session from one whose process died."""
    started_at: datetime = Field(default_factory=now)
    ended_at: datetime | None = None
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class EventRow(SQLModel, table=True):
    __tablename__ = "event"
    __table_args__ = (UniqueConstraint("session_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="session.id", max_length=64)
    seq: int
    t: float
    role: str = Field(max_length=16)
    type: str = Field(max_length=16)
    text: str | None = None
    final: bool = True
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class GradeRow(SQLModel, table=True):
    __tablename__ = "grade"
    __table_args__ = (Index("ix_grade_session_latest", "session_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="session.id", index=True, max_length=64)
    created_at: datetime = Field(default_factory=now)
    score: int
    passed: bool
    pass_score: int
    outcome: str = Field(max_length=16)
    asking: int
    listening: int
    personalization: int
    empathy: int
    resolution: int


class MarkRow(SQLModel, table=True):
    __tablename__ = "mark"
    __table_args__ = (Index("ix_mark_grade_kind", "grade_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    grade_id: int = Field(foreign_key="grade.id", index=True)
    kind: str = Field(max_length=40, index=True)
    seq: int
    positive: bool = False
    severity: str = Field(max_length=16)
    quote: str
    why: str
    better: str | None = None
    fact: str | None = Field(default=None, max_length=64)
    judged_by: str | None = Field(default=None, max_length=200)


class ReviewRow(SQLModel, table=True):
    """A mentor's verdict on a mark: agree, or override with a reason."""

    __tablename__ = "review"

    id: int | None = Field(default=None, primary_key=True)
    mark_id: int = Field(foreign_key="mark.id", index=True)
    reviewer_id: int = Field(foreign_key="person.id")
    verdict: str = Field(max_length=16)
    reason: str | None = None
    created_at: datetime = Field(default_factory=now)


class CommentRow(SQLModel, table=True):
    __tablename__ = "comment"

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="session.id", index=True, max_length=64)
    author_id: int = Field(foreign_key="person.id")
    seq: int | None = None
    """The turn commented on, or None for the whole session."""
    text: str
    created_at: datetime = Field(default_factory=now)


class ResponseRow(SQLModel, table=True):
    """The trainee's answer to a mark: acknowledged, or disputed with a reason."""

    __tablename__ = "mark_response"

    id: int | None = Field(default=None, primary_key=True)
    mark_id: int = Field(foreign_key="mark.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    response: str = Field(max_length=16)
    reason: str | None = None
    created_at: datetime = Field(default_factory=now)


class MacroRow(SQLModel, table=True):
    """A team's macro (a stock reply its agents paste), for the grader to recognise in imported chats."""

    __tablename__ = "macro"
    __table_args__ = (Index("ix_macro_group", "group_id"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int | None = Field(default=None, foreign_key="mentor_group.id")
    """The group whose library it is; None for every group's."""
    name: str = Field(max_length=200)
    text: str
    created_at: datetime = Field(default_factory=now)


class CredentialRow(SQLModel, table=True):
    """A person's password, only as an argon2 hash, and their failed sign-ins. Apart from ``person`` so that
    nothing that reads people (listings, exports, reports) ever holds a hash."""

    __tablename__ = "credential"

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    hash: str = Field(max_length=200)
    failures: int = 0
    """Failed sign-ins in a row; a success clears them."""
    locked_until: datetime | None = None
    updated_at: datetime = Field(default_factory=now)


class InvitationRow(SQLModel, table=True):
    """A one-time code an admin hands out; the person redeems it by choosing a password. Only its SHA-256 is
    kept: a code is long and random, so a slow hash adds nothing."""

    __tablename__ = "invitation"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    code_sha256: str = Field(max_length=64, unique=True)
    created_by: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=now)
    expires_at: datetime
    used_at: datetime | None = None


class AuditRow(SQLModel, table=True):
    """Sign-ins, identity switches and password changes, for admins. Never a secret."""

    __tablename__ = "audit"
    __table_args__ = (Index("ix_audit_at", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=now)
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    """Who did it; None when nobody was signed in (a failed sign-in)."""
    action: str = Field(max_length=32)
    subject: str = Field(max_length=100)
    """The person it was about: a name the store knows, or "?" (a typed name may be a misplaced password)."""


class LrsPushRow(SQLModel, table=True):
    """A grade sent to a learning record store as an xAPI statement: what ``sparring xapi push`` skips next
    time, so a push that stopped midway goes on from there."""

    __tablename__ = "lrs_push"
    __table_args__ = (UniqueConstraint("grade_id", "lrs"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="session.id", index=True, max_length=64)
    grade_id: int = Field(foreign_key="grade.id")
    lrs: str = Field(max_length=300)
    """The statements endpoint, without credentials: another LRS gets everything again."""
    statement_id: str = Field(max_length=36)
    pushed_at: datetime = Field(default_factory=now)


class AssignmentRow(SQLModel, table=True):
    """A scenario or a path a mentor set a group (or one trainee of it), with a due date. Its status per trainee
    is never stored: it is computed from the sessions (``transcripts.assignments``)."""

    __tablename__ = "assignment"
    __table_args__ = (Index("ix_assignment_group_due", "group_id", "due"),)

    id: int | None = Field(default=None, primary_key=True)
    scenario_id: str | None = Field(default=None, max_length=64)
    path_id: str | None = Field(default=None, max_length=64)
    """Exactly one of scenario_id and path_id is set."""
    steps: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    """[{scenario, pass_mark}] as they were when assigned (a scenario is one step), so a later edit of the YAML
    does not change what was asked."""
    group_id: int = Field(foreign_key="mentor_group.id")
    trainee_id: int | None = Field(default=None, foreign_key="person.id")
    """None: every trainee of the group."""
    due: date
    pass_mark: int | None = None
    """The --pass given for a scenario; None: the scenario's own (already in steps)."""
    attempts: int | None = None
    """Graded sessions allowed per step; None: no limit."""
    mode: str = Field(default="practice", max_length=16)
    created_by: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=now)
    cancelled_at: datetime | None = None


class CertificateRow(SQLModel, table=True):
    """A path passed: recorded once per person and path, from the earliest passing session of each step."""

    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("person_id", "path_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    path_id: str = Field(max_length=64)
    title: str = Field(max_length=200)
    tier: str = Field(max_length=16)
    """gold, silver, bronze or completed."""
    score: float
    """Mean score of the sessions that passed the steps."""
    earned_at: datetime
    """When the last of those sessions started."""
    sessions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    """The ids of the sessions that earned it, in step order."""
    recorded_at: datetime = Field(default_factory=now)
