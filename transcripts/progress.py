"""Progress over time: per trainee and per skill, and per group, from the latest grade of each session.

A level is the recency-weighted mean of the last ``WINDOW`` graded sessions (weights 10..1, newest first),
computed in SQL with window functions (SQLite >= 3.25 and PostgreSQL alike); its tier is named from it.
Whatever the number of trainees, it takes two queries over the sessions (every graded session with its
person's levels, then the negative mark counts per person and kind) and a few small ones to find who is in
view, so a group stays fast on 100,000 sessions. Who may see what is the repository's rule
(``Repository.visible_people``): a trainee themself, a mentor also the groups they mentor, staff everyone.
The latest grade of a session is the one with the highest id, as in the repository; time is the session's
start.
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

from simulator import i18n
from transcripts.report import SKILL_OF, SKILLS, Skill
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


PASS_RATE_FOR: dict[Tier, float] = {"expert": 0.8, "proficient": 0.5, "developing": 0.2}
"""The share of the last WINDOW sessions a trainee must have passed to reach a tier: a level is never
above what their results allow, however high the scores of the sessions they failed."""
RECENT = 3
"""A critical mark in one of this many newest sessions keeps its skill below expert."""
_SKILL_OF: dict[str, Skill] = {str(kind): skill for kind, skill in SKILL_OF.items()}


def tier_of(level: float | None) -> Tier | None:
    if level is None:
        return None
    return next(name for floor, name in TIERS if level >= floor)


def _ceiling(tier: Tier) -> float:
    """The highest level in ``tier``: one below the next tier's floor."""
    floors = [floor for floor, name in TIERS]
    index = [name for _, name in TIERS].index(tier)
    return 100.0 if index == 0 else floors[index - 1] - 1


@dataclass(frozen=True)
class Cap:
    """Why a level is lower than its scores: the tier the trainee's results allow, and the reason."""

    tier: Tier
    why: str


@dataclass(frozen=True)
class SkillProgress:
    skill: Skill
    level: float | None
    """Recency-weighted mean of the last WINDOW graded sessions, held to its cap; None before the first."""
    tier: Tier | None
    history: list[tuple[datetime, int]]
    """(session start, score) of every graded session, oldest first."""
    scored: float | None = None
    """The recency-weighted mean before any cap."""
    cap: Cap | None = None
    """Set when critical marks hold the level below its scores."""


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
    """Overall: the recency-weighted mean of the session scores, held to its cap."""
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
    scored: float | None = None
    """The recency-weighted mean of the scores before any cap."""
    cap: Cap | None = None
    """Set when failed sessions hold the overall level (and so the rank) below its scores."""


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
    cap: Cap | None = None


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
            raise AccessDenied(i18n.t("progress.not_group_mentor", name=group))
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
            raise NotFound(i18n.t("progress.not_in_group", name=person.name, group=group))
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


def _latest_grades(people: set[int] | None) -> Select[Any]:
    """One row per graded session of these people (None: everyone), with its latest grade (the highest id)."""
    s, g = _SESSION, _GRADE
    newest = func.row_number().over(partition_by=g.c.session_id, order_by=g.c.id.desc())
    joined = sa_select(
        s.c.person_id,
        s.c.id.label("session_id"),
        s.c.scenario_id,
        s.c.started_at,
        g.c.score,
        g.c.passed,
        *(g.c[skill] for skill in SKILLS),
        newest.label("newest"),
    ).select_from(s.join(g, g.c.session_id == s.c.id))
    if people is not None:
        joined = joined.where(s.c.person_id.in_(sorted(people)))
    every = joined.subquery("every_grade")
    return sa_select(*(c for c in every.c if c.name != "newest")).where(every.c.newest == 1)


@dataclass
class _Session:
    id: str
    at: datetime
    scenario: str | None
    passed: bool
    score: int
    skills: tuple[int, ...]
    """In the order of SKILLS."""
    critical: set[str] = field(default_factory=set)
    """Kinds of the critical faults marked in its latest grade."""


