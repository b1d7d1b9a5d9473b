"""Progress over time: per trainee and per skill, and per group, from the latest grade of each session.

A level is the recency-weighted mean of the last ``WINDOW`` graded sessions (weights 10..1, newest first),
computed in SQL with a window function (SQLite >= 3.25 and PostgreSQL alike). Everything is read in a
handful of aggregate queries over the people in scope, never one query per trainee, so a group stays fast
on 100,000 sessions. Who may see what is the repository's rule (``Repository.visible_people``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import fmean
from typing import Any, Literal

from sqlalchemy import Float, Select, Table, case, func
from sqlalchemy import cast as sql_cast
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from grading.report import SKILLS, Skill
from simulator import i18n
from transcripts.repository import AccessDenied, NotFound, Repository
from transcripts.tables import GroupRow, MembershipRow, PersonRow

WINDOW = 10
"""How many of the latest graded sessions make a level; the newest weighs WINDOW, the oldest 1."""
TOP_MARKS = 3
WEAKEST = 2
"""How many of a group's skills are named its weakest."""
HARD_PASS_RATE = 0.5
"""A scenario beats most trainees when fewer than this share of those who tried it ever passed it."""

Tier = Literal["novice", "developing", "proficient", "expert"]
TIERS: tuple[tuple[float, Tier], ...] = ((80, "expert"), (60, "proficient"), (40, "developing"), (0, "novice"))
"""(lowest level, tier), highest first: novice < 40 <= developing < 60 <= proficient < 80 <= expert."""


def tier_of(level: float | None) -> Tier | None:
    if level is None:
        return None
    return next(name for floor, name in TIERS if level >= floor)


@dataclass(frozen=True)
class SkillProgress:
    skill: Skill
    level: float | None
    """Recency-weighted mean of the last WINDOW graded sessions; None before the first."""
    tier: Tier | None
    history: list[tuple[datetime, int]]
    """(session start, score) of every graded session, oldest first."""


@dataclass(frozen=True)
class MarkCount:
    kind: str
    count: int


@dataclass(frozen=True)
class TraineeProgress:
    name: str
    groups: list[str]
    """The groups in view that this person trains in."""
    level: float | None
    """Overall: the recency-weighted mean of the session scores."""
    tier: Tier | None
    attempts: int
    """Graded sessions."""
    passed: int
    pass_rate: float | None
    skills: dict[Skill, SkillProgress]
    top_marks: list[MarkCount]
    """The most frequent negative mark kinds, most frequent first."""
    history: list[tuple[datetime, int]]
    """(session start, overall score), oldest first."""


@dataclass(frozen=True)
class GroupSkill:
    skill: Skill
    level: float | None
    """Mean of the trainees' levels (trainees without a graded session do not count)."""
    tier: Tier | None
    history: list[tuple[date, float]]
    """(day, mean score of the group's graded sessions started that day, UTC), oldest first."""


@dataclass(frozen=True)
class Ranked:
    rank: int | None
    """1 for the highest overall level; None for a trainee without a graded session."""
    trainee: str
    level: float | None
    tier: Tier | None
    attempts: int
    pass_rate: float | None


@dataclass(frozen=True)
class ScenarioStat:
    scenario: str
    tried: int
    """Trainees who have a graded session of it."""
    passed: int
    """Of those, trainees who passed it at least once."""
    pass_rate: float
    sessions: int


@dataclass(frozen=True)
class GroupProgress:
    name: str
    trainees: int
    level: float | None
    tier: Tier | None
    attempts: int
    passed: int
    pass_rate: float | None
    skills: dict[Skill, GroupSkill]
    top_marks: list[MarkCount]
    ranking: list[Ranked]
    weakest_skills: list[Skill]
    """The skills with the lowest mean level, weakest first."""
    hard_scenarios: list[ScenarioStat]
    """Scenarios fewer than half of the trainees who tried have passed, hardest first."""


@dataclass(frozen=True)
class Progress:
    trainees: list[TraineeProgress]
    """By name."""
    groups: list[GroupProgress] = field(default_factory=list)
    """By name."""
    group: str | None = None
    trainee: str | None = None
    """What was asked for; both None for everything the person may see."""


# -- who is in view


@dataclass
class _Scope:
    names: dict[int, str]
    """Everyone who may be listed, by id."""
    listed: set[int]
    """Listed even without a graded session."""
    groups: dict[str, list[int]]
    """Group name -> its trainees (in view)."""
    member_of: dict[int, list[str]]
    """Person -> the groups in view they train in."""
    query: set[int] | None
    """The people whose sessions are read; None for everyone."""
    any_active: bool
    """Also list anyone in ``names`` with a graded session."""


