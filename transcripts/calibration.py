"""How far mentors trust the grader: their reviews of its marks, per mark kind, from the latest grade of each session.

A mentor's verdict on a mark is their latest review of it (they may change their mind). A mark stands when every
mentor who reviewed it agreed, and counts as overridden when at least one overrode it. Who may see what is the
repository's rule (``Repository.visible_people``); a group's figures are for its mentors and staff, as in progress.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from simulator import i18n
from transcripts.repository import AccessDenied, Repository

MOST_OVERRIDDEN = 5
"""How many kinds are listed as the most overridden."""
EXAMPLES = 3
"""How many overridden marks are quoted per kind, the most recently overridden first."""

_REVIEW, _MARK, _GRADE, _PERSON, _SESSION = (
    SQLModel.metadata.tables[name] for name in ("review", "mark", "grade", "person", "session")
)


@dataclass(frozen=True)
class KindFigures:
    kind: str
    reviewed: int
    """Marks of this kind that at least one mentor reviewed."""
    agreed: int
    """Of those, the marks every mentor agreed with."""
    overridden: int
    """The marks at least one mentor overrode: reviewed = agreed + overridden."""
    agreement: float
    """Agreeing verdicts / all verdicts: a mark reviewed by two mentors gives two."""
    precision: float
    """The grader's precision as the mentors see it: marks that stand / marks reviewed."""


@dataclass(frozen=True)
class Example:
    session: str
    quote: str
    reason: str | None
    """Of the mark's most recent override."""


@dataclass(frozen=True)
class Overridden:
    kind: str
    overridden: int
    examples: list[Example]


@dataclass(frozen=True)
class Verdict:
    mentor: str
    verdict: str
    """agree or override."""
    reason: str | None


@dataclass(frozen=True)
class Disagreement:
    session: str
    kind: str
    quote: str
    verdicts: list[Verdict]
    """By mentor name."""


@dataclass(frozen=True)
class Calibration:
    kinds: list[KindFigures]
    """The most reviewed kinds first."""
    most_overridden: list[Overridden]
    disagreements: list[Disagreement]
    """In session and turn order."""


class _Latest(NamedTuple):
    review: int
    """The review's id: later reviews have higher ones."""
    verdict: Verdict


@dataclass
class _Reviewed:
    session: str
    kind: str
    quote: str
    latest: dict[str, _Latest] = field(default_factory=dict)
    """By mentor: their latest review."""

    def verdicts(self) -> list[Verdict]:
        return sorted((v.verdict for v in self.latest.values()), key=lambda v: v.mentor)

    def overrides(self) -> list[_Latest]:
        """The standing overrides, the most recent first."""
        return sorted((v for v in self.latest.values() if v.verdict.verdict == "override"), key=lambda v: -v.review)


def calibration(repo: Repository, *, group: str | None = None) -> Calibration:
    """Everything the acting person may see, or (``group``) the sessions of that group's members.

    Raises ``NotFound`` for a group that does not exist and ``AccessDenied`` for a group the actor does not mentor
    (staff may read every group).
    """
    members = _members(repo, group) if group is not None else None
    with repo.db() as db:
        reviewed = _reviewed_marks(db, _both(repo.visible_people(db), members))
    return Calibration(_figures(reviewed), _most_overridden(reviewed), _disagreements(reviewed))


def _both(people: set[int] | None, others: set[int] | None) -> set[int] | None:
    """Those in both sets, where None stands for everyone."""
    if people is None or others is None:
        return others if people is None else people
    return people & others


def _members(repo: Repository, group: str) -> set[int]:
    members = repo.members(group)  # NotFound for no such group, AccessDenied for someone outside it
    if not repo.is_staff and not any(person.id == repo.actor.id and mentors for person, mentors in members):
        raise AccessDenied(i18n.t("progress.not_group_mentor", name=group))
    return {person.id for person, _ in members if person.id is not None}


def _reviewed_marks(db: Session, people: set[int] | None) -> list[_Reviewed]:
    """Every reviewed mark of the latest grade (the highest id) of the sessions of these people (None: everyone)."""
    r, m, g, p, newer = _REVIEW, _MARK, _GRADE, _PERSON, _GRADE.alias("newer")
    latest = select(func.max(newer.c.id)).where(newer.c.session_id == g.c.session_id).scalar_subquery()
    joined = r.join(m, m.c.id == r.c.mark_id).join(g, g.c.id == m.c.grade_id).join(p, p.c.id == r.c.reviewer_id)
    query = select(r.c.id, m.c.id, g.c.session_id, m.c.kind, m.c.quote, p.c.name, r.c.verdict, r.c.reason)
    if people is not None:
        joined = joined.join(_SESSION, _SESSION.c.id == g.c.session_id)
        query = query.where(_SESSION.c.person_id.in_(sorted(people)))
    query = query.select_from(joined).where(g.c.id == latest).order_by(g.c.session_id, m.c.seq, m.c.id, r.c.id)
    marks: dict[int, _Reviewed] = {}
    for review_id, mark_id, session, kind, quote, mentor, verdict, reason in db.connection().execute(query):
        mark = marks.setdefault(mark_id, _Reviewed(session, kind, quote))
        mark.latest[mentor] = _Latest(review_id, Verdict(mentor, verdict, reason))  # replaces their earlier one
    return list(marks.values())


def _by_kind(marks: Iterable[_Reviewed]) -> dict[str, list[_Reviewed]]:
    found: dict[str, list[_Reviewed]] = defaultdict(list)
    for mark in marks:
        found[mark.kind].append(mark)
    return found


def _figures(marks: Iterable[_Reviewed]) -> list[KindFigures]:
    figures = []
    for kind, reviewed in _by_kind(marks).items():
        verdicts = [v.verdict for mark in reviewed for v in mark.verdicts()]
        overridden = sum(bool(mark.overrides()) for mark in reviewed)
        agreed = len(reviewed) - overridden
        figures.append(
            KindFigures(
                kind=kind,
                reviewed=len(reviewed),
                agreed=agreed,
                overridden=overridden,
                agreement=verdicts.count("agree") / len(verdicts),
                precision=agreed / len(reviewed),
            )
        )
    return sorted(figures, key=lambda f: (-f.reviewed, f.kind))


def _most_overridden(marks: Iterable[_Reviewed]) -> list[Overridden]:
    overridden = _by_kind(m for m in marks if m.overrides())
    ranked = sorted(overridden.items(), key=lambda item: (-len(item[1]), item[0]))[:MOST_OVERRIDDEN]
    return [Overridden(kind, len(found), _examples(found)) for kind, found in ranked]


def _examples(marks: list[_Reviewed]) -> list[Example]:
    newest = sorted(marks, key=lambda m: -m.overrides()[0].review)[:EXAMPLES]
    return [Example(m.session, m.quote, m.overrides()[0].verdict.reason) for m in newest]


def _same_reason(reason: str | None) -> str:
    return " ".join((reason or "").split()).casefold()


def _disagreements(marks: Iterable[_Reviewed]) -> list[Disagreement]:
    """Marks on which mentors differ: one agrees and another overrides, or they override for different reasons."""
    found = []
    for mark in marks:
        verdicts = mark.verdicts()
        split = len({v.verdict for v in verdicts}) > 1
        reasons = {_same_reason(v.reason) for v in verdicts if v.verdict == "override"}
        if split or len(reasons) > 1:
            found.append(Disagreement(mark.session, mark.kind, mark.quote, verdicts))
    return found