@dataclass
class _Person:
    levels: tuple[float, ...]
    """Overall, then SKILLS in order."""
    sessions: list[_Session]
    """Oldest first."""


def _sessions(db: Session, people: set[int] | None) -> dict[int, _Person]:
    """Every graded session, oldest first, and each person's recency-weighted levels: one query.

    A window function ranks each person's sessions newest first; the WINDOW newest weigh WINDOW..1 and
    window aggregates over the person divide the weighted sums by the weights.
    """
    latest = _latest_grades(people).subquery("latest")
    newest_first = func.row_number().over(
        partition_by=latest.c.person_id, order_by=(latest.c.started_at.desc(), latest.c.session_id.desc())
    )
    ranked = sa_select(*latest.c, newest_first.label("rn")).subquery("ranked")
    weight = case((ranked.c.rn <= WINDOW, WINDOW + 1 - ranked.c.rn), else_=0)
    total = sql_cast(func.sum(weight).over(partition_by=ranked.c.person_id), Float)
    levels = [
        (sql_cast(func.sum(weight * ranked.c[name]).over(partition_by=ranked.c.person_id), Float) / total)
        for name in ("score", *SKILLS)
    ]
    query = sa_select(
        ranked.c.person_id,
        ranked.c.session_id,
        ranked.c.started_at,
        ranked.c.scenario_id,
        ranked.c.passed,
        ranked.c.score,
        *(ranked.c[skill] for skill in SKILLS),
        *levels,
    ).order_by(ranked.c.person_id, ranked.c.started_at, ranked.c.session_id)
    found: dict[int, _Person] = {}
    skills = len(SKILLS)
    critical = _critical_marks(db, people)
    for row in db.connection().execute(query):
        person_id, session_id, at, scenario, passed, score = row[:6]
        person = found.get(person_id)
        if person is None:
            person = found[person_id] = _Person(tuple(float(x) for x in row[6 + skills :]), [])
        scores = tuple(row[6 : 6 + skills])
        person.sessions.append(
            _Session(session_id, at, scenario, bool(passed), score, scores, critical.get(session_id, set()))
        )
    return found


def _critical_marks(db: Session, people: set[int] | None) -> dict[str, set[str]]:
    """The kinds of critical faults in the latest grade of each session of these people."""
    s, m, newer = _SESSION, _MARK, _GRADE.alias("newer")
    latest = sa_select(func.max(newer.c.id)).where(newer.c.session_id == s.c.id).scalar_subquery()
    sessions = sa_select(s.c.id.label("session_id"), latest.label("grade_id"))
    if people is not None:
        sessions = sessions.where(s.c.person_id.in_(sorted(people)))
    graded = sessions.subquery("graded")
    query = (
        sa_select(graded.c.session_id, m.c.kind)
        .select_from(graded.join(m, m.c.grade_id == graded.c.grade_id))
        .where(m.c.positive.is_(False), m.c.severity == "critical")
        .distinct()
    )
    found: dict[str, set[str]] = defaultdict(set)
    for session_id, kind in db.connection().execute(query):
        found[session_id].add(kind)
    return found


def _negative_marks(db: Session, people: set[int] | None) -> dict[int, Counter[str]]:
    """Counts of negative mark kinds per person, from the latest grade of each session."""
    s, m, newer = _SESSION, _MARK, _GRADE.alias("newer")
    latest = sa_select(func.max(newer.c.id)).where(newer.c.session_id == s.c.id).scalar_subquery()
    sessions = sa_select(s.c.person_id, latest.label("grade_id"))
    if people is not None:
        sessions = sessions.where(s.c.person_id.in_(sorted(people)))
    graded = sessions.subquery("graded")
    query = (
        sa_select(graded.c.person_id, m.c.kind, func.count().label("n"))
        .select_from(graded.join(m, m.c.grade_id == graded.c.grade_id))
        .where(m.c.positive.is_(False))
        .group_by(graded.c.person_id, m.c.kind)
    )
    marks: dict[int, Counter[str]] = defaultdict(Counter)
    for person_id, kind, n in db.connection().execute(query):
        marks[person_id][kind] = int(n)
    return marks