def _message(key: str, **values: object) -> str:
    """simulator.i18n once the key is there; until then the pending strings in simulator.progress_view."""
    if key in i18n.MESSAGES:
        english, russian = i18n.MESSAGES[key]
    else:
        from simulator.progress_view import MESSAGES

        english, russian = MESSAGES[key]
    return (russian if i18n.language() == "ru" else english).format(**values)


def _trainees_of(db: Session, group_ids: Iterable[int]) -> list[tuple[int, int, str]]:
    """(group id, person id, person name) of the trainees (not mentors) of these groups."""
    ids = sorted(set(group_ids))
    if not ids:
        return []
    rows = db.exec(
        select(MembershipRow.group_id, PersonRow.id, PersonRow.name)
        .join(PersonRow, col(PersonRow.id) == MembershipRow.person_id)
        .where(col(MembershipRow.group_id).in_(ids), col(MembershipRow.mentors).is_(False))
        .order_by(col(PersonRow.name))
    )
    return [(g, p, n) for g, p, n in rows if p is not None]


def _trains_in(db: Session, person_id: int) -> list[tuple[int, str]]:
    """(group id, name) of the groups this person trains in."""
    rows = db.exec(
        select(GroupRow.id, GroupRow.name)
        .join(MembershipRow, col(MembershipRow.group_id) == GroupRow.id)
        .where(MembershipRow.person_id == person_id, col(MembershipRow.mentors).is_(False))
        .order_by(col(GroupRow.name))
    )
    return [(group_id, name) for group_id, name in rows if group_id is not None]


def _scope(repo: Repository, db: Session, group: str | None, trainee: str | None) -> _Scope:
    visible = repo.visible_people(db)
    mentored: set[int] | None = None  # groups whose summary the actor may read; None: all of them
    if not repo.is_staff:
        mentored = set(
            db.exec(
                select(MembershipRow.group_id).where(
                    MembershipRow.person_id == repo.actor.id, col(MembershipRow.mentors).is_(True)
                )
            )
        )

    person: PersonRow | None = None
    if trainee is not None:
        person = db.exec(select(PersonRow).where(PersonRow.name == trainee)).first()
        if person is None or person.id is None or (visible is not None and person.id not in visible):
            raise NotFound(i18n.t("store.no_person", name=trainee))

    if group is not None:
        found = db.exec(select(GroupRow).where(GroupRow.name == group)).first()
        if found is None or found.id is None:
            raise NotFound(i18n.t("store.no_group", name=group))
        if mentored is not None and found.id not in mentored:
            raise AccessDenied(_message("progress.not_group_mentor", name=group))
        groups = [found]
    elif person is not None:
        groups = []
    else:
        query = select(GroupRow).order_by(col(GroupRow.name))
        if mentored is not None:
            query = query.where(col(GroupRow.id).in_(sorted(mentored)))
        groups = list(db.exec(query))

    group_names = {g.id: g.name for g in groups if g.id is not None}
    members: dict[str, list[int]] = {g.name: [] for g in groups}
    member_of: dict[int, list[str]] = defaultdict(list)
    names: dict[int, str] = {}
    for group_id, person_id, name in _trainees_of(db, group_names):
        members[group_names[group_id]].append(person_id)
        member_of[person_id].append(group_names[group_id])
        names[person_id] = name

    if person is not None:
        assert person.id is not None
        if group is not None and person.id not in names:
            raise NotFound(_message("progress.not_in_group", name=person.name, group=group))
        if group is None:  # the groups they train in, as far as the actor may know them
            member_of[person.id] = [
                name
                for group_id, name in _trains_in(db, person.id)
                if mentored is None or person.id == repo.actor.id or group_id in mentored
            ]
        query_ids = set(names) | {person.id} if group is not None else {person.id}
        names[person.id] = person.name
        return _Scope(names, {person.id}, members, member_of, query_ids, any_active=False)

    if group is not None:
        return _Scope(names, set(names), members, member_of, set(names), any_active=False)

    # Everything in view: the trainees of the groups, oneself, and (for staff) anyone who practised.
    actor = repo.actor
    assert actor.id is not None
    listed = set(names)
    if actor.role == "trainee":
        listed.add(actor.id)
    names[actor.id] = actor.name
    if actor.id not in member_of:
        member_of[actor.id] = [name for _, name in _trains_in(db, actor.id)]
    if repo.is_staff:
        for pid, name, role in db.exec(select(PersonRow.id, PersonRow.name, PersonRow.role)):
            if pid is not None:
                names[pid] = name
                if role == "trainee":
                    listed.add(pid)
        return _Scope(names, listed, members, member_of, None, any_active=True)
    return _Scope(names, listed, members, member_of, set(names), any_active=True)


# -- the aggregate queries

