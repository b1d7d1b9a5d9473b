"""Store speed: progress of one group over N graded sessions, and event inserts during a session, SQLite and
PostgreSQL side by side.

    python bench/store_progress.py [--sessions 100000] [--groups 20] [--trainees 50] [--events N] [--runs 5]

Both databases get the same synthetic sessions (random scenarios, skills, marks, a few regrades), bulk
inserted with SQLAlchemy core in batches. ``progress(group=...)`` is timed as that group's mentor (median of
``--runs``, target 150 ms); events are appended the way a live session does it: ``Repository.append_event``,
one commit per event. PostgreSQL is a throwaway server (``bench.pgserver``); without one, only SQLite
is measured.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, text
from sqlmodel import SQLModel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.claims import claim  # noqa: E402
from bench.pgserver import PostgresUnavailable, temporary_postgres  # noqa: E402
from transcripts.format import Event, Transcript  # noqa: E402
from transcripts.progress import progress  # noqa: E402
from transcripts.report import SKILL_OF, SKILLS  # noqa: E402
from transcripts.repository import Repository  # noqa: E402
from transcripts.store import open_engine, sqlite_url  # noqa: E402

TARGET_MS = 150.0
BATCH = 5000
SCENARIOS = 20
NEGATIVE = [kind for kind in SKILL_OF if kind not in ("clarifying_question", "empathy", "personalized", "deescalated")]
POSITIVE = ["clarifying_question", "empathy", "personalized", "deescalated"]
NOW = datetime(2025, 6, 1, tzinfo=UTC)


@dataclass
class Data:
    groups: list[dict[str, Any]] = field(default_factory=list)
    people: list[dict[str, Any]] = field(default_factory=list)
    memberships: list[dict[str, Any]] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    grades: list[dict[str, Any]] = field(default_factory=list)
    marks: list[dict[str, Any]] = field(default_factory=list)


def clamp(value: float) -> int:
    return max(0, min(100, round(value)))


def generate(sessions: int, groups: int, trainees: int, seed: int = 7) -> Data:
    """Groups with a mentor and trainees; each trainee has an ability, each scenario a difficulty."""
    rng = random.Random(seed)
    data = Data()
    data.people.append({"id": 1, "name": "admin", "role": "admin", "created_at": NOW})
    learners: list[tuple[int, float, dict[str, float]]] = []
    for g in range(groups):
        group_id = g + 1
        data.groups.append({"id": group_id, "name": f"group-{g:02d}", "created_at": NOW})
        mentor_id = len(data.people) + 1
        data.people.append({"id": mentor_id, "name": f"mentor-{g:02d}", "role": "mentor", "created_at": NOW})
        data.memberships.append({"person_id": mentor_id, "group_id": group_id, "mentors": True})
        for k in range(trainees):
            person_id = len(data.people) + 1
            data.people.append(
                {"id": person_id, "name": f"trainee-{g:02d}-{k:03d}", "role": "trainee", "created_at": NOW}
            )
            data.memberships.append({"person_id": person_id, "group_id": group_id, "mentors": False})
            learners.append((person_id, rng.gauss(62, 12), {s: rng.gauss(0, 8) for s in SKILLS}))
    difficulty = {f"scenario-{i:02d}": rng.gauss(0, 12) for i in range(SCENARIOS)}
    scenarios = list(difficulty)
    for n in range(sessions):
        person_id, ability, bias = learners[n % len(learners)]
        scenario = rng.choice(scenarios)
        started = NOW - timedelta(days=365 * (1 - n / sessions), seconds=rng.randrange(3600))
        session_id = f"bench-{n:07d}"
        data.sessions.append(
            {
                "id": session_id,
                "person_id": person_id,
                "scenario_id": scenario,
                "scenario_hash": None,
                "mode": "practice",
                "language": "en",
                "backend": "scripted",
                "model": None,
                "options": {},
                "status": "finished",
                "outcome": "resolved",
                "pid": None,
                "started_at": started,
                "ended_at": started + timedelta(minutes=9),
                "meta": {},
            }
        )
        regrades = 2 if rng.random() < 0.05 else 1
        for _ in range(regrades):
            grade_id = len(data.grades) + 1
            skills: dict[str, int] = {
                s: clamp(ability - difficulty[scenario] + bias[s] + rng.gauss(0, 12)) for s in SKILLS
            }
            score = clamp(sum(skills.values()) / len(skills))
            data.grades.append(
                {
                    "id": grade_id,
                    "session_id": session_id,
                    "created_at": started + timedelta(minutes=10),
                    "score": score,
                    "passed": score >= 70,
                    "pass_score": 70,
                    "outcome": "resolved",
                    **skills,
                }
            )
            for seq, (kind, positive) in enumerate(
                [(rng.choice(NEGATIVE), False) for _ in range(rng.randrange(4))]
                + [(rng.choice(POSITIVE), True) for _ in range(rng.randrange(3))],
                start=1,
            ):
                data.marks.append(
                    {
                        "grade_id": grade_id,
                        "kind": kind,
                        "seq": seq * 2,
                        "positive": positive,
                        "severity": "minor" if positive else rng.choice(("minor", "major", "critical")),
                        "quote": "I understand.",
                        "why": "synthetic",
                        "better": None,
                        "fact": None,
                        "judged_by": None,
                    }
                )
    return data


def batches(rows: Sequence[dict[str, Any]], size: int = BATCH) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def fill(engine: Engine, data: Data, label: str) -> float:
    """Bulk insert (executemany in batches); returns the seconds it took."""
    tables = SQLModel.metadata.tables
    started = time.perf_counter()
    with engine.begin() as conn:
        for name, rows in (
            ("mentor_group", data.groups),
            ("person", data.people),
            ("membership", data.memberships),
            ("session", data.sessions),
            ("grade", data.grades),
            ("mark", data.marks),
        ):
            t0 = time.perf_counter()
            count = -(-len(rows) // BATCH)
            every = max(1, -(-count // 4))  # about four progress lines per big table
            for i, batch in enumerate(batches(rows), start=1):
                conn.execute(insert(tables[name]), list(batch))
                if count > 1 and (i % every == 0 or i == count):
                    print(f"  {label}: {name} {min(i * BATCH, len(rows)):,}/{len(rows):,}", flush=True)
            if count > 1:
                print(f"  {label}: {name} done in {time.perf_counter() - t0:.1f} s", flush=True)
        if engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for name in ("mentor_group", "person", "grade"):
                conn.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))")
                )
    if engine.dialect.name == "postgresql":  # what autovacuum soon does on a long-lived server after a big load
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - started


def timed(call: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def events(engine: Engine, count: int) -> float:
    """Events per second through ``append_event``, one commit each, as a live session writes them."""
    repo = Repository.acting_as(engine, "trainee-00-000")
    session_id = "bench-live"
    repo.start_session(Transcript(id=session_id, scenario="scenario-00"))
    t0 = time.perf_counter()
    for seq in range(1, count + 1):
        role = "customer" if seq % 2 else "agent"
        repo.append_event(
            session_id, Event(seq=seq, t=seq * 0.5, role=role, type="message", text=f"line {seq} of the chat")
        )
    return count / (time.perf_counter() - t0)


@dataclass
class Result:
    fill_s: float
    sessions_in_group: int
    progress_ms: list[float]
    everything_ms: float
    events_per_s: float


def measure(label: str, url: str, data: Data, args: argparse.Namespace) -> Result:
    print(f"{label}: filling…", flush=True)
    engine = open_engine(url)
    try:
        fill_s = fill(engine, data, label)
        mentor = Repository.acting_as(engine, "mentor-00")
        group = progress(mentor, group="group-00")
        sessions_in_group = sum(t.attempts for t in group.trainees)
        print(f"{label}: timing progress…", flush=True)
        progress_ms = timed(lambda: progress(mentor, group="group-00"), args.runs)
        admin = Repository.acting_as(engine, "admin")
        (everything_ms,) = timed(lambda: progress(admin), 1)
        print(f"{label}: appending {args.events:,} events…", flush=True)
        return Result(fill_s, sessions_in_group, progress_ms, everything_ms, events(engine, args.events))
    finally:
        engine.dispose()


def report(results: dict[str, Result | str], args: argparse.Namespace, data: Data) -> None:
    trainees = args.groups * args.trainees
    print()
    print(
        f"{len(data.sessions):,} graded sessions ({len(data.grades):,} grades, {len(data.marks):,} marks), "
        f"{args.groups} groups × {args.trainees} trainees"
    )
    names = list(results)
    width = 22
    print(f"{'':38}" + "".join(f"{name:>{width}}" for name in names))

    def line(title: str, cell: Callable[[Result], str], suffix: str = "") -> None:
        cells = [cell(r) if isinstance(r, Result) else r for r in results.values()]
        print(f"{title:38}" + "".join(f"{c:>{width}}" for c in cells) + suffix)

    line("fill (bulk insert)", lambda r: f"{r.fill_s:.1f} s")
    line("sessions in the group", lambda r: f"{r.sessions_in_group:,}")
    line(
        f"progress(group), median of {args.runs}",
        lambda r: f"{statistics.median(r.progress_ms):.1f} ms",
        f"   target {TARGET_MS:.0f} ms",
    )
    line("  fastest … slowest", lambda r: f"{min(r.progress_ms):.0f} … {max(r.progress_ms):.0f} ms")
    line(f"progress(everything: {trainees:,} trainees)", lambda r: f"{r.everything_ms:.0f} ms", "   (staff, 1 run)")
    line(
        f"append_event × {args.events:,} (commit each)",
        lambda r: f"{r.events_per_s:,.0f} ev/s",
    )
    line("  per event", lambda r: f"{1000 / r.events_per_s:.2f} ms")
    for name, r in results.items():
        if isinstance(r, Result):
            ms = statistics.median(r.progress_ms)
            sessions = f"{len(data.sessions):,} sessions"
            claim(
                f"{name}: progress of a group over {sessions}",
                f"{ms:.0f} ms",
                f"<= {TARGET_MS:.0f} ms",
                ms <= TARGET_MS,
            )
            claim(f"{name}: events appended during a session", f"{r.events_per_s:,.0f} ev/s", "(reported)")
        else:
            claim(f"{name}: progress of a group", r, f"<= {TARGET_MS:.0f} ms", False)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--trainees", type=int, default=50, help="per group")
    parser.add_argument("--events", type=int, default=None, help="default: 2,000 (fewer for small runs)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-postgres", action="store_true", help="measure SQLite only")
    args = parser.parse_args()
    if args.events is None:
        args.events = min(2000, max(200, args.sessions // 50))

    t0 = time.perf_counter()
    data = generate(args.sessions, args.groups, args.trainees)
    print(f"generated {len(data.sessions):,} sessions in {time.perf_counter() - t0:.1f} s", flush=True)
    gc.freeze()  # the generated rows stay alive all run: keep the collector from walking them inside the timings

    results: dict[str, Result | str] = {}
    with tempfile.TemporaryDirectory(prefix="sparring-bench-") as folder:
        results["SQLite"] = measure("SQLite", sqlite_url(Path(folder) / "bench.sqlite"), data, args)
    if args.no_postgres:
        results["PostgreSQL"] = "skipped"
    else:
        try:
            with temporary_postgres() as url:
                results["PostgreSQL"] = measure("PostgreSQL", url, data, args)
        except PostgresUnavailable as exc:
            print(f"PostgreSQL: unavailable ({exc})", flush=True)
            results["PostgreSQL"] = "unavailable"
    report(results, args, data)


if __name__ == "__main__":
    main()