# -- putting it together


def _top(counts: Counter[str]) -> list[MarkCount]:
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [MarkCount(kind, n) for kind, n in ranked[:TOP_MARKS]]


def _rate(passed: int, attempts: int) -> float | None:
    return passed / attempts if attempts else None


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return fmean(present) if present else None


def _pass_rate_cap(recent: Sequence[_Session]) -> Cap | None:
    """The tier the share of passed sessions among the newest WINDOW allows."""
    if not recent:
        return None
    passed = sum(x.passed for x in recent)
    allowed: Tier = next((tier for tier, rate in PASS_RATE_FOR.items() if passed >= rate * len(recent)), "novice")
    if allowed == "expert":
        return None
    tier = i18n.t(f"tier.{allowed}")
    return Cap(allowed, i18n.t("progress.cap.pass_rate", passed=passed, count=len(recent), tier=tier))


def _critical_cap(skill: Skill, recent: Sequence[_Session]) -> Cap | None:
    """A skill's critical faults hold it down: in half or more of the newest sessions, to novice; in one of the
    RECENT newest, below expert."""
    kinds: Counter[str] = Counter(k for x in recent for k in x.critical if _SKILL_OF.get(k) == skill)
    if not kinds:
        return None
    kind, count = max(kinds.items(), key=lambda item: (item[1], item[0]))
    mark = i18n.t(f"kind.{kind}")
    if 2 * count >= len(recent):
        why = i18n.t("progress.cap.critical", mark=mark, count=count, total=len(recent), tier=i18n.t("tier.novice"))
        return Cap("novice", why)
    fresh = [k for x in recent[-RECENT:] for k in x.critical if _SKILL_OF.get(k) == skill]
    if fresh:
        why = i18n.t("progress.cap.recent_critical", mark=i18n.t(f"kind.{fresh[-1]}"), tier=i18n.t("tier.proficient"))
        return Cap("proficient", why)
    return None


def _capped(level: float | None, cap: Cap | None) -> tuple[float | None, Cap | None]:
    """The level held to its cap's tier; the cap kept only where it lowered something."""
    if level is None or cap is None or level <= _ceiling(cap.tier):
        return level, None
    return _ceiling(cap.tier), cap


def _trainee(name: str, groups: list[str], person: _Person | None, marks: Counter[str]) -> TraineeProgress:
    sessions = person.sessions if person else []
    recent = sessions[-WINDOW:]
    levels: Sequence[float | None] = person.levels if person else [None] * (1 + len(SKILLS))
    skills = {}
    for i, skill in enumerate(SKILLS):
        level, cap = _capped(levels[1 + i], _critical_cap(skill, recent))
        history = [(x.at, x.skills[i]) for x in sessions]
        skills[skill] = SkillProgress(
            skill=skill, level=level, tier=tier_of(level), history=history, scored=levels[1 + i], cap=cap
        )
    overall, cap = _capped(levels[0], _pass_rate_cap(recent))
    passed = sum(x.passed for x in sessions)
    return TraineeProgress(
        name=name,
        groups=groups,
        level=overall,
        tier=tier_of(overall),
        scored=levels[0],
        cap=cap,
        attempts=len(sessions),
        passed=passed,
        pass_rate=_rate(passed, len(sessions)),
        skills=skills,
        top_marks=_top(marks),
        history=[(x.at, x.score) for x in sessions],
    )