_SESSION: Table = SQLModel.metadata.tables["session"]
_GRADE: Table = SQLModel.metadata.tables["grade"]
_MARK: Table = SQLModel.metadata.tables["mark"]


def _graded(people: set[int] | None, *extra: Any) -> Select[Any]:
    """One row per graded session of these people (None: everyone), with its latest grade (the highest id)."""
    s, g = _SESSION, _GRADE
    newer = g.alias("newer")
    latest = sa_select(func.max(newer.c.id)).where(newer.c.session_id == s.c.id).scalar_subquery()
    query = (
        sa_select(
            s.c.person_id,
            s.c.id.label("session_id"),
            s.c.scenario_id,
            s.c.started_at,
            g.c.id.label("grade_id"),
            g.c.score,
            g.c.passed,
            *(g.c[skill] for skill in SKILLS),
            *extra,
        )
        .select_from(s.join(g, g.c.session_id == s.c.id))
        .where(g.c.id == latest)
    )
    if people is not None:
        query = query.where(s.c.person_id.in_(sorted(people)))
    return query


@dataclass
class _Level:
    attempts: int
    passed: int
    overall: float | None
    skills: dict[Skill, float | None]


def _levels(db: Session, people: set[int] | None) -> dict[int, _Level]:
    """Attempts, passes and recency-weighted levels per person: one query, ranked by a window function."""
    s = _SESSION
    newest_first = func.row_number().over(partition_by=s.c.person_id, order_by=(s.c.started_at.desc(), s.c.id.desc()))
    graded = _graded(people, newest_first.label("rn")).subquery("graded")
    weight = case((graded.c.rn <= WINDOW, WINDOW + 1 - graded.c.rn), else_=0)
    total = sql_cast(func.sum(weight), Float)
    means = [(sql_cast(func.sum(weight * graded.c[name]), Float) / total).label(name) for name in ("score", *SKILLS)]
    query = sa_select(
        graded.c.person_id,
        func.count().label("attempts"),
        func.sum(case((graded.c.passed, 1), else_=0)).label("passed"),
        *means,
    ).group_by(graded.c.person_id)
    return {
        row.person_id: _Level(
            int(row.attempts),
            int(row.passed or 0),
            float(row.score),
            {skill: float(getattr(row, skill)) for skill in SKILLS},
        )
        for row in db.connection().execute(query)
    }


@dataclass
class _Point:
    at: datetime
    score: int
    skills: dict[Skill, int]


def _history(db: Session, people: set[int] | None) -> dict[int, list[_Point]]:
    s = _SESSION
    query = _graded(people).order_by(s.c.person_id, s.c.started_at, s.c.id)
    history: dict[int, list[_Point]] = defaultdict(list)
    for row in db.connection().execute(query):
        history[row.person_id].append(_Point(row.started_at, row.score, {k: getattr(row, k) for k in SKILLS}))
    return history


def _negative_marks(db: Session, people: set[int] | None) -> dict[int, Counter[str]]:
    graded = _graded(people).subquery("graded")
    m = _MARK
    query = (
        sa_select(graded.c.person_id, m.c.kind, func.count().label("n"))
        .select_from(graded.join(m, m.c.grade_id == graded.c.grade_id))
        .where(m.c.positive.is_(False))
        .group_by(graded.c.person_id, m.c.kind)
    )
    marks: dict[int, Counter[str]] = defaultdict(Counter)
    for row in db.connection().execute(query):
        marks[row.person_id][row.kind] = int(row.n)
    return marks


@dataclass
class _Tries:
    sessions: int
    passed: bool


def _scenarios(db: Session, people: set[int] | None) -> dict[int, dict[str, _Tries]]:
    """Per person and scenario: graded sessions, and whether any of them passed."""
    graded = _graded(people).subquery("graded")
    query = (
        sa_select(
            graded.c.person_id,
            graded.c.scenario_id,
            func.count().label("n"),
            func.max(case((graded.c.passed, 1), else_=0)).label("passed"),
        )
        .where(graded.c.scenario_id.is_not(None))
        .group_by(graded.c.person_id, graded.c.scenario_id)
    )
    tries: dict[int, dict[str, _Tries]] = defaultdict(dict)
    for row in db.connection().execute(query):
        tries[row.person_id][row.scenario_id] = _Tries(int(row.n), bool(row.passed))
    return tries


# -- putting it together


def _top(counts: Counter[str]) -> list[MarkCount]:
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [MarkCount(kind, n) for kind, n in ranked[:TOP_MARKS]]


def _rate(passed: int, attempts: int) -> float | None:
    return passed / attempts if attempts else None


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return fmean(present) if present else None


