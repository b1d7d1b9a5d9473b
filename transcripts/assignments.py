"""Assignments, paths and certificates: what a mentor set, how far each trainee is, and what they earned.

An assignment asks a group (or one trainee of it) to pass a scenario, or every step of a path, by a due date.
Its status for each trainee is never stored: it is computed from the sessions, so it cannot disagree with them.
For a trainee and one step, the sessions that count are those of the step's scenario, in the assignment's mode,
started after the assignment was made; attempts are those of them that were graded (their latest grade).

- ``passed``: every step has a counted session scoring at least its pass mark;
- ``failed``: a step not passed has used up its attempts;
- ``overdue``: the due date has gone by without a pass;
- ``in_progress``: a counted session exists (graded or not);
- ``not_started``: none does.

A path's progress, outside any assignment, counts any session of a step's scenario (only assessments when the
path asks for them). Once every step is passed a certificate is recorded: from the earliest passing session of
each step, so it is the same whenever it is computed, and once per person and path (a unique row; computing it
again changes nothing). It is recorded when progress is computed, by whoever computes it, unless they are only
looking (a staff member viewing as someone).

Who may do what is the repository's rule: trainers and admins may assign to any group, a mentor to the groups
they mentor, a trainee never; a trainee sees only their own standing, a mentor the groups they mentor.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from simulator.i18n import t
from transcripts.repository import AccessDenied, NotFound, Refused, Repository
from transcripts.tables import (
    AssignmentRow,
    CertificateRow,
    GradeRow,
    GroupRow,
    MembershipRow,
    PersonRow,
    SessionRow,
    now,
)

Status = Literal["not_started", "in_progress", "passed", "failed", "overdue"]
MODES = ("practice", "assessment")
Kind = Literal["scenario", "path"]


@dataclass(frozen=True)
class Step:
    scenario: str
    pass_mark: int


@dataclass(frozen=True)
class PathPlan:
    """A path as the store needs it (the catalogue's ``TrainingPath``, without the YAML)."""

    id: str
    title: str
    steps: tuple[Step, ...]
    assessment: bool = False
    """Steps count only when passed in an assessment."""
    medals: tuple[tuple[str, int], ...] = (("gold", 90), ("silver", 80), ("bronze", 70))
    """(tier, lowest mean score), highest first; below them all the tier is "completed"."""

    def tier(self, score: float) -> str:
        return next((name for name, floor in self.medals if score >= floor), "completed")


@dataclass(frozen=True)
class Assignment:
    id: int
    kind: Kind
    target: str
    """The scenario's or the path's id."""
    group: str
    trainee: str | None
    """None: every trainee of the group."""
    due: date
    pass_mark: int | None
    attempts: int | None
    mode: str
    steps: tuple[Step, ...]
    created_by: str
    created_at: datetime
    cancelled_at: datetime | None


@dataclass(frozen=True)
class Standing:
    """One trainee's status on one assignment: a cell of the grid."""

    assignment: int
    trainee: str
    status: Status
    attempts_used: int
    """Graded sessions counted for the step being worked on (the first not passed; the last once all are)."""
    attempts_left: int | None
    """None: no limit."""
    steps_passed: int
    steps_total: int
    next_scenario: str | None
    """The first step not passed yet; None once every step is."""
    best_score: int | None
    """The best counted score of the step being worked on."""


@dataclass(frozen=True)
class Board:
    """Assignments (soonest due first) and every trainee's standing on each, per group."""

    assignments: list[Assignment]
    standings: list[Standing]
    groups: dict[str, list[str]]
    """Group -> its trainees in view, by name: the rows of the grid."""

    def standing(self, assignment: int, trainee: str) -> Standing | None:
        return next((s for s in self.standings if s.assignment == assignment and s.trainee == trainee), None)


@dataclass(frozen=True)
class Certificate:
    trainee: str
    path: str
    title: str
    tier: str
    score: float
    earned_at: datetime
    sessions: list[str]


@dataclass(frozen=True)
class PathStanding:
    path: str
    trainee: str
    steps_passed: int
    steps_total: int
    next_scenario: str | None
    certificate: Certificate | None


# -- helpers


def _aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _group(db: Session, name: str) -> GroupRow:
    found = db.exec(select(GroupRow).where(GroupRow.name == name)).first()
    if found is None or found.id is None:
        raise NotFound(t("store.no_group", name=name))
    return found


def _mentored(repo: Repository, db: Session) -> set[int]:
    return set(
        db.exec(
            select(MembershipRow.group_id).where(
                MembershipRow.person_id == repo.actor.id, col(MembershipRow.mentors).is_(True)
            )
        )
    )


def _trains_in(db: Session, person_id: int) -> set[int]:
    return set(
        db.exec(
            select(MembershipRow.group_id).where(
                MembershipRow.person_id == person_id, col(MembershipRow.mentors).is_(False)
            )
        )
    )


def _may_assign(repo: Repository, db: Session, group: GroupRow) -> None:
    if repo.is_staff or (repo.actor.role == "mentor" and group.id in _mentored(repo, db)):
        return
    raise AccessDenied(t("assign.denied", name=repo.actor.name, group=group.name))


def _check_numbers(pass_mark: int | None, attempts: int | None) -> None:
    if pass_mark is not None and not 0 <= pass_mark <= 100:
        raise Refused(t("assign.bad_pass", value=pass_mark))
    if attempts is not None and attempts < 1:
        raise Refused(t("assign.bad_attempts", value=attempts))


def _steps(row: AssignmentRow) -> tuple[Step, ...]:
    return tuple(Step(str(s["scenario"]), int(s["pass_mark"])) for s in row.steps)


def _as_assignment(row: AssignmentRow, groups: dict[int, str], names: dict[int, str]) -> Assignment:
    assert row.id is not None
    return Assignment(
        id=row.id,
        kind="path" if row.path_id else "scenario",
        target=row.path_id or row.scenario_id or "",
        group=groups.get(row.group_id, "?"),
        trainee=names.get(row.trainee_id) if row.trainee_id is not None else None,
        due=row.due,
        pass_mark=row.pass_mark,
        attempts=row.attempts,
        mode=row.mode,
        steps=_steps(row),
        created_by=names.get(row.created_by, "?"),
        created_at=_aware(row.created_at),
        cancelled_at=_aware(row.cancelled_at) if row.cancelled_at else None,
    )


def _names(db: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    rows = db.exec(select(PersonRow.id, PersonRow.name).where(col(PersonRow.id).in_(wanted)))
    return {pid: name for pid, name in rows if pid is not None}


def _group_names(db: Session) -> dict[int, str]:
    return {gid: name for gid, name in db.exec(select(GroupRow.id, GroupRow.name)) if gid is not None}


def _load(repo: Repository, db: Session, assignment_id: int) -> AssignmentRow:
    """The assignment, if the actor may see it: staff, its group's mentors, and the trainees it is for."""
    row = db.get(AssignmentRow, assignment_id)
    if row is not None and not repo.is_staff:
        assert repo.actor.id is not None
        mine = row.group_id in _trains_in(db, repo.actor.id) and row.trainee_id in (None, repo.actor.id)
        if not (mine or row.group_id in _mentored(repo, db)):
            row = None
    if row is None:
        raise NotFound(t("assign.no_such", id=assignment_id))
    return row


def _describe(db: Session, row: AssignmentRow) -> Assignment:
    return _as_assignment(row, _group_names(db), _names(db, (row.trainee_id, row.created_by)))


# -- setting, changing and cancelling


def assign(
    repo: Repository,
    *,
    group: str,
    kind: Kind,
    target: str,
    steps: Sequence[Step],
    due: date,
    trainee: str | None = None,
    pass_mark: int | None = None,
    attempts: int | None = None,
    mode: str = "practice",
) -> Assignment:
    """Set ``group`` (or ``trainee``, one of its trainees) a scenario (one step) or a path by ``due``.

    ``steps`` are resolved by the caller from the catalogue; ``pass_mark`` is what was asked for a scenario
    (already in its step) and refused for a path, whose steps carry their own."""
    if mode not in MODES:
        raise Refused(t("assign.bad_mode", mode=mode, modes=", ".join(MODES)))
    if kind == "path" and pass_mark is not None:
        raise Refused(t("assign.path_pass"))
    if not steps:
        raise Refused(t("assign.no_steps", target=target))
    _check_numbers(pass_mark, attempts)
    with repo.db() as db:
        found = _group(db, group)
        _may_assign(repo, db, found)
        trainee_id = None
        if trainee is not None:
            person = db.exec(select(PersonRow).where(PersonRow.name == trainee)).first()
            if person is None or person.id is None or found.id not in _trains_in(db, person.id):
                raise NotFound(t("progress.not_in_group", name=trainee, group=group))
            trainee_id = person.id
        assert found.id is not None and repo.actor.id is not None
        row = AssignmentRow(
            scenario_id=target if kind == "scenario" else None,
            path_id=target if kind == "path" else None,
            steps=[{"scenario": s.scenario, "pass_mark": s.pass_mark} for s in steps],
            group_id=found.id,
            trainee_id=trainee_id,
            due=due,
            pass_mark=pass_mark,
            attempts=attempts,
            mode=mode,
            created_by=repo.actor.id,
        )
        db.add(row)
        db.commit()
        return _describe(db, row)


def change_assignment(
    repo: Repository,
    assignment_id: int,
    *,
    due: date | None = None,
    pass_mark: int | None = None,
    attempts: int | None = None,
) -> Assignment:
    """A new due date, pass mark (scenarios only) or number of attempts; what is not given stays."""
    _check_numbers(pass_mark, attempts)
    with repo.db() as db:
        row = _load(repo, db, assignment_id)
        group = db.get(GroupRow, row.group_id)
        assert group is not None
        _may_assign(repo, db, group)
        if row.cancelled_at is not None:
            raise Refused(t("assign.cancelled", id=assignment_id))
        if pass_mark is not None:
            if row.path_id:
                raise Refused(t("assign.path_pass"))
            row.pass_mark = pass_mark
            row.steps = [{**step, "pass_mark": pass_mark} for step in row.steps]
        if due is not None:
            row.due = due
        if attempts is not None:
            row.attempts = attempts
        db.add(row)
        db.commit()
        return _describe(db, row)


def cancel_assignment(repo: Repository, assignment_id: int) -> Assignment:
    """Cancelled assignments stay stored (with when) but are no longer listed nor shown to trainees."""
    with repo.db() as db:
        row = _load(repo, db, assignment_id)
        group = db.get(GroupRow, row.group_id)
        assert group is not None
        _may_assign(repo, db, group)
        if row.cancelled_at is not None:
            raise Refused(t("assign.cancelled", id=assignment_id))
        row.cancelled_at = now()
        db.add(row)
        db.commit()
        return _describe(db, row)


# -- who is in view


@dataclass
class _Scope:
    groups: dict[int, str]
    """Groups in view, by id."""
    rows: dict[int, list[tuple[int, str]]]
    """Group id -> (person id, name) of its trainees in view, by name."""
    alone: dict[int, str]
    """People in view who train in none of those groups (path progress only)."""


def _scope(repo: Repository, db: Session, group: str | None, trainee: str | None) -> _Scope:
    """A trainee sees themself in the groups they train in; a mentor the trainees of the groups they mentor;
    staff everyone. ``group`` narrows to one group (refused if the actor neither mentors nor trains in it),
    ``trainee`` to one person (hidden if the actor may not see them)."""
    assert repo.actor.id is not None
    visible = repo.visible_people(db)
    mentored = None if repo.is_staff else _mentored(repo, db)
    own = _trains_in(db, repo.actor.id)
    every = _group_names(db)
    if group is not None:
        found = _group(db, group)
        assert found.id is not None
        if mentored is not None and found.id not in mentored and found.id not in own:
            raise AccessDenied(t("progress.not_group_mentor", name=group))
        chosen = {found.id}
    elif mentored is None:
        chosen = set(every)
    else:
        chosen = mentored | own
    person: PersonRow | None = None
    if trainee is not None:
        person = db.exec(select(PersonRow).where(PersonRow.name == trainee)).first()
        if person is None or person.id is None or (visible is not None and person.id not in visible):
            raise NotFound(t("store.no_person", name=trainee))
    rows: dict[int, list[tuple[int, str]]] = {g: [] for g in sorted(chosen, key=lambda g: every[g])}
    if chosen:
        members = db.exec(
            select(MembershipRow.group_id, PersonRow.id, PersonRow.name)
            .join(PersonRow, col(PersonRow.id) == MembershipRow.person_id)
            .where(col(MembershipRow.group_id).in_(sorted(chosen)), col(MembershipRow.mentors).is_(False))
            .order_by(col(PersonRow.name))
        )
        for group_id, person_id, name in members:
            if person_id is None:
                continue
            # In a group one only trains in (not mentors), one sees oneself alone.
            sees_all = mentored is None or group_id in mentored
            if (sees_all or person_id == repo.actor.id) and (person is None or person_id == person.id):
                rows[group_id].append((person_id, name))
    if person is not None or group is not None:
        rows = {g: people for g, people in rows.items() if people or group is not None}
    alone: dict[int, str] = {}
    listed = {p for people in rows.values() for p, _ in people}
    if group is None:
        if person is not None and person.id not in listed:
            assert person.id is not None
            alone[person.id] = person.name
        elif person is None and repo.actor.role == "trainee" and repo.actor.id not in listed:
            alone[repo.actor.id] = repo.actor.name
    return _Scope({g: every[g] for g in rows}, rows, alone)


# -- the sessions that count


@dataclass(frozen=True)
class _Played:
    id: str
    scenario: str
    mode: str
    started_at: datetime
    score: int | None
    """The latest grade's score; None while ungraded."""


def _played(db: Session, people: Iterable[int], scenarios: Iterable[str]) -> dict[int, list[_Played]]:
    """Each person's sessions of these scenarios, oldest first, with their latest grade's score: one query."""
    who, which = sorted(set(people)), sorted(set(scenarios))
    found: dict[int, list[_Played]] = defaultdict(list)
    if not who or not which:
        return found
    latest = (
        select(GradeRow.session_id, func.max(GradeRow.id).label("grade_id")).group_by(GradeRow.session_id).subquery()
    )
    query = (
        sa_select(
            col(SessionRow.person_id),
            col(SessionRow.id),
            col(SessionRow.scenario_id),
            col(SessionRow.mode),
            col(SessionRow.started_at),
            col(GradeRow.score),
        )
        .outerjoin(latest, latest.c.session_id == SessionRow.id)
        .outerjoin(GradeRow, col(GradeRow.id) == latest.c.grade_id)
        .where(col(SessionRow.person_id).in_(who), col(SessionRow.scenario_id).in_(which))
        .order_by(col(SessionRow.started_at), col(SessionRow.id))
    )
    for person_id, session_id, scenario, mode, started_at, score in db.connection().execute(query):
        found[person_id].append(_Played(session_id, scenario or "", mode, _aware(started_at), score))
    return found


def _standing(row: AssignmentRow, trainee: str, played: list[_Played], today: date) -> Standing:
    assert row.id is not None
    since = _aware(row.created_at)
    counted = [p for p in played if p.mode == row.mode and p.started_at >= since]
    steps = _steps(row)
    passed = 0
    current: tuple[Step, list[_Played]] | None = None
    exhausted = False
    for step in steps:
        mine = [p for p in counted if p.scenario == step.scenario]
        graded = [p for p in mine if p.score is not None]
        if any(p.score is not None and p.score >= step.pass_mark for p in graded):
            passed += 1
            continue
        if current is None:
            current = (step, graded)
        if row.attempts is not None and len(graded) >= row.attempts:
            exhausted = True
    step_now, graded_now = current if current else (steps[-1], [p for p in counted if p.scenario == steps[-1].scenario])
    used = len([p for p in graded_now if p.score is not None])
    status: Status
    if passed == len(steps):
        status = "passed"
    elif exhausted:
        status = "failed"
    elif today > row.due:
        status = "overdue"
    elif any(p.scenario in {s.scenario for s in steps} for p in counted):
        status = "in_progress"
    else:
        status = "not_started"
    scores = [p.score for p in graded_now if p.score is not None]
    return Standing(
        assignment=row.id,
        trainee=trainee,
        status=status,
        attempts_used=used,
        attempts_left=None if row.attempts is None else max(0, row.attempts - used),
        steps_passed=passed,
        steps_total=len(steps),
        next_scenario=current[0].scenario if current else None,
        best_score=max(scores) if scores else None,
    )


def board(
    repo: Repository,
    *,
    group: str | None = None,
    trainee: str | None = None,
    today: date | None = None,
    cancelled: bool = False,
) -> Board:
    """The assignments in view and each trainee's standing on them, soonest due first.

    A trainee gets their own; a mentor those of the groups they mentor; staff all. ``group`` and ``trainee``
    narrow it (``AccessDenied`` for a group the actor neither mentors nor trains in, ``NotFound`` for someone
    they may not see). ``cancelled`` also lists cancelled assignments, without standings."""
    today = today or date.today()
    with repo.db() as db:
        scope = _scope(repo, db, group, trainee)
        query = select(AssignmentRow).where(col(AssignmentRow.group_id).in_(sorted(scope.groups)))
        if not cancelled:
            query = query.where(col(AssignmentRow.cancelled_at).is_(None))
        rows = [
            r
            for r in db.exec(query.order_by(col(AssignmentRow.due), col(AssignmentRow.id)))
            if r.trainee_id is None or r.trainee_id in {p for p, _ in scope.rows.get(r.group_id, [])}
        ]
        names = _names(db, [r.trainee_id for r in rows] + [r.created_by for r in rows])
        people = {p for members in scope.rows.values() for p, _ in members}
        played = _played(db, people, (s.scenario for r in rows for s in _steps(r)))
    assignments = [_as_assignment(r, scope.groups, names) for r in rows]
    standings = [
        _standing(r, name, played.get(person_id, []), today)
        for r in rows
        if r.cancelled_at is None
        for person_id, name in scope.rows.get(r.group_id, [])
        if r.trainee_id in (None, person_id)
    ]
    groups = {scope.groups[g]: [name for _, name in people] for g, people in scope.rows.items()}
    return Board(assignments, standings, groups)


# -- paths and certificates


def _earned(plan: PathPlan, played: list[_Played]) -> tuple[int, str | None, list[_Played] | None]:
    """(steps passed, the first step not passed, the earliest passing session of each step once all are)."""
    earliest: list[_Played] = []
    next_scenario = None
    for step in plan.steps:
        passing = next(
            (
                p
                for p in played
                if p.scenario == step.scenario
                and (not plan.assessment or p.mode == "assessment")
                and p.score is not None
                and p.score >= step.pass_mark
            ),
            None,
        )
        if passing is None:
            next_scenario = next_scenario or step.scenario
        else:
            earliest.append(passing)
    complete = len(earliest) == len(plan.steps)
    return len(earliest), next_scenario, earliest if complete else None


def _record(repo: Repository, db: Session, plan: PathPlan, person_id: int, sessions: list[_Played]) -> None:
    """Record the certificate unless it is already there (or the actor is only looking)."""
    exists = db.exec(
        select(CertificateRow.id).where(CertificateRow.person_id == person_id, CertificateRow.path_id == plan.id)
    ).first()
    if exists is not None or repo.viewer is not None:
        return
    score = sum(p.score or 0 for p in sessions) / len(sessions)
    db.add(
        CertificateRow(
            person_id=person_id,
            path_id=plan.id,
            title=plan.title,
            tier=plan.tier(score),
            score=round(score, 2),
            earned_at=max(p.started_at for p in sessions),
            sessions=[p.id for p in sessions],
        )
    )
    try:
        db.commit()
    except IntegrityError:  # recorded a moment ago by another process: theirs is the same
        db.rollback()


def _certificates(db: Session, people: Iterable[int], names: dict[int, str]) -> dict[tuple[int, str], Certificate]:
    rows = db.exec(select(CertificateRow).where(col(CertificateRow.person_id).in_(sorted(set(people)))))
    return {
        (r.person_id, r.path_id): Certificate(
            trainee=names.get(r.person_id, "?"),
            path=r.path_id,
            title=r.title,
            tier=r.tier,
            score=r.score,
            earned_at=_aware(r.earned_at),
            sessions=list(r.sessions),
        )
        for r in rows
    }


def path_progress(
    repo: Repository, plans: Sequence[PathPlan], *, group: str | None = None, trainee: str | None = None
) -> list[PathStanding]:
    """How far each trainee in view is along each path, by trainee then path; records certificates earned.

    Scoped as ``board``; a trainee in view who trains in no group (or the actor, a trainee) is included."""
    with repo.db() as db:
        scope = _scope(repo, db, group, trainee)
        people = {p: name for members in scope.rows.values() for p, name in members} | scope.alone
        played = _played(db, people, (s.scenario for plan in plans for s in plan.steps))
        found: list[PathStanding] = []
        for person_id, name in sorted(people.items(), key=lambda item: item[1]):
            for plan in plans:
                passed, next_scenario, earned = _earned(plan, played.get(person_id, []))
                if earned is not None:
                    _record(repo, db, plan, person_id, earned)
                found.append(PathStanding(plan.id, name, passed, len(plan.steps), next_scenario, None))
        certificates = _certificates(db, people, people)
    ids = {name: pid for pid, name in people.items()}
    return [
        PathStanding(
            s.path,
            s.trainee,
            s.steps_passed,
            s.steps_total,
            s.next_scenario,
            certificates.get((ids[s.trainee], s.path)),
        )
        for s in found
    ]


def certificate(repo: Repository, plan: PathPlan, trainee: str | None = None) -> Certificate:
    """``trainee``'s (default: the actor's) certificate for the path, recorded now if just earned; ``NotFound``
    until every step is passed."""
    name = trainee or repo.actor.name
    standing = [s for s in path_progress(repo, [plan], trainee=name) if s.trainee == name]
    found = standing[0].certificate if standing else None
    if found is None:
        raise NotFound(t("certificate.none", name=name, path=plan.id))
    return found