def _daily(sessions: Iterable[_Session]) -> list[list[tuple[date, float]]]:
    """Per skill (in SKILLS order): (day, mean score of the sessions started that day), oldest first."""
    days: dict[date, list[int]] = {}
    for x in sessions:
        day = x.at.date()
        sums = days.get(day)
        if sums is None:
            sums = days[day] = [0] * (len(SKILLS) + 1)
        sums[-1] += 1
        for i, score in enumerate(x.skills):
            sums[i] += score
    ordered = sorted(days.items())
    return [[(day, sums[i] / sums[-1]) for day, sums in ordered] for i in range(len(SKILLS))]


def _hard_scenarios(sessions_by_person: Iterable[list[_Session]]) -> list[ScenarioStat]:
    tried: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # trainees, trainees who passed, sessions
    for sessions in sessions_by_person:
        mine: dict[str, bool] = {}
        for x in sessions:
            if x.scenario is not None:
                mine[x.scenario] = mine.get(x.scenario, False) or x.passed
                tried[x.scenario][2] += 1
        for scenario, passed in mine.items():
            tried[scenario][0] += 1
            tried[scenario][1] += passed
    stats = [
        ScenarioStat(scenario=scenario, tried=n, passed=ok, pass_rate=ok / n, sessions=sessions)
        for scenario, (n, ok, sessions) in tried.items()
    ]
    return sorted((s for s in stats if s.pass_rate < HARD_PASS_RATE), key=lambda s: (s.pass_rate, -s.tried, s.scenario))


def _group(
    name: str,
    people: Sequence[int],
    trainees: dict[int, TraineeProgress],
    found: dict[int, _Person],
    marks: dict[int, Counter[str]],
) -> GroupProgress:
    members = [trainees[p] for p in people]
    daily = _daily(x for p in people if p in found for x in found[p].sessions)
    skills = {}
    for i, skill in enumerate(SKILLS):
        level = _mean(t.skills[skill].level for t in members)
        skills[skill] = GroupSkill(skill=skill, level=level, tier=tier_of(level), history=daily[i])
    ordered = sorted(members, key=lambda t: (t.level is None, -(t.level or 0.0), t.name))
    ranking = [
        Ranked(
            rank=i + 1 if t.level is not None else None,
            trainee=t.name,
            level=t.level,
            tier=t.tier,
            attempts=t.attempts,
            pass_rate=t.pass_rate,
            cap=t.cap,
        )
        for i, t in enumerate(ordered)
    ]
    measured = [s for s in SKILLS if skills[s].level is not None]
    weakest = sorted(measured, key=lambda s: (skills[s].level, SKILLS.index(s)))[:WEAKEST]
    counts: Counter[str] = Counter()
    for p in people:
        counts.update(marks.get(p, Counter()))
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
        hard_scenarios=_hard_scenarios(found[p].sessions for p in people if p in found),
    )


def progress(repo: Repository, *, group: str | None = None, trainee: str | None = None) -> Progress:
    """Progress of one trainee, one group, or (neither) everyone the acting person may see.

    Raises ``NotFound`` for a person or group that does not exist or that the actor may not see, and
    ``AccessDenied`` for a group the actor does not mentor (staff may read every group).
    """
    found: dict[int, _Person] = {}
    marks: dict[int, Counter[str]] = {}
    with repo.db() as db:
        scope = _scope(repo, db, group, trainee)
        if scope.query is None or scope.query:
            found = _sessions(db, scope.query)
            marks = _negative_marks(db, scope.query)
    wanted = set(scope.listed)
    if scope.any_active:
        wanted |= {p for p in found if p in scope.names}
    for members in scope.groups.values():
        wanted |= set(members)
    everyone = {
        p: _trainee(scope.names[p], scope.member_of.get(p, []), found.get(p), marks.get(p, Counter())) for p in wanted
    }
    groups = [_group(name, members, everyone, found, marks) for name, members in sorted(scope.groups.items())]
    shown = everyone if trainee is None else {p: t for p, t in everyone.items() if p in scope.listed}
    return Progress(
        trainees=sorted(shown.values(), key=lambda t: t.name),
        groups=groups,
        group=group,
        trainee=trainee,
    )