def _trainee(name: str, groups: list[str], level: _Level | None, points: list[_Point], marks: Counter[str]):
    level = level or _Level(0, 0, None, dict.fromkeys(SKILLS))
    skills = {
        skill: SkillProgress(
            skill=skill,
            level=level.skills[skill],
            tier=tier_of(level.skills[skill]),
            history=[(p.at, p.skills[skill]) for p in points],
        )
        for skill in SKILLS
    }
    return TraineeProgress(
        name=name,
        groups=groups,
        level=level.overall,
        tier=tier_of(level.overall),
        attempts=level.attempts,
        passed=level.passed,
        pass_rate=_rate(level.passed, level.attempts),
        skills=skills,
        top_marks=_top(marks),
        history=[(p.at, p.score) for p in points],
    )


def _daily(points: Iterable[_Point], skill: Skill) -> list[tuple[date, float]]:
    days: dict[date, list[int]] = defaultdict(list)
    for point in points:
        days[point.at.date()].append(point.skills[skill])
    return [(day, fmean(scores)) for day, scores in sorted(days.items())]


def _group(
    name: str,
    people: Sequence[int],
    trainees: dict[int, TraineeProgress],
    history: dict[int, list[_Point]],
    marks: dict[int, Counter[str]],
    tries: dict[int, dict[str, _Tries]],
) -> GroupProgress:
    members = [trainees[p] for p in people]
    points = [point for p in people for point in history.get(p, [])]
    skills = {}
    for skill in SKILLS:
        level = _mean(t.skills[skill].level for t in members)
        skills[skill] = GroupSkill(skill=skill, level=level, tier=tier_of(level), history=_daily(points, skill))
    ordered = sorted(members, key=lambda t: (t.level is None, -(t.level or 0.0), t.name))
    ranking = [
        Ranked(
            rank=i + 1 if t.level is not None else None,
            trainee=t.name,
            level=t.level,
            tier=t.tier,
            attempts=t.attempts,
            pass_rate=t.pass_rate,
        )
        for i, t in enumerate(ordered)
    ]
    measured = [s for s in SKILLS if skills[s].level is not None]
    weakest = sorted(measured, key=lambda s: (skills[s].level, SKILLS.index(s)))[:WEAKEST]
    counts: Counter[str] = Counter()
    for p in people:
        counts.update(marks.get(p, Counter()))
    by_scenario: dict[str, list[_Tries]] = defaultdict(list)
    for p in people:
        for scenario, tried in tries.get(p, {}).items():
            by_scenario[scenario].append(tried)
    stats = [
        ScenarioStat(
            scenario=scenario,
            tried=len(attempts),
            passed=sum(a.passed for a in attempts),
            pass_rate=sum(a.passed for a in attempts) / len(attempts),
            sessions=sum(a.sessions for a in attempts),
        )
        for scenario, attempts in by_scenario.items()
    ]
    hard = sorted((s for s in stats if s.pass_rate < HARD_PASS_RATE), key=lambda s: (s.pass_rate, -s.tried, s.scenario))
    attempts = sum(t.attempts for t in members)
    passed = sum(t.passed for t in members)
    level = _mean(t.level for t in members)
    return GroupProgress(
        name=name,
        trainees=len(members),
        level=level,
        tier=tier_of(level),
        attempts=attempts,
        passed=passed,
        pass_rate=_rate(passed, attempts),
        skills=skills,
        top_marks=_top(counts),
        ranking=ranking,
        weakest_skills=weakest,
        hard_scenarios=hard,
    )


def progress(repo: Repository, *, group: str | None = None, trainee: str | None = None) -> Progress:
    """Progress of one trainee, one group, or (neither) everyone the acting person may see.

    Raises ``NotFound`` for a person or group that does not exist or that the actor may not see, and
    ``AccessDenied`` for a group the actor does not mentor (staff may read every group).
    """
    with repo.db() as db:
        scope = _scope(repo, db, group, trainee)
        people = scope.query
        if people is not None and not people:
            levels, history, marks, tries = {}, {}, {}, {}
        else:
            levels = _levels(db, people)
            history = _history(db, people)
            marks = _negative_marks(db, people)
            tries = _scenarios(db, people)
    wanted = set(scope.listed)
    if scope.any_active:
        wanted |= {p for p in levels if p in scope.names}
    for members in scope.groups.values():
        wanted |= set(members)
    everyone = {
        p: _trainee(
            scope.names[p],
            scope.member_of.get(p, []),
            levels.get(p),
            history.get(p, []),
            marks.get(p, Counter()),
        )
        for p in wanted
    }
    groups = [_group(name, members, everyone, history, marks, tries) for name, members in sorted(scope.groups.items())]
    shown = everyone if trainee is None else {p: t for p, t in everyone.items() if p in scope.listed}
    return Progress(
        trainees=sorted(shown.values(), key=lambda t: t.name),
        groups=groups,
        group=group,
        trainee=trainee,
    )
